// The wording of a recurring agreement, written by the vault from the agreement's own terms in the
// customer's language (each language's in consent-wording/). The fields show exactly this text beside
// the consent box and the mandate records exactly this text: no merchant label and no request body
// can put other words in the customer's mouth.
import { HIDDEN_CHARACTERS, type Recurring } from '../../protocol/api.ts';
import { isolatorFor } from '../messages/bidi.ts';
import { firstLocale } from '../../protocol/languages.ts';
import { formatAmount, formatDate, type Locale } from '../messages/message-templates.ts';
import { ar } from './consent-wording/ar.ts';
import { de } from './consent-wording/de.ts';
import { en } from './consent-wording/en.ts';
import { es } from './consent-wording/es.ts';
import { fr } from './consent-wording/fr.ts';
import { it } from './consent-wording/it.ts';
import { ja } from './consent-wording/ja.ts';
import { nl } from './consent-wording/nl.ts';
import { pl } from './consent-wording/pl.ts';
import { pt } from './consent-wording/pt.ts';
import { ru } from './consent-wording/ru.ts';
import { tr } from './consent-wording/tr.ts';
import type { ConsentWording } from './consent-wording/wording.ts';

const WORDING: Record<Locale, ConsentWording> = { en, ru, fr, tr, de, es, it, pt, nl, pl, ja, ar };

/** `fr-CA`, `RU` or `tr_TR` pick their language; anything else is English. */
export const consentLocale = (requested: string | null | undefined): Locale => firstLocale(requested) ?? 'en';

function frequency(w: ConsentWording, locale: Locale, days: number): string {
  if (days === 0) return w.whenever;
  if (days === 1) return w.daily;
  const phrase = w.everyDays[new Intl.PluralRules(locale).select(days)] ?? w.everyDays.other;
  return phrase.replace('{n}', new Intl.NumberFormat(locale).format(days));
}

/** Which card the agreement is given with: a new one saved by it, or one the customer saved before. */
export type ConsentCard = 'new' | 'saved';

/** The consent text of a recurring agreement, as the customer reads it and as the mandate records it. */
export function recurringConsentText(terms: Recurring, currency: string | null, merchant: string, locale: Locale, card: ConsentCard): string {
  const w = WORDING[locale];
  const iso = isolatorFor(locale);
  // A setup session may have no currency: the amounts are then shown as plain decimals.
  const money = (minor: number) => iso(currency ? formatAmount(minor, currency, locale) : (minor / 100).toFixed(2));
  const min = money(terms.min_amount);
  const max = money(terms.max_amount);
  return (card === 'saved' ? w.savedCardAgreement : w.agreement)({
    // A name stored before hidden characters were refused still cannot reorder or hide the terms.
    merchant: w.quote(iso(merchant.replace(new RegExp(HIDDEN_CHARACTERS.source, 'gu'), '').trim())),
    amounts: terms.min_amount === terms.max_amount ? max : `${min}–${max}`,
    frequency: frequency(w, locale, terms.frequency_days),
    end: iso(formatDate(terms.end_date, locale)),
  });
}
