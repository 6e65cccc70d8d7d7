// What the demo shop sells, and how it writes money, dates and cards for people.
import crypto from 'node:crypto';

export interface Product {
  id: string;
  name: string;
  description: string;
  amount: number;
  currency: string;
}

export const PRODUCTS: readonly Product[] = [
  {
    id: 'espresso',
    name: 'Espresso beans 1 kg',
    description: 'Dark roast from a single farm in Huila, Colombia. Chocolate, cherry, a long finish.',
    amount: 1999,
    currency: 'USD',
  },
  {
    id: 'kettle',
    name: 'Pour-over kettle',
    description: 'A 1-litre gooseneck kettle in brushed steel, for a slow and even pour.',
    amount: 4900,
    currency: 'USD',
  },
  {
    id: 'grinder',
    name: 'Hand grinder',
    description: 'Conical steel burrs and 40 click settings, from espresso to French press.',
    amount: 8950,
    currency: 'USD',
  },
];

export function findProduct(id: string | undefined): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}

export const SUBSCRIPTION = {
  name: 'Coffee club',
  description: 'A fresh 500 g bag of the roaster’s choice, delivered every month.',
  amount: 1500,
  currency: 'USD',
  frequencyDays: 30,
} as const;

/**
 * The card-on-file agreement for automatic payment of invoices: the customer allows the shop to
 * charge the saved card whenever an invoice is due (frequency_days 0), within these amounts, for a year.
 */
export const AUTOPAY = {
  name: 'Automatic payments',
  description: 'Invoices (deliveries, extras) are paid from your saved card when they fall due, and you are told each time.',
  minAmount: 100,
  maxAmount: 10000,
  currency: 'USD',
} as const;

/** Amounts are minor units; every currency this shop sells in has two decimals. */
export function formatMoney(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}

/** The subscription agreement ends one year after it starts: `YYYY-MM-DD` in UTC. */
export function oneYearAfter(now: Date): string {
  const end = new Date(now.getTime());
  end.setUTCFullYear(end.getUTCFullYear() + 1);
  return end.toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` (UTC) `days` days after `now`: the vault counts dates in UTC too. */
export function daysAfter(now: Date, days: number): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** "25.00" or "25" (major units, two decimals at most) to minor units; undefined when it is no amount. */
export function parseMoney(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$/.exec(value);
  if (!m) return undefined;
  const minor = Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  return minor > 0 ? minor : undefined;
}

/** Minor units as the value of an amount input: 1500 → "15.00". */
export function moneyInput(amount: number): string {
  return (amount / 100).toFixed(2);
}

export function formatDate(isoDate: string): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? isoDate : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** An order number nobody can guess: the vault echoes it, and the shop looks its orders up by it. */
export function newOrderNumber(): string {
  return `ORD-${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
}

const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  maestro: 'Maestro',
  mir: 'Mir',
};

export function brandName(brand: string): string {
  return BRANDS[brand] ?? (brand === 'unknown' || !brand ? 'Card' : brand.charAt(0).toUpperCase() + brand.slice(1));
}

const SHORT: Record<string, string> = { visa: 'VISA', mastercard: 'MC', amex: 'AMEX', discover: 'DISC', jcb: 'JCB', unionpay: 'UP', mir: 'MIR' };

/** The few letters on the little card icon of a saved card. */
export function brandShort(brand: string): string {
  return SHORT[brand] ?? 'CARD';
}

/** `Visa •••• 4242`: the only way this shop ever writes a card. */
export function maskedCard(card: { brand: string; last4: string }): string {
  return `${brandName(card.brand)} •••• ${card.last4}`;
}

/** An ISO time as people read it, in UTC: "3 May 2025, 14:05 UTC". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const when = d.toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: 'UTC',
  });
  return `${when} UTC`;
}

export function formatExpiry(card: { exp_month: number; exp_year: number }): string {
  return `${String(card.exp_month).padStart(2, '0')}/${card.exp_year}`;
}
