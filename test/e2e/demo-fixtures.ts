// Customers of the demo shop made through the vault's API as the fields would make them (saved cards,
// the coffee club, automatic payments, an invoice), for the browser tests and the screenshots; a test
// with a merchant of its own (the fields' axe suite) passes its keys and page origin.
import type { BrowserContext } from 'playwright-core';
import { AUTOPAY, SUBSCRIPTION } from '../../demo/catalog.ts';
import { daysAfter, oneYearAfter } from '../../demo/format.ts';
import type { Stack } from './harness.ts';

/**
 * The merchant a fixture acts for and the page its fields would sit on: the stack's own shop, unless a
 * test made a merchant of its own.
 */
export interface FixtureShop {
  secretKey: string;
  origin: string;
}

const stackShop = (stack: Stack): FixtureShop => ({ secretKey: stack.merchant.secret_key, origin: stack.shopUrl });

/** The vault's API with the merchant's secret key (the test merchant's by default); a refusal throws with the vault's answer. */
export async function vaultApi<T>(stack: Stack, method: string, path: string, body?: unknown, shop: FixtureShop = stackShop(stack)): Promise<T> {
  const res = await fetch(`${stack.vaultUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${shop.secretKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json as T;
}

/** Opens a session and confirms it with a new card and the customer's tick, as the vault's iframe does. */
async function confirmNewCard(stack: Stack, session: Record<string, unknown>, number: string, shop: FixtureShop = stackShop(stack)): Promise<void> {
  const { client_secret } = await vaultApi<{ client_secret: string }>(stack, 'POST', '/v1/sessions', session, shop);
  const res = await fetch(`${stack.vaultUrl}/frame/v1/confirm`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${client_secret}`,
      origin: stack.vaultUrl,
      'checkout-host-origin': shop.origin,
      'content-type': 'application/json',
    },
    // American Express cards have a four-digit security code.
    body: JSON.stringify({
      card: { number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: /^3[47]/.test(number) ? '1234' : '123' },
      save: true,
    }),
  });
  const json = (await res.json()) as { status?: string };
  if (!res.ok || json.status !== 'succeeded') throw new Error(`confirming a card answered ${res.status}: ${JSON.stringify(json)}`);
}

/** A card saved while paying 1.00: it is offered for one-click payments from then on. */
export function saveCard(stack: Stack, customer: string, number: string, shop?: FixtureShop): Promise<void> {
  return confirmNewCard(stack, { amount: 100, currency: 'USD', customer }, number, shop);
}

/** The coffee club, paid today with a new card, as /subscribe opens it; answers the agreement's end date, for a test to expect. */
export async function joinCoffeeClub(stack: Stack, customer: string, number: string): Promise<string> {
  const { amount, currency, frequencyDays } = SUBSCRIPTION;
  const recurring = { min_amount: amount, max_amount: amount, frequency_days: frequencyDays, end_date: oneYearAfter(new Date()) };
  await confirmNewCard(stack, { amount, currency, customer, recurring }, number);
  return recurring.end_date;
}

/** Automatic payments of invoices, as /autopay opens them: nothing charged, the card verified; answers the end date. */
export async function agreeToAutopay(stack: Stack, customer: string, number: string): Promise<string> {
  const recurring = { min_amount: AUTOPAY.minAmount, max_amount: AUTOPAY.maxAmount, frequency_days: 0, end_date: oneYearAfter(new Date()) };
  await confirmNewCard(stack, { mode: 'setup', currency: AUTOPAY.currency, customer, recurring }, number);
  return recurring.end_date;
}

/** An auto-pay invoice due in 2 days, as the back office creates it. */
export function createInvoice(stack: Stack, customer: string, amount: number, description: string): Promise<{ id: string; due_date: string }> {
  const body = { customer, amount, currency: 'USD', due_date: daysAfter(new Date(), 2), description, auto_pay: true };
  return vaultApi(stack, 'POST', '/v1/invoices', body);
}

/** The demo's sign-in is a customer number in a cookie: set it as the sign-in form would. */
export async function signInAs(stack: Stack, context: BrowserContext, customer: string): Promise<void> {
  await context.addCookies([{ name: 'shop_customer', value: customer, url: stack.shopUrl, httpOnly: true, sameSite: 'Lax' }]);
}
