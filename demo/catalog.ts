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
  { id: 'espresso', name: 'Espresso beans 1 kg', description: 'Dark roast from a single farm in Huila, Colombia. Chocolate, cherry, a long finish.', amount: 1999, currency: 'USD' },
  { id: 'kettle', name: 'Pour-over kettle', description: 'A 1-litre gooseneck kettle in brushed steel, for a slow and even pour.', amount: 4900, currency: 'USD' },
  { id: 'grinder', name: 'Hand grinder', description: 'Conical steel burrs and 40 click settings, from espresso to French press.', amount: 8950, currency: 'USD' },
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

export function formatExpiry(card: { exp_month: number; exp_year: number }): string {
  return `${String(card.exp_month).padStart(2, '0')}/${card.exp_year}`;
}
