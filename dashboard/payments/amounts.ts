// Amounts typed by a person in major units ("12.50") turned into the minor units the API takes, with
// the currency's own number of decimals (none for JPY), and back again for a form's starting value.
import { readAmount } from '../amount-text.ts';
import { minorUnitDigits } from '../../protocol/money.ts';

/** How many decimals the currency's minor unit is: 2 for EUR, USD and HUF, 0 for JPY, 3 for KWD. */
export const minorDigits = minorUnitDigits;

/** "12.50" (or "12,50") → 1250 in EUR; undefined for anything that is not a positive amount with at most the currency's decimals. */
export function toMinor(text: string, currency: string): number | undefined {
  const digits = minorDigits(currency);
  const s = readAmount(text, digits);
  if (s === undefined) return undefined;
  const [whole, fraction = ''] = s.split('.');
  // Built from the digits, not by multiplying a float: 0.29 * 100 is 28.999999999999996.
  const minor = Number(whole || '0') * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return minor > 0 && Number.isSafeInteger(minor) ? minor : undefined;
}

/** 1250 in EUR → "12.50", the text a person would type. */
export function toMajorText(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}
