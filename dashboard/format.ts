// One way to write money, dates and card masks across the dashboard.
import { formatMinor } from '../protocol/money.ts';

/** Minor units as the currency writes them: 1999 EUR is "€19.99", 500 JPY is "¥500". */
export function money(amount: number, currency: string): string {
  try {
    return formatMinor(amount, currency, 'en');
  } catch {
    return `${amount} ${currency}`;
  }
}

/** "4 Dec 2026, 16:40" in the browser's time zone. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "4 Dec 2026" for a YYYY-MM-DD date. */
export function day(date: string | null | undefined): string {
  if (!date) return '—';
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? date : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

const BRANDS: Record<string, string> = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', 'american-express': 'American Express' };

/** "Visa •••• 4242, 12/30" */
export function cardLabel(c: { brand?: string | null; last4?: string | null; exp_month?: number | null; exp_year?: number | null } | null | undefined): string {
  if (!c) return '—';
  const brand = c.brand ? (BRANDS[c.brand] ?? c.brand.replace(/^./, (x) => x.toUpperCase())) : 'Card';
  const exp = c.exp_month && c.exp_year ? `, ${String(c.exp_month).padStart(2, '0')}/${String(c.exp_year).slice(-2)}` : '';
  return `${brand} •••• ${c.last4 ?? '????'}${exp}`;
}
