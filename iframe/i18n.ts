// Picks the locale's texts, lays the merchant's `labels` over them, fills `{placeholders}`, and
// writes amounts and dates in the customer's language. A recurring agreement's wording is the vault's.
import type { FieldErrorCode } from './card-state.ts';
import { TEST_MODE_LIVE_CARD } from '../protocol/errors.ts';
import { firstLocale } from '../protocol/languages.ts';
import { LOCALES, type LabelKey, type Locale } from '../protocol/messages.ts';
import { KEYS, textsOf, type Row, type Texts } from './translations.ts';

export interface Translator {
  locale: Locale;
  /** The texts after the merchant's overrides, for phrases built from parts. */
  texts: Readonly<Texts>;
  t(key: LabelKey, vars?: Record<string, string>): string;
  /** A `YYYY-MM-DD` date, written out. */
  date(isoDate: string): string;
}

/** Own keys only: a `{constructor}` placeholder or label key must not reach Object.prototype. */
// biome-ignore lint/suspicious/noPrototypeBuiltins: Object.hasOwn is missing from browsers the fields still serve
export const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

export function fill(template: string, vars: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (own(vars, name) ? vars[name] : whole));
}

export const pickLocale = (locale: unknown): Locale => firstLocale(locale) ?? 'en';

/**
 * The texts at hand: the locales whose row arrived, with the page (every page brings its locale's,
 * English included, so frame.js carries no language) or fetched. The page's row is the fallback.
 */
const TEXTS: Partial<Record<Locale, Texts>> = {};
let fallback: Texts | undefined;

export const hasTexts = (locale: Locale): boolean => own(TEXTS, locale);

/** Takes a locale's row of texts if it is one: a row of the right length, of strings only. */
export function addTexts(locale: unknown, row: unknown): boolean {
  const known = typeof locale === 'string' && LOCALES.includes(locale as Locale);
  const ok = known && Array.isArray(row) && row.length === KEYS.length && row.every((s) => typeof s === 'string');
  if (ok) {
    TEXTS[locale as Locale] = textsOf(row as Row);
    fallback ??= TEXTS[locale as Locale];
  }
  return ok;
}

/** Fetches a locale's row from the vault when the page did not bring it; English stays if that fails. */
export async function loadTexts(vault: string, locale: Locale): Promise<void> {
  if (hasTexts(locale)) return;
  try {
    const res = await fetch(`${vault.replace(/\/+$/, '')}/frame/texts/${locale}.json`);
    if (res.ok) addTexts(locale, await res.json());
  } catch {
    // Unreachable: the fields still work, in English.
  }
}

/** Only known keys with string values: `labels` arrives by message and is not trusted to be well formed. */
function cleanLabels(labels: unknown): Partial<Record<LabelKey, string>> {
  const out: Partial<Record<LabelKey, string>> = {};
  for (const [key, value] of Object.entries(Object(labels))) {
    if (KEYS.includes(key as LabelKey) && typeof value === 'string') out[key as LabelKey] = value;
  }
  return out;
}

export function createTranslator(requested: unknown, labels?: unknown): Translator {
  const locale = pickLocale(requested);
  // A locale whose row never arrived reads the page's, and still writes dates its own way.
  const texts: Texts = { ...fallback!, ...TEXTS[locale], ...cleanLabels(labels) };
  const t = (key: LabelKey, vars?: Record<string, string>) => fill(texts[key], vars);

  // The vault accepts only real YYYY-MM-DD dates for end_date.
  const date = (isoDate: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`));

  return { locale, texts, t, date };
}

/**
 * The customer's text for an error code: the fields' own codes and the vault's card and session
 * codes in one table (several are the same code on both sides).
 */
export const ERROR_LABELS: Record<FieldErrorCode, LabelKey> & Record<string, LabelKey> = {
  incomplete_number: 'errorNumberIncomplete',
  invalid_number: 'errorNumber',
  invalid_expiry: 'errorExpiry',
  invalid_expiry_month: 'errorExpiry',
  invalid_expiry_year: 'errorExpiry',
  expired_card: 'errorExpiryPast',
  invalid_cvc: 'errorCvc',
  incorrect_cvc: 'errorCvcIncorrect',
  consent_required: 'errorConsent',
  card_declined: 'errorDeclined',
  insufficient_funds: 'errorDeclined',
  session_expired: 'errorSession',
  rate_limited: 'errorSession',
};

/** The customer's text for an error the vault answered with; the page gets the vault's own. */
export function apiErrorLabel(error: { code: string; param?: string; decline_code?: string }): LabelKey {
  // A test-mode shop refused a card that is not a test card: the person paying is its developer.
  if (error.code === 'card_declined' && error.decline_code === TEST_MODE_LIVE_CARD) return 'errorTestCard';
  if (error.code === 'parameter_missing' && error.param === 'save') return 'errorConsent';
  if (error.code === 'parameter_missing' && error.param === 'saved_card.cvc') return 'errorCvc';
  return own(ERROR_LABELS, error.code) ? ERROR_LABELS[error.code] : 'errorGeneric';
}
