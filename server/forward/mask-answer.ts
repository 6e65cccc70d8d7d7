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
 * The answer to a request that carried the CVC, with every occurrence of the CVC's digits masked,
 * inside longer runs of digits too. The merchant writes the template and reads the answer, and a
 * destination may echo a field it was sent (Lemonway's RegisterCard echoes `cardDate`, where a template
 * could put `{{card.exp_month}}/0{{card.cvc}}`), so the CVC must not come back, nor be kept on the
 * session. Three or four digits recur in honest answers as well: those are masked too, the price of
 * never showing it.
 */
export function maskCvc(text: string, cvc: string): string {
  return /^\d{3,4}$/.test(cvc) ? text.split(cvc).join('•'.repeat(cvc.length)) : text;
}

/** Headers a merchant may read back: what the body is, when it was sent, and the provider's request id for support. */
const SAFE_HEADER = /^(content-type|date|(x-)?(request|correlation|trace)-id|x-amzn-requestid)$/i;
const MAX_HEADER_VALUE = 256;

export function safeHeaders(headers: Headers): Record<string, string> {
  const safe: Record<string, string> = {};
  headers.forEach((value, name) => {
    // Masked before it is cut: a cut could leave part of a number too short to be recognised.
    if (SAFE_HEADER.test(name)) safe[name.toLowerCase()] = maskCardNumbers(value).slice(0, MAX_HEADER_VALUE);
  });
  return safe;
}
