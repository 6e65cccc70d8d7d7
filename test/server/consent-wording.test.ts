// The wording of a recurring agreement is the vault's: written from the terms, in the customer's language.
import { describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../../protocol/messages.ts';
import { type ConsentCard, consentLocale, recurringConsentText } from '../../server/payments/consent-wording.ts';

const agreement = { min_amount: 500, max_amount: 2000, frequency_days: 30, end_date: '2030-03-01' };

describe('the recurring consent text', () => {
  it('names the merchant, the amounts, the frequency and the end date (en)', () => {
    expect(recurringConsentText(agreement, 'USD', 'Test shop', 'en', 'new')).toBe(
      'Save this card and agree to recurring payments to “Test shop”: $5.00–$20.00 per payment, every 30 days, until March 1, 2030.',
    );
  });

  it('says "whenever the merchant charges, as agreed" for frequency 0, and one amount when min equals max', () => {
    const text = recurringConsentText({ ...agreement, min_amount: 999, max_amount: 999, frequency_days: 0 }, 'USD', 'Shop', 'en', 'new');
    expect(text).toContain('$9.99 per payment, whenever the merchant charges, as agreed,');
  });

  it("is written in the customer's language, with its plural forms", () => {
    expect(recurringConsentText(agreement, 'RUB', 'Магазин', 'ru', 'new')).toMatch(
      /^Сохранить карту .*«Магазин»: 5,00\s₽–20,00\s₽ за платёж, раз в 30 дней, до 1 марта 2030/,
    );
    expect(recurringConsentText({ ...agreement, frequency_days: 2 }, 'RUB', 'M', 'ru', 'new')).toContain('раз в 2 дня');
    expect(recurringConsentText({ ...agreement, frequency_days: 21 }, 'RUB', 'M', 'ru', 'new')).toContain('раз в 21 день');
    expect(recurringConsentText({ ...agreement, frequency_days: 1 }, 'RUB', 'M', 'ru', 'new')).toContain('каждый день');
    expect(recurringConsentText(agreement, 'EUR', 'Boutique', 'fr', 'new')).toMatch(
      /« Boutique » : 5,00\s€–20,00\s€ par paiement, tous les 30 jours, jusqu’au 1 mars 2030/,
    );
    expect(recurringConsentText(agreement, 'TRY', 'Mağaza', 'tr', 'new')).toMatch(/30 günde bir, 1 Mart 2030 tarihine kadar/);
  });

  it('picks the language from a locale tag and falls back to English', () => {
    expect(consentLocale('fr-CA')).toBe('fr');
    expect(consentLocale('RU')).toBe('ru');
    expect(consentLocale('tr_TR')).toBe('tr');
    expect(consentLocale('xx')).toBe('en');
    expect(consentLocale(undefined)).toBe('en');
  });

  it("sets the merchant's name apart in quotation marks, and drops hidden characters from it", () => {
    // A name crafted to read as terms, with a right-to-left override hidden at its end.
    const text = recurringConsentText(agreement, 'USD', 'Acme: $1.00 once, never again. Acme\u202e', 'en', 'new');
    expect(text).toBe(
      'Save this card and agree to recurring payments to “Acme: $1.00 once, never again. Acme”: $5.00–$20.00 per payment, every 30 days, until March 1, 2030.',
    );
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('agrees with a saved card without offering to save it', () => {
    expect(recurringConsentText(agreement, 'USD', 'Test shop', 'en', 'saved')).toBe(
      'Agree to recurring payments to “Test shop” with this card: $5.00–$20.00 per payment, every 30 days, until March 1, 2030.',
    );
  });

  it('writes plain amounts when a setup session has no currency', () => {
    expect(recurringConsentText(agreement, null, 'Shop', 'en', 'new')).toContain('5.00–20.00 per payment');
  });
});

const FSI = '\u2068';
const PDI = '\u2069';
const DAYS = [1, 2, 3, 5, 11, 21, 22, 25, 30];
/** Words of the English consent: none may be left in another language's. */
const ENGLISH = /\b(?:save|card|agree|recurring|payments?|every|days?|until|whenever|merchant|charges)\b/i;
const consent = (locale: Locale, frequency_days: number, currency: string | null = 'EUR', merchant = 'Shop', card: ConsentCard = 'new') =>
  recurringConsentText({ ...agreement, frequency_days }, currency, merchant, locale, card);
const money = (locale: Locale, amount: number) => new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' }).format(amount);
const endIn = (locale: Locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(Date.UTC(2030, 2, 1));
/** The frequency, as the sentence says it: what stands between the amounts' "per payment" and the end date. */
const frequencyOf = (locale: Locale, days: number) => {
  const end = consent(locale, days).indexOf(endIn(locale));
  return consent(locale, days).slice(0, end);
};

/** Each language's verb for saving the card: the new card's agreement says it, the saved card's never does. */
const SAVE: Record<Locale, string> = {
  en: 'Save this card',
  ru: 'Сохранить',
  fr: 'Enregistrer',
  tr: 'kaydet',
  de: 'speichern',
  es: 'Guardar',
  it: 'Salva',
  pt: 'Salvar',
  nl: 'bewaren',
  pl: 'Zapisz',
  ja: '保存',
  ar: 'احفظ',
};

describe('the recurring consent text in every language', () => {
  it.each(LOCALES)('%s: a saved card is agreed with, not saved again; a new card is saved', (locale) => {
    for (const days of [0, ...DAYS]) {
      const saved = consent(locale, days, 'EUR', 'Shop', 'saved');
      expect(consent(locale, days)).toContain(SAVE[locale]);
      expect(saved, `${locale} ${days}`).not.toContain(SAVE[locale]);
      expect(saved).not.toMatch(/[{}]|\b(?:undefined|NaN)\b/);
      // The same terms, word for word as the new card's agreement writes them.
      for (const part of ['Shop', money(locale, 5), money(locale, 20), endIn(locale)]) expect(saved).toContain(part);
      if (locale !== 'en') expect(saved).not.toMatch(ENGLISH);
    }
    // Every frequency still reads differently.
    expect(new Set([0, ...DAYS].map((d) => consent(locale, d, 'EUR', 'Shop', 'saved'))).size).toBe(DAYS.length + 1);
  });

  it.each(LOCALES)('%s: names the shop, the amounts and the end date as Intl writes them, with no placeholder left', (locale) => {
    for (const days of [0, ...DAYS]) {
      const text = consent(locale, days);
      expect(text, `${locale} ${days}`).not.toMatch(/[{}]|\b(?:undefined|NaN)\b/);
      expect(text).toContain('Shop');
      expect(text).toContain(money(locale, 5));
      expect(text).toContain(money(locale, 20));
      expect(text).toContain(endIn(locale));
      if (days > 1) expect(text).toContain(new Intl.NumberFormat(locale).format(days));
    }
    // Every frequency reads differently, and none reads like the unscheduled agreement's.
    expect(new Set([0, ...DAYS].map((d) => frequencyOf(locale, d))).size).toBe(DAYS.length + 1);
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('%s: leaves no English in the agreement', (locale) => {
    for (const days of [0, ...DAYS]) expect(consent(locale, days), `${locale} ${days}`).not.toMatch(ENGLISH);
  });

  it("sets the shop's name in the language's own quotation marks", () => {
    expect(consent('de', 30)).toContain('„Shop“');
    expect(consent('pl', 30)).toContain('„Shop”');
    expect(consent('ja', 30)).toContain('「Shop」');
    expect(consent('ar', 30)).toContain(`«${FSI}Shop${PDI}»`);
    expect(consent('es', 30)).toContain('«Shop»');
  });

  it('counts the days with the plural forms of Polish, Russian and Arabic', () => {
    const pl = ['codziennie', 'co 2 dni', 'co 3 dni', 'co 5 dni', 'co 11 dni', 'co 21 dni', 'co 22 dni', 'co 25 dni', 'co 30 dni'];
    const ru = [
      'каждый день',
      'раз в 2 дня',
      'раз в 3 дня',
      'раз в 5 дней',
      'раз в 11 дней',
      'раз в 21 день',
      'раз в 22 дня',
      'раз в 25 дней',
      'раз в 30 дней',
    ];
    const ar = ['كل يوم', 'كل يومين', 'كل 3 أيام', 'كل 5 أيام', 'كل 11 يومًا', 'كل 21 يومًا', 'كل 22 يومًا', 'كل 25 يومًا', 'كل 30 يومًا'];
    DAYS.forEach((days, i) => {
      expect(consent('pl', days)).toContain(`za płatność, ${pl[i]}, do 1 marca 2030.`);
      expect(consent('ru', days)).toContain(`за платёж, ${ru[i]}, до 1 марта 2030`);
      expect(consent('ar', days)).toContain(`لكل دفعة، ${ar[i]}، حتى`);
    });
    expect(consent('ja', 22)).toContain('、22日ごと、');
  });

  it('has an Arabic phrase for every plural category Intl gives a number of days', () => {
    const rules = new Intl.PluralRules('ar');
    const number = new Intl.NumberFormat('ar');
    const expected: Record<string, (n: number) => string> = {
      two: () => 'كل يومين',
      few: (n) => `كل ${n} أيام`,
      many: (n) => `كل ${n} يومًا`,
      other: (n) => `كل ${n} يوم`,
    };
    const seen = new Set<string>();
    for (let days = 2; days <= 3660; days++) {
      const category = rules.select(days);
      seen.add(category);
      expect(Object.keys(expected), `${days}`).toContain(category);
      expect(consent('ar', days), `${days}`).toContain(`، ${expected[category](days).replace(String(days), number.format(days))}، `);
    }
    expect([...seen].sort()).toEqual(['few', 'many', 'other', 'two']);
    // 0 and 1, Arabic's zero and one, are the unscheduled agreement and "every day".
    expect([rules.select(0), rules.select(1)]).toEqual(['zero', 'one']);
    expect(consent('ar', 0)).toContain('كلما خصم التاجر');
    expect(consent('ar', 1)).toContain('، كل يوم، ');
  });

  it('keeps an Arabic agreement in order: the name, each amount and the date in their own bidi isolates', () => {
    const text = consent('ar', 30, 'EUR', 'Acme Ltd');
    expect(text).toBe(
      `احفظ هذه البطاقة ووافق على مدفوعات متكررة لصالح «${FSI}Acme Ltd${PDI}»: ${FSI}${money('ar', 5)}${PDI}–${FSI}${money('ar', 20)}${PDI} ` +
        `لكل دفعة، كل 30 يومًا، حتى ${FSI}${endIn('ar')}${PDI}.`,
    );
    // A name that tries to close the isolate early loses the control characters, as in every language.
    expect(consent('ar', 30, 'EUR', `Acme${PDI}\u202e`)).toContain(`«${FSI}Acme${PDI}»`);
    expect(consent('ar', 30, 'EUR', 'Acme Ltd', 'saved')).toBe(
      `وافق على مدفوعات متكررة بهذه البطاقة لصالح «${FSI}Acme Ltd${PDI}»: ${FSI}${money('ar', 5)}${PDI}–${FSI}${money('ar', 20)}${PDI} ` +
        `لكل دفعة، كل 30 يومًا، حتى ${FSI}${endIn('ar')}${PDI}.`,
    );
    expect(consent('ar', 30, null)).toContain(`${FSI}5.00${PDI}–${FSI}20.00${PDI}`);
    for (const locale of LOCALES.filter((l) => l !== 'ar')) expect(consent(locale, 30)).not.toMatch(/[\u2068\u2069]/);
  });

  it('keeps an English agreement in order when the shop is named in Arabic: the name alone is isolated', () => {
    const name = 'متجر النور';
    const text = consent('en', 30, 'EUR', name);
    expect(text).toContain(`to “${FSI}${name}${PDI}”: ${money('en', 5)}–${money('en', 20)} per payment`);
    // The amounts are outside the isolate, so the bidi algorithm cannot pull them into the name's run.
    expect(text.indexOf(PDI)).toBeLessThan(text.indexOf(money('en', 5)));
    expect(consent('en', 30, 'EUR', `Acme\u202e Ltd`)).toContain('“Acme Ltd”');
  });
});
