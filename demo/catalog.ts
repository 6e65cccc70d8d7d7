// What the demo shop sells, under which name, and the agreements it offers its customers.
import crypto from 'node:crypto';

/**
 * The shop's name on its pages, and the merchant's name at the vault: the fields' consent and the
 * vault's messages to customers say it, so the two should be the same (npm start creates its merchant
 * under it; the shop's start says when its merchant has another, see merchant-name.ts).
 */
export const SHOP_NAME = 'Bean & Kettle';

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

/** An order number nobody can guess: the vault echoes it, and the shop looks its orders up by it. */
export function newOrderNumber(): string {
  return `ORD-${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
}
