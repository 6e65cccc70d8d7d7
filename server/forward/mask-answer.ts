// What of a destination's answer may reach the merchant: its text with every card number masked, and a
// short list of harmless headers. A provider may echo the number it was sent (or a merchant may build a
// body that makes it do so): any run of 13-19 digits that passes Luhn, whatever single characters
// separate them, is masked, and so is a longer run that hides one, so that a digit added before or
// after the number does not let it through.
import { containsCardNumber, DIGIT_RUN_SEPARATOR, maskedBin, maskNumber, passesLuhn } from '../../protocol/cards.ts';

/** The same runs the contract's filters look at: digits with at most one separator between two of them. */
const RUN = new RegExp(`\\d(?:${DIGIT_RUN_SEPARATOR}?\\d){12,}`, 'g');

export function maskCardNumbers(text: string): string {
  return text.replace(RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    // A card number on its own shows what a receipt shows: the first six and the last four.
    if (digits.length <= 19 && passesLuhn(digits)) return maskNumber(maskedBin(digits), digits.slice(-4));
    // One hidden in a longer run shows nothing: its ends are not the card's.
    return containsCardNumber(run, passesLuhn) ? run.replace(/\d/g, '•') : run;
  });
}

/**
 * What the merchant may see of the answer to a request that carried the CVC: only the fields the
 * operator named for the destination (`--cvc-answer`), as JSON, card numbers masked; null (withheld) when
 * it named none or the answer is not JSON. The merchant writes the request and reads the answer, and a
 * destination may echo what it was sent: Lemonway answers `cardDate` as `EXP`, where a template could put
 * `{{card.exp_month}}/0{{card.cvc}}`, and a provider that echoes a reference or a description hands back
 * any text the merchant chose. No mask of the CVC helps there: masking its digits would itself name them
 * (a reference listing every three-digit number comes back with one masked), and so would masking them in
 * a field the merchant already knows (the masked number's BIN and last four, a card id), and a provider
 * that reformats a number (583 as 5.83) defeats any mask. Fields the provider writes itself (an id, a
 * status, a masked number) carry none of that, and are shown as they are; each is a single value (an
 * object or a list named is left out, as it may hold fields that echo).
 */
export function answerAfterCvc(body: string, fields: readonly string[]): string | null {
  if (fields.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  // Prototype-less, so that a field named __proto__ is a field like any other.
  const kept: Record<string, unknown> = Object.create(null);
  for (const field of fields) {
    const path = field.split('.');
    let value: unknown = parsed;
    for (const key of path) value = isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    // A single value only: an object or a list may hold fields the provider echoes, which nobody named.
    if (value === undefined || (typeof value === 'object' && value !== null)) continue;
    let into = kept;
    for (const key of path.slice(0, -1)) {
      if (!isRecord(into[key])) into[key] = Object.create(null);
      into = into[key] as Record<string, unknown>;
    }
    into[path.at(-1)!] = value;
  }
  return maskCardNumbers(JSON.stringify(kept));
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Headers a merchant may read back: what the body is, when it was sent, and the provider's request id for support. */
const SAFE_HEADER = /^(content-type|date|(x-)?(request|correlation|trace)-id|x-amzn-requestid)$/i;
const MAX_HEADER_VALUE = 256;

export function safeHeaders(headers: Headers, hide: (text: string) => string = (text) => text): Record<string, string> {
  const safe: Record<string, string> = {};
  headers.forEach((value, name) => {
    // Masked before it is cut: a cut could leave part of a number too short to be recognised.
    if (SAFE_HEADER.test(name)) safe[name.toLowerCase()] = maskCardNumbers(hide(value)).slice(0, MAX_HEADER_VALUE);
  });
  return safe;
}

/** Shorter words of a registered value are not hidden alone: a scheme (`Bearer`), a language, a flag. */
const MIN_HIDDEN = 8;
/** Registered headers that say what the request is, not who sends it: their values are everyday words. */
const DESCRIPTIVE = /^(accept(-[a-z]+)?|content-type|user-agent)$/i;
const HIDDEN = '[registered header]';

/**
 * Hides the destination's registered header values in its answer. They are the operator's credentials,
 * which the merchant never sees (destination-store.ts), but the merchant writes the request and reads
 * the answer: a provider's error that quotes the credential it refused ("invalid token Bearer …"), or
 * an endpoint under the registered URL that echoes a request's headers, would hand it over. Each value
 * whole and each word of it (the token after `Bearer`, a Basic pair decoded), as written, URL-encoded
 * and JSON-escaped.
 */
export function registeredValueHider(registered: Record<string, string>): (text: string) => string {
  const hidden = new Set<string>();
  for (const [name, value] of Object.entries(registered)) {
    // An answer says `application/json` whatever the merchant may read of it.
    if (DESCRIPTIVE.test(name)) continue;
    const words = value.split(/\s+/);
    if (words.length === 2 && /^basic$/i.test(words[0])) {
      const pair = Buffer.from(words[1], 'base64').toString('utf8');
      words.push(pair, ...pair.split(':'));
    }
    for (const word of [value, ...words]) {
      if (word.length < MIN_HIDDEN) continue;
      for (const form of [word, encodeURIComponent(word), JSON.stringify(word).slice(1, -1)]) hidden.add(form);
    }
  }
  // Longest first, so that a word never leaves the rest of the value it stands in.
  const longestFirst = [...hidden].sort((a, b) => b.length - a.length);
  return (text) => longestFirst.reduce((t, secret) => t.split(secret).join(HIDDEN), text);
}
