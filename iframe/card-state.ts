// The card fields as pure functions on card-validator: formatting as typed, the brand, each field's
// verdict, the rule for when an error may be shown, and the `change` summary the page may see.
// Only the number check of card-validator: its index would bring the date, postal-code and name
// parsers too, which these fields do not use (size is reviewed like behaviour).
import { cardNumber } from 'card-validator/dist/card-number.js';
import { brandFromValidator, type CardBrand } from '../protocol/cards.ts';
import type { ChangeEvent, FieldError } from '../protocol/messages.ts';

export type FieldName = 'number' | 'expiry' | 'cvc' | 'holder';
export type FieldErrorCode = FieldError['code'];

export interface CardFields {
  number: string;
  expiry: string;
  cvc: string;
  holder: string;
}

export const EMPTY_FIELDS: CardFields = { number: '', expiry: '', cvc: '', holder: '' };

export interface BrandInfo {
  brand: CardBrand;
  gaps: number[];
  lengths: number[];
  /** The security code's accepted lengths: one for a known brand, 3 or 4 while the brand is unknown. */
  cvcSizes: number[];
}

/** A field's value judged as it stands (`valid`) and as it could still become (`potential`). */
export interface FieldCheck {
  empty: boolean;
  valid: boolean;
  potential: boolean;
  /** What is wrong when the value is final (the field was left or the form submitted). */
  code?: FieldErrorCode;
}

const UNKNOWN: BrandInfo = { brand: 'unknown', gaps: [4, 8, 12], lengths: [19], cvcSizes: [3, 4] };
/** The server's bound: an expiry more than this many years ahead is refused. */
const MAX_YEARS_AHEAD = 20;

export const digitsOf = (s: string): string => s.replace(/\D/g, '');

export function brandOf(number: string): BrandInfo {
  const digits = digitsOf(number);
  // No digits match every brand, so no one brand: skip the library, which copies all fifteen to say so.
  if (!digits) return UNKNOWN;
  const card = cardNumber(digits).card;
  if (!card) return UNKNOWN;
  return { brand: brandFromValidator(card.type), gaps: card.gaps, lengths: card.lengths, cvcSizes: [card.code.size] };
}

export const maxNumberLength = (number: string): number => Math.max(...brandOf(number).lengths);

/** The number as the customer types it, spaced by the brand's gaps: 4-4-4-4 for Visa, 4-6-5 for Amex. */
export function formatNumber(raw: string): string {
  const digits = digitsOf(raw);
  const { gaps, lengths } = brandOf(digits);
  let out = '';
  for (const [i, d] of [...digits.slice(0, Math.max(...lengths))].entries()) out += (gaps.includes(i) ? ' ' : '') + d;
  return out;
}

/** Where the caret belongs in a formatted value: just after its `digits`-th digit. */
export function caretAfterDigits(formatted: string, digits: number): number {
  if (digits <= 0) return 0;
  let seen = 0;
  for (let i = 0; i < formatted.length; i++) {
    if (/\d/.test(formatted[i]) && ++seen === digits) return i + 1;
  }
  return formatted.length;
}

/** The expiry as `MM / YY` from whatever was typed or autofilled: `12/30`, `1230`, `1/30`, `12/2030`. */
export function formatExpiry(raw: string): string {
  let month: string;
  let year: string;
  const slash = /^\s*(\d{1,2})\s*\/\s*(\d*)\s*$/.exec(raw);
  if (slash) {
    month = slash[1].length === 1 ? `0${slash[1]}` : slash[1];
    year = slash[2].length === 4 ? slash[2].slice(2) : slash[2].slice(0, 2);
  } else {
    const digits = digitsOf(raw);
    const long = /^(0[1-9]|1[0-2])20(\d\d)$/.exec(digits);
    if (long) {
      [month, year] = [long[1], long[2]];
    } else {
      month = digits.slice(0, 2);
      year = digits.slice(2, 4);
      // A first digit of 2-9 can only be a one-digit month.
      if (/^[2-9]/.test(month)) [month, year] = [`0${digits[0]}`, digits.slice(1, 3)];
    }
  }
  return year ? `${month} / ${year}` : month;
}

