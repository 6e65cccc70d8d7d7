// Card facts both sides agree on: the brand names of the contract and how to mask a card.

export type CardBrand =
  | 'visa'
  | 'mastercard'
  | 'amex'
  | 'discover'
  | 'diners'
  | 'jcb'
  | 'unionpay'
  | 'maestro'
  | 'mir'
  | 'elo'
  | 'hiper'
  | 'hipercard'
  | 'unknown';

const FROM_VALIDATOR: Record<string, CardBrand> = {
  visa: 'visa',
  mastercard: 'mastercard',
  'american-express': 'amex',
  discover: 'discover',
  'diners-club': 'diners',
  jcb: 'jcb',
  unionpay: 'unionpay',
  maestro: 'maestro',
  mir: 'mir',
  elo: 'elo',
  hiper: 'hiper',
  hipercard: 'hipercard',
};

/** Maps card-validator's type names to the contract's brand names. */
export function brandFromValidator(type: string | undefined): CardBrand {
  return (type && FROM_VALIDATOR[type]) || 'unknown';
}

/** A card as the customer may see it: never more than the first six and the last four digits. */
export interface MaskedCard {
  token?: string;
  brand: CardBrand | string;
  last4: string;
  exp_month: number;
  exp_year: number;
}

/** The leading digits that may be shown: six for 15+ digit numbers, fewer for short ones, so that at least five stay hidden. */
export function maskedBin(number: string): string {
  return number.slice(0, Math.max(0, Math.min(6, number.length - 9)));
}

export function maskNumber(bin: string, last4: string): string {
  return `${bin}••••••${last4}`;
}

/**
 * A run of digits in which any single separator may stand between two digits: a space, dash, dot,
 * underscore, slash or any other character that is neither a letter nor a digit. The filters and the
 * log scrubber share it, so `4242.4242.4242.4242` is a card number to both. Letters break a run, so an
 * ISO time (`2026-11-24T05:47:32Z`) never joins its date and its clock into one.
 */
export const DIGIT_RUN_SEPARATOR = '[^0-9A-Za-z]';
/** Twelve or more digits split that way: what the log scrubber and customer messages redact, a PAN glued to other digits included. */
export const PAN_RUN_SOURCE = `\\d(?:${DIGIT_RUN_SEPARATOR}?\\d){11,}`;
const CARD_RUN = new RegExp(`\\d(?:${DIGIT_RUN_SEPARATOR}?\\d){12,}`, 'g');

/** True when the text holds 13-19 digits, single separators allowed between them, that card-validator accepts as a card number. */
export function containsCardNumber(text: string, isValidNumber: (digits: string) => boolean): boolean {
  for (const run of text.match(CARD_RUN) ?? []) {
    const digits = run.replace(/\D/g, '');
    for (let len = 19; len >= 13; len--) {
      for (let i = 0; i + len <= digits.length; i++) if (isValidNumber(digits.slice(i, i + len))) return true;
    }
  }
  return false;
}

/** Four groups of four (and up to three more digits), or Amex's 4-6-5, with one separator throughout. */
const GROUPED = /(?<![0-9A-Za-z])\d{4}([ ._/-])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?(?![0-9A-Za-z])|(?<![0-9A-Za-z])\d{4}([ ._/-])\d{6}\2\d{4,5}(?![0-9A-Za-z])/g;

/**
 * A card number as people write one: 13-19 digits in a row (inside a longer row too) or grouped the
 * usual ways, that `isValidNumber` accepts. Narrower than containsCardNumber, for a value where random
 * identifiers and time stamps are common and a disguised number is not (an Idempotency-Key: a UUID's
 * groups of 4 and 12 hex digits are never taken for one here, and with card-validator's brands a
 * millisecond time stamp is not either, where Luhn alone would take one in ten).
 */
export function writtenCardNumber(text: string, isValidNumber: (digits: string) => boolean): boolean {
  const runs = [...(text.match(/\d{13,}/g) ?? []), ...(text.match(GROUPED) ?? []).map((g) => g.replace(/\D/g, ''))];
  for (const digits of runs) {
    for (let len = Math.min(19, digits.length); len >= 13; len--) {
      for (let i = 0; i + len <= digits.length; i++) if (isValidNumber(digits.slice(i, i + len))) return true;
    }
  }
  return false;
}

/**
 * The Luhn checksum alone, whatever the brand: what the contract's filters call a card number, so that
 * a number of a brand card-validator does not know (RuPay, UATP, a new range) is refused all the same.
 */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
