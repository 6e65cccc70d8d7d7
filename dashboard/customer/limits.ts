// Spending limits as a person types them and as the API keeps them. The API counts limits in minor
// units across every currency the customer pays in, so the dashboard writes them with two decimals
// (1999 is "19.99"), the way the cents of most currencies are written.
import { readAmount } from '../amount-text.ts';

/** "19.99" for 1999; empty for no limit. */
export function limitText(minor: number | undefined): string {
  return minor === undefined ? '' : (minor / 100).toFixed(2);
}

/** What a typed limit sends: minor units, null for an empty field (no limit), or an error to show. */
export function parseLimit(text: string): { value: number | null } | { error: string } {
  if (text.trim() === '') return { value: null };
  const t = readAmount(text, 2);
  if (t === undefined) return { error: 'Enter an amount such as 250 or 250.00, or leave it empty for no limit.' };
  const [whole, cents = ''] = t.split('.');
  const value = Number(whole) * 100 + Number(cents.padEnd(2, '0'));
  if (!Number.isSafeInteger(value)) return { error: 'That amount is too large.' };
  if (value === 0) return { error: 'A limit must be more than 0; leave it empty for no limit.' };
  return { value };
}