export function parseExpiry(value: string): { month: number; year: number } | undefined {
  const m = /^(\d\d) \/ (\d\d)$/.exec(formatExpiry(value));
  return m ? { month: Number(m[1]), year: 2000 + Number(m[2]) } : undefined;
}

const monthIndex = (year: number, month: number) => year * 12 + month - 1;

export function checkNumber(value: string): FieldCheck {
  const digits = digitsOf(value);
  if (!digits) return { empty: true, valid: false, potential: true, code: 'incomplete_number' };
  const verdict = cardNumber(digits);
  if (verdict.isValid) return { empty: false, valid: true, potential: true };
  const short = digits.length < Math.min(...brandOf(digits).lengths);
  return {
    empty: false,
    valid: false,
    potential: verdict.isPotentiallyValid,
    code: verdict.isPotentiallyValid && short ? 'incomplete_number' : 'invalid_number',
  };
}

export function checkExpiry(value: string, now: Date = new Date()): FieldCheck {
  const digits = digitsOf(formatExpiry(value));
  if (!digits) return { empty: true, valid: false, potential: true, code: 'invalid_expiry' };
  const bad = (code: FieldErrorCode): FieldCheck => ({ empty: false, valid: false, potential: false, code });
  if (!/^[01]/.test(digits)) return bad('invalid_expiry');
  const month = Number(digits.slice(0, 2));
  if (digits.length >= 2 && (month < 1 || month > 12)) return bad('invalid_expiry');
  if (digits.length < 4) return { empty: false, valid: false, potential: true, code: 'invalid_expiry' };
  const year = 2000 + Number(digits.slice(2, 4));
  if (monthIndex(year, month) < monthIndex(now.getUTCFullYear(), now.getUTCMonth() + 1)) return bad('expired_card');
  if (year > now.getUTCFullYear() + MAX_YEARS_AHEAD) return bad('invalid_expiry');
  return { empty: false, valid: true, potential: true };
}

export function formatCvc(raw: string, sizes: number[]): string {
  return digitsOf(raw).slice(0, Math.max(...sizes));
}

export function checkCvc(value: string, sizes: number[]): FieldCheck {
  if (!value) return { empty: true, valid: false, potential: true, code: 'invalid_cvc' };
  const digits = /^\d+$/.test(value);
  const ok = digits && sizes.includes(value.length);
  return { empty: false, valid: ok, potential: digits && value.length <= Math.max(...sizes), ...(ok ? {} : { code: 'invalid_cvc' as const }) };
}

export function checkFields(fields: CardFields, now?: Date): Record<Exclude<FieldName, 'holder'>, FieldCheck> {
  return {
    number: checkNumber(fields.number),
    expiry: checkExpiry(fields.expiry, now),
    cvc: checkCvc(fields.cvc, brandOf(fields.number).cvcSizes),
  };
}

export interface Interaction {
  /** The customer has left the field at least once. */
  touched: boolean;
  /** The field has the focus now. */
  focused: boolean;
  /** The customer (or the page) tried to submit. */
  submitted: boolean;
  /** The value changed since the last submit. */
  edited?: boolean;
}

/**
 * The error to show, if any. Nothing is shown before the field is first left or the form is
 * submitted; while the customer is typing in it again, only a value that can no longer become
 * valid is flagged; an empty field is flagged only after a submit.
 */
export function visibleError(check: FieldCheck, at: Interaction): FieldErrorCode | undefined {
  if (check.valid) return undefined;
  if (check.empty) return at.submitted ? check.code : undefined;
  if (!at.touched && !at.submitted) return undefined;
  // A submit makes every value final, the focused one too, until the customer changes it again.
  if (at.focused && check.potential && (!at.submitted || at.edited)) return undefined;
  return check.code;
}

export interface SummaryInput {
  brand: string;
  /** Every required part is valid (fields, and the consent box when it is required). */
  complete: boolean;
  empty: boolean;
  error?: FieldErrorCode;
}

/** The `change` event: a verdict, the brand and an error's code and text, never the number. */
export function changeSummary(input: SummaryInput, message: (code: FieldErrorCode) => string): ChangeEvent {
  return {
    complete: input.complete,
    empty: input.empty,
    brand: input.brand,
    ...(input.error ? { error: { code: input.error, message: message(input.error) } } : {}),
  };
}
