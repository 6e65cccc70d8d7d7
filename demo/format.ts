// How the shop writes money and dates, and reads amounts from its forms: one format each, in US
// English as the pages and the fields' English are written ("$15.00", "December 3, 2027"), and in
// UTC, the clock the vault counts days by. Every page goes through here.

import { formatMinor } from '../protocol/money.ts';

const LOCALE = 'en-US';

/** Minor units in their currency: 1500 USD → "$15.00", 1500 JPY → "¥1,500", 150000 HUF → "HUF 1,500". */
export function formatMoney(amount: number, currency: string): string {
  return formatMinor(amount, currency, LOCALE);
}

/** "$1.00 to $100.00", or one amount when both ends are the same. */
export function formatMoneyRange(min: number, max: number, currency: string): string {
  return min === max ? formatMoney(max, currency) : `${formatMoney(min, currency)} to ${formatMoney(max, currency)}`;
}

/** "25.00" or "25" (major units, two decimals at most) to minor units; undefined when it is no amount. */
export function parseMoney(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$/.exec(value);
  if (!m) return undefined;
  const minor = Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  return minor > 0 ? minor : undefined;
}

/** Minor units as the value of an amount input (the forms take USD): 1500 → "15.00". */
export function moneyInput(amount: number): string {
  return (amount / 100).toFixed(2);
}

const DATE = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'long', timeZone: 'UTC' });
const TIME = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });

/** A `YYYY-MM-DD` date (or the day of an ISO time): "December 3, 2027". */
export function formatDate(isoDate: string): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? isoDate : DATE.format(d);
}

/** An ISO time: "Dec 3, 2027, 2:05:09 PM UTC". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${TIME.format(d)} UTC`;
}

/** `YYYY-MM-DD` (UTC) `days` days after `now`: the vault counts dates in UTC too. */
export function daysAfter(now: Date, days: number): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** An agreement ends one year after it starts: `YYYY-MM-DD` in UTC. */
export function oneYearAfter(now: Date): string {
  const end = new Date(now.getTime());
  end.setUTCFullYear(end.getUTCFullYear() + 1);
  return end.toISOString().slice(0, 10);
}
