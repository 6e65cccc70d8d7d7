// The wording of a recurring agreement, written by the vault from the agreement's own terms in the
// customer's language. The fields show exactly this text beside the consent box and the mandate
// records exactly this text: no merchant label and no request body can put other words in the
// customer's mouth.
import { HIDDEN_CHARACTERS, type Recurring } from '../../protocol/api.ts';
import { formatAmount, formatDate, toLocale, type Locale } from '../messages/message-templates.ts';

interface Wording {
  /** The merchant's name set apart in the language's quotation marks, so it cannot pass for the terms. */
  quote: (name: string) => string;
  agreement: (v: { merchant: string; amounts: string; frequency: string; end: string }) => string;
  daily: string;
  /** Every N days: plural forms one|few|many, as many as the language has (the last serves the rest). */
  everyDays: string;
  /** `frequency_days: 0`: an unscheduled card-on-file agreement. */
  whenever: string;
}

// TEMPORARY while the new locales' wording is written: they read English.
const WORDING: Partial<Record<Locale, Wording>> = {
  en: {
    quote: (n) => `“${n}”`,
    agreement: (v) => `Save this card and agree to recurring payments to ${v.merchant}: ${v.amounts} per payment, ${v.frequency}, until ${v.end}.`,
    daily: 'every day',
    everyDays: 'every {n} days',
    whenever: 'whenever the merchant charges, as agreed',
  },
  ru: {
    quote: (n) => `«${n}»`,
    agreement: (v) => `Сохранить карту и согласиться на регулярные платежи в пользу ${v.merchant}: ${v.amounts} за платёж, ${v.frequency}, до ${v.end}.`,
    daily: 'каждый день',
    everyDays: 'раз в {n} день|раз в {n} дня|раз в {n} дней',
    whenever: 'когда продавец списывает оплату, как договорено',
  },
  fr: {
    quote: (n) => `« ${n} »`,
    agreement: (v) =>
      `Enregistrer cette carte et accepter des paiements récurrents à ${v.merchant} : ${v.amounts} par paiement, ${v.frequency}, jusqu’au ${v.end}.`,
    daily: 'chaque jour',
    everyDays: 'tous les {n} jours',
    whenever: 'chaque fois que le marchand débite, comme convenu',
  },
  tr: {
    quote: (n) => `“${n}”`,
    agreement: (v) => `Bu kartı kaydet ve ${v.merchant} için düzenli ödemeleri kabul et: ödeme başına ${v.amounts}, ${v.frequency}, ${v.end} tarihine kadar.`,
    daily: 'her gün',
    everyDays: '{n} günde bir',
    whenever: 'satıcı tahsil ettiğinde, kararlaştırıldığı şekilde',
  },
};

/** `fr-CA`, `RU` or `tr_TR` pick their language; anything else is English. */
export function consentLocale(requested: string | null | undefined): Locale {
  return toLocale(requested?.toLowerCase().split(/[-_]/)[0]);
}

function frequency(w: Wording, locale: Locale, days: number): string {
  if (days === 0) return w.whenever;
  if (days === 1) return w.daily;
  const forms = w.everyDays.split('|');
  const index = ['one', 'few', 'many'].indexOf(new Intl.PluralRules(locale).select(days));
  return forms[index < 0 ? forms.length - 1 : Math.min(index, forms.length - 1)].replace('{n}', String(days));
}

/** The consent text of a recurring agreement, as the customer reads it and as the mandate records it. */
export function recurringConsentText(terms: Recurring, currency: string | null, merchant: string, locale: Locale): string {
  const w = WORDING[locale] ?? WORDING.en!;
  // A setup session may have no currency: the amounts are then shown as plain decimals.
  const money = (minor: number) => (currency ? formatAmount(minor, currency, locale) : (minor / 100).toFixed(2));
  const min = money(terms.min_amount);
  const max = money(terms.max_amount);
  return w.agreement({
    // A name stored before hidden characters were refused still cannot reorder or hide the terms.
    merchant: w.quote(merchant.replace(new RegExp(HIDDEN_CHARACTERS.source, 'gu'), '').trim()),
    amounts: terms.min_amount === terms.max_amount ? max : `${min}–${max}`,
    frequency: frequency(w, locale, terms.frequency_days),
    end: formatDate(terms.end_date, locale),
  });
}
