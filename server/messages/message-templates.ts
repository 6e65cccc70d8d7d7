// Customer messages in the customer's language: a subject and body for e-mail and a short text for
// SMS, each language's wording in wording/. Amounts come in minor units and are formatted for the
// locale and currency.
import { PAN_RUN_SOURCE } from '../../protocol/cards.ts';
import { LOCALES, type Locale } from '../../protocol/messages.ts';
import { formatMinor } from '../../protocol/money.ts';
import { startOfDay } from '../clock.ts';
import { isolatorFor } from './bidi.ts';
import type { MessageTemplate } from './messenger.ts';
import { ar } from './wording/ar.ts';
import { de } from './wording/de.ts';
import { en } from './wording/en.ts';
import { es } from './wording/es.ts';
import { fr } from './wording/fr.ts';
import { it } from './wording/it.ts';
import { ja } from './wording/ja.ts';
import { nl } from './wording/nl.ts';
import { pl } from './wording/pl.ts';
import { pt } from './wording/pt.ts';
import { ru } from './wording/ru.ts';
import { tr } from './wording/tr.ts';
import type { RenderedMessage, Vars, Wording } from './wording/wording.ts';

export { LOCALES, type Locale, type RenderedMessage };

const WORDING: Record<Locale, Wording> = { en, ru, fr, tr, de, es, it, pt, nl, pl, ja, ar };

export function toLocale(value: string | null | undefined): Locale {
  return (LOCALES as readonly string[]).includes(value ?? '') ? (value as Locale) : 'en';
}

/** 1999 USD → "$19.99" in en, "19,99 $US" in fr; the currency's own number of decimals (JPY has none). */
export function formatAmount(minor: number, currency: string, locale: Locale): string {
  try {
    return formatMinor(minor, currency, locale);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

export function formatDate(date: string, locale: Locale): string {
  const d = startOfDay(date);
  return Number.isNaN(d.getTime()) ? date : new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

// Any run of 12 or more digits (a card number, however spaced) never reaches a customer's inbox.
const DIGIT_RUN = new RegExp(PAN_RUN_SOURCE, 'g');
const scrub = (s: string) => s.replace(DIGIT_RUN, '[redacted]');

export function renderMessage(template: MessageTemplate, locale: Locale, data: Record<string, string | number | null | undefined>): RenderedMessage {
  const str = (key: string) => (data[key] == null || data[key] === '' ? undefined : String(data[key]));
  const amount = Number(data.amount);
  const currency = str('currency');
  const last4 = /^\d{4}$/.test(str('last4') ?? '') ? str('last4')! : undefined;
  const due = str('due_date');
  const description = str('description')?.slice(0, 200);
  const iso = isolatorFor(locale);
  const vars: Vars = {
    merchant: iso(str('merchant') ?? ''),
    amount: iso(Number.isFinite(amount) && currency ? formatAmount(amount, currency, locale) : '—'),
    due: due && iso(formatDate(due, locale)),
    last4: iso(last4 ?? '••••'),
    hasCard: last4 !== undefined,
    description: description && iso(description),
  };
  const out = WORDING[locale][template](vars);
  return { subject: scrub(out.subject), text: scrub(out.text), sms: scrub(out.sms) };
}
