// The dashboard's payments pages in Chromium, on data made through the real API: an admin filters the
// charges, refunds part of one, creates an invoice and redelivers a webhook that a local receiver gets
// again; a viewer sees every change disabled and is refused one sent anyway; axe-core finds nothing
// serious and nothing scrolls sideways at 375 px.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { daysAfter } from '../../demo/format.ts';
import { agreeToAutopay, joinCoffeeClub, vaultApi } from './demo-fixtures.ts';
import { graveViolations, scrollsSideways, staffPage } from './dashboard-browser.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

const VISA = '4242 4242 4242 4242';
const DECLINES_LATER = '4000 0000 0000 0341';

let stack: Stack;
let receiver: http.Server;
/** The event ids the local webhook receiver was sent, one entry per delivery. */
const received: string[] = [];
const contexts: BrowserContext[] = [];
const run = Date.now().toString(36);
const paid = `pay-ok-${run}`;
const declined = `pay-no-${run}`;
let paidCharge: string;
let declinedCharge: string;

interface Charge {
  id: string;
  customer: string;
  amount_refunded: number;
}

/** A merchant-initiated charge under the customer's mandate, as the merchant's server makes one; a decline answers 402 with the charge's id. */
async function chargeSavedCard(customer: string, amount: number): Promise<{ status: number; charge: string }> {
  const cards = await vaultApi<{ data: { token: string }[] }>(stack, 'GET', `/v1/customers/${customer}/cards`);
  const mandates = await vaultApi<{ data: { id: string }[] }>(stack, 'GET', `/v1/customers/${customer}/mandates`);
  const res = await fetch(`${stack.vaultUrl}/v1/charges`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.merchant.secret_key}`, 'content-type': 'application/json', 'idempotency-key': `charge-${customer}` },
    body: JSON.stringify({ customer, card: cards.data[0].token, amount, currency: 'USD', mandate: mandates.data[0].id }),
  });
  const json = (await res.json()) as { id?: string; error?: { charge?: string } };
  return { status: res.status, charge: json.id ?? json.error?.charge ?? '' };
}

async function open(role: 'admin' | 'viewer', path: string, viewport?: { width: number; height: number }): Promise<Page> {
  const { page, context } = await staffPage(stack, { role, viewport });
  contexts.push(context);
  await page.goto(`${stack.vaultUrl}/dashboard${path}`);
  return page;
}

const rowOf = (page: Page, text: string) => page.locator('tbody tr', { hasText: text });

/** Waits until nothing on the page is still loading. */
async function settled(page: Page): Promise<void> {
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Loading…' }).count()).toBe(0);
}

describeInBrowser('the dashboard payments pages (Chromium)', () => {
  beforeAll(async () => {
    stack = await startStack();
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push((JSON.parse(body) as { id: string }).id);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    await vaultApi(stack, 'POST', '/v1/merchant', { webhook_url: url });

    await joinCoffeeClub(stack, paid, VISA);
    const charges = await vaultApi<{ data: Charge[] }>(stack, 'GET', `/v1/charges?customer=${paid}`);
    paidCharge = charges.data[0].id;
    await agreeToAutopay(stack, declined, DECLINES_LATER);
    const refused = await chargeSavedCard(declined, 500);
    expect(refused.status).toBe(402);
    declinedCharge = refused.charge;
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await stack?.close();
  });

  it('filters the charges by status and initiator, keeping the filters in the address', async () => {
    const page = await open('admin', '/charges');
    await rowOf(page, paid).waitFor();
    expect(await rowOf(page, declined).count()).toBe(1);
    expect(await graveViolations(page)).toEqual([]);

    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=failed/);
    await expect.poll(() => rowOf(page, paid).count()).toBe(0);
    expect(await rowOf(page, declined).textContent()).toContain('failed');

    await page.goto(`${stack.vaultUrl}/dashboard/charges?initiator=customer`);
    await rowOf(page, paid).waitFor();
    expect(await rowOf(page, declined).count()).toBe(0);
    expect(await page.getByLabel('Initiated by').inputValue()).toBe('customer');

    // Dates are whole days in UTC, "To" included: today's charges are up to today, none from tomorrow on.
    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${stack.vaultUrl}/dashboard/charges?from=${today}&to=${today}`);
    await rowOf(page, paid).waitFor();
    await page.getByLabel('From', { exact: true }).fill(daysAfter(new Date(), 1));
    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.getByText('No charges match these filters.').count()).toBe(1);
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await rowOf(page, declined).waitFor();
  });

  it('opens a charge from the list and refunds part of it, which the API then shows', async () => {
    const page = await open('admin', `/charges?customer=${paid}`);
    // A policy refusal (CSP) or a script error shows in the console.
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    const row = rowOf(page, paid).first();
    expect(await row.textContent()).toContain('Visa •••• 4242');
    // The first link of a row is its date, which opens the charge (the second is the customer).
    await row.getByRole('link').first().click();
    await page.waitForURL(new RegExp(`/dashboard/charges/${paidCharge}$`));
    const facts = page.locator('dl.facts');
    await facts.waitFor();
    expect(await facts.textContent()).toMatch(/Amount\s*\$15\.00/);
    expect(await facts.textContent()).toContain('Visa •••• 4242');
    await expect.poll(() => page.getByText('No refunds.').count()).toBe(1);

    await page.getByRole('button', { name: 'Refund' }).click();
    const dialog = page.getByRole('dialog', { name: 'Refund this charge' });
    expect(await dialog.textContent()).toContain('At most $15.00 can be refunded.');
    expect(await graveViolations(page)).toEqual([]);
    await dialog.getByLabel('Part of it').check();
    await dialog.getByLabel('Amount to refund (USD)').fill('20');
    await dialog.getByRole('button', { name: 'Refund' }).click();
    expect(await dialog.getByRole('alert').textContent()).toBe('At most $15.00 can be refunded.');
    await dialog.getByLabel('Amount to refund (USD)').fill('5.25');
    await dialog.getByRole('button', { name: 'Refund' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Refunded $5.25 (succeeded).');
    expect(await dialog.isVisible()).toBe(false);

    const after = await vaultApi<Charge>(stack, 'GET', `/v1/charges/${paidCharge}`);
    expect(after.amount_refunded).toBe(525);
    await expect.poll(() => facts.textContent()).toMatch(/Refunded\s*\$5\.25/);
    await expect.poll(() => rowOf(page, '$5.25').count()).toBe(1);
    await page.getByRole('button', { name: 'Refund' }).click();
    expect(await dialog.textContent()).toContain('At most $9.75 can be refunded.');
    expect(await graveViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('shows a declined charge with its codes', async () => {
    const page = await open('admin', `/charges/${declinedCharge}`);
    const facts = page.locator('dl.facts');
    await facts.waitFor();
    const text = await facts.textContent();
    expect(text).toMatch(/Failure code\s*card_declined/);
    expect(text).toMatch(/Initiated by\s*merchant/);
    expect(await page.getByRole('button', { name: 'Refund' }).count()).toBe(0);
  });

  it('creates an invoice from the form, listed with its attempts', async () => {
    const page = await open('admin', '/invoices');
    await page.getByLabel('Customer number').fill(paid);
    await page.getByLabel('Amount').fill('12.34');
    await page.getByLabel('Due date').fill(daysAfter(new Date(), 5));
    await page.getByLabel('Description (optional)').fill(`Delivery ${run}`);
    // Paid automatically needs an agreement this customer never gave: said before anything is created.
    await page.getByRole('button', { name: 'Create invoice' }).click();
    await expect.poll(() => page.locator('form p.error').textContent()).toContain(`No active agreement (mandate) of ${paid} covers $12.34`);
    expect((await vaultApi<{ data: unknown[] }>(stack, 'GET', `/v1/invoices?customer=${paid}`)).data).toEqual([]);
    await page.getByLabel(/Pay automatically/).uncheck();
    await page.getByRole('button', { name: 'Create invoice' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toContain(`created for ${paid}: $12.34`);
    const invoices = await vaultApi<{ data: { amount: number; currency: string; description: string; status: string; auto_pay: boolean }[] }>(
      stack,
      'GET',
      `/v1/invoices?customer=${paid}`,
    );
    expect(invoices.data).toHaveLength(1);
    expect(invoices.data[0]).toMatchObject({ amount: 1234, currency: 'USD', description: `Delivery ${run}`, status: 'open', auto_pay: false });
    const row = rowOf(page, `Delivery ${run}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('$12.34');
    await row.getByRole('button', { name: 'Charges' }).click();
    await expect.poll(() => page.getByText('No charge has been tried yet.').count()).toBe(1);
    expect(await graveViolations(page)).toEqual([]);
  });

  it('redelivers a webhook: the receiver gets it again and the new attempt is listed', async () => {
    const page = await open('admin', '/events');
    await page.getByLabel('Type').selectOption('charge.failed');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/type=charge\.failed/);
    const row = page.locator('tbody tr', { hasText: 'charge.failed' }).first();
    await row.getByRole('button', { name: /Details/ }).click();
    const details = page.locator('.event-details');
    await expect.poll(() => details.locator('pre').textContent()).toContain(`"customer": "${declined}"`);
    const eventId = (await row.locator('td').nth(2).textContent()) ?? '';
    const before = received.filter((id) => id === eventId).length;
    const attemptsBefore = await details.locator('tbody tr').count();
    await details.getByRole('button', { name: 'Redeliver' }).click();
    // The vault's own worker may deliver it at the same moment: at least one more, never fewer.
    await expect.poll(() => received.filter((id) => id === eventId).length).toBeGreaterThan(before);
    await expect.poll(() => details.locator('tbody tr').count()).toBeGreaterThan(attemptsBefore);
    expect(await details.locator('tbody tr').first().textContent()).toContain('200');
    expect(await graveViolations(page)).toEqual([]);
  });

  it('shows a viewer every change disabled, and refuses a refund the viewer sends anyway', async () => {
    const page = await open('viewer', `/charges/${paidCharge}`);
    const refund = page.getByRole('button', { name: 'Refund' });
    await refund.waitFor();
    expect(await refund.isDisabled()).toBe(true);
    expect(await graveViolations(page)).toEqual([]);
    const answer = await page.evaluate(async (id) => {
      const me = (await (await fetch('/dashboard/api/me')).json()) as { csrf_token: string };
      const res = await fetch(`/dashboard/api/v1/charges/${id}/refunds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token, 'idempotency-key': crypto.randomUUID() },
        body: '{}',
      });
      return { status: res.status, body: await res.json() };
    }, paidCharge);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('staff_role_forbidden');
    expect((await vaultApi<Charge>(stack, 'GET', `/v1/charges/${paidCharge}`)).amount_refunded).toBe(525);

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Invoices' }).click();
    const create = page.getByRole('button', { name: 'Create invoice' });
    await create.waitFor();
    expect(await create.isDisabled()).toBe(true);
    expect(await graveViolations(page)).toEqual([]);

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Events' }).click();
    await page
      .locator('tbody tr')
      .first()
      .getByRole('button', { name: /Details/ })
      .click();
    const redeliver = page.getByRole('button', { name: 'Redeliver' });
    await redeliver.waitFor();
    expect(await redeliver.isDisabled()).toBe(true);
  });

  it('fits 375 px on each payments page, opened up, with nothing serious for axe', async () => {
    const small = { width: 375, height: 740 };
    const page = await open('admin', '/charges', small);
    await rowOf(page, paid).first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await page.goto(`${stack.vaultUrl}/dashboard/charges/${paidCharge}`);
    await page.locator('dl.facts').waitFor();
    await settled(page);
    expect(await scrollsSideways(page)).toBe(false);
    expect(await graveViolations(page)).toEqual([]);
    await page.goto(`${stack.vaultUrl}/dashboard/invoices`);
    await page.getByRole('button', { name: 'Charges' }).first().click();
    await settled(page);
    expect(await scrollsSideways(page)).toBe(false);
    expect(await graveViolations(page)).toEqual([]);
    // The declined charge's event, redelivered above, has attempts to list.
    await page.goto(`${stack.vaultUrl}/dashboard/events?type=charge.failed`);
    await page
      .locator('tbody tr')
      .first()
      .getByRole('button', { name: /Details/ })
      .click();
    await page.locator('.event-details tbody tr').first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    expect(await graveViolations(page)).toEqual([]);
  });
});
