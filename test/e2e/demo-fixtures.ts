// Customers of the demo shop made through the vault's API as the fields would make them (saved cards,
// the coffee club, automatic payments, an invoice), for the demo's browser tests and the screenshots.
import type { BrowserContext } from 'playwright-core';
import { AUTOPAY, SUBSCRIPTION } from '../../demo/catalog.ts';
import { daysAfter, oneYearAfter } from '../../demo/format.ts';
import type { Stack } from './harness.ts';

/** The vault's API with the test merchant's secret key; a refusal throws with the vault's answer. */
export async function vaultApi<T>(stack: Stack, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.vaultUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.merchant.secret_key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json as T;
}

/** Opens a session and confirms it with a new card and the customer's tick, as the vault's iframe does. */
async function confirmNewCard(stack: Stack, session: Record<string, unknown>, number: string): Promise<void> {
  const { client_secret } = await vaultApi<{ client_secret: string }>(stack, 'POST', '/v1/sessions', session);
  const res = await fetch(`${stack.vaultUrl}/frame/v1/confirm`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${client_secret}`,
      origin: stack.vaultUrl,
      'checkout-host-origin': stack.shopUrl,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ card: { number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: '123' }, save: true }),
  });
  if (!res.ok) throw new Error(`confirming a card answered ${res.status}: ${await res.text()}`);
}

/** A card saved while paying 1.00: it is offered for one-click payments from then on. */
export function saveCard(stack: Stack, customer: string, number: string): Promise<void> {
  return confirmNewCard(stack, { amount: 100, currency: 'USD', customer }, number);
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
