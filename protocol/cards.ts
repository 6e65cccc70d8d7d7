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

/** A UUID as written (8-4-4-4-12 hex digits) not glued to more hex: the SDK's keys, random, and opaque to the rule below. */
const UUID = /(?<![0-9A-Fa-f])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f])/g;
/** Groups of digits joined by separators (any run of characters that are neither letters nor digits: `4242:4242 - 4242-4242`); letters end it. */
const DIGIT_GROUPS = /\d+(?:[^0-9A-Za-z]+\d+)*/g;
/** Amex's 4-6-5 and Diners' 4-6-4: the groupings with a group longer than SMALL_GROUP. */
const LAYOUTS = new Set(['4-6-5', '4-6-4']);
/**
 * Groups this short, 13 to 19 digits of them together (`4242-4242-…`, `424-242-424-242-4242`, `42-42-…`,
 * `4-2-4-2-…`): how a person or a formatter writes a number, and no honest id is written so.
 */
const SMALL_GROUP = 4;

/**
 * A card number in a value where random identifiers and time stamps are common (an Idempotency-Key), of a
 * brand `isValidNumber` knows: 13-19 digits in a row (inside a longer row too), or groups of digits in one of
 * the usual layouts (groups of one to four digits, Amex's 4-6-5, Diners' 4-6-4), whatever separates them
 * (`4242:4242:4242:4242`, `4242 - 4242 4242`, `4242%204242…` percent-encoded). Narrower than
 * containsCardNumber, to keep honest keys out: a UUID, the SDK's key, is opaque (its digit groups joined
 * by its dashes would hold a number in one random UUID in 1,500), and groups in other layouts are not
 * joined: two numeric ids of 8 digits (`12345678-87654321`), or 4 and 12, hold a valid number one time in
 * 17, and an order number before a Unix time one time in 45. The price: a number written 8-8, 4-12 or in
 * a UUID's shape is not seen. Honest keys made of short groups are refused now and then: four groups of
 * four digits and one of three (`inv-6233-1750-3514-778`) one time in 20, a version with a build
 * (`5.88.146-1372-8588`) one in 50, a US date and time one in 1,000.
 */
export function writtenCardNumber(text: string, isValidNumber: (digits: string) => boolean): boolean {
  // Percent-encoded digits are digits (`%34%32…`); any other encoded character separates.
  const decoded = text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => (/^3[0-9]$/.test(hex) ? hex[1] : ' '));
  for (const run of decoded.replace(UUID, 'u').match(DIGIT_GROUPS) ?? []) {
    const groups = run.split(/\D+/);
    for (const digits of groups) {
      for (let len = Math.min(19, digits.length); len >= 13; len--) {
        for (let i = 0; i + len <= digits.length; i++) if (isValidNumber(digits.slice(i, i + len))) return true;
      }
    }
    for (let first = 0; first < groups.length - 1; first++) {
      let layout = String(groups[first].length);
      let digits = groups[first];
      let small = digits.length <= SMALL_GROUP;
      for (let next = first + 1; next < groups.length && digits.length < 19; next++) {
        layout += `-${groups[next].length}`;
        digits += groups[next];
        small &&= groups[next].length <= SMALL_GROUP;
        const smallRun = small && digits.length >= 13;
        if ((LAYOUTS.has(layout) || smallRun) && isValidNumber(digits)) return true;
      }
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
