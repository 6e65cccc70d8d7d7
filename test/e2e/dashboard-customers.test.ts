// The dashboard's customers in Chromium: an admin finds a customer by number, refuses them card saving,
// changes their limits (errors shown beside the field), deletes a card after a dialog that says what
// the deletion ends, and cancels a mandate, each change then seen through the API itself; a viewer
// sees every change disabled and is refused one sent by hand; axe, 375 px and the keyboard.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { vaultApi } from './demo-fixtures.ts';
import { graveViolations, scrollsSideways, staffPage } from './dashboard-browser.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

let stack: Stack;
const contexts: BrowserContext[] = [];
const run = Date.now().toString(36);

interface Card {
  token: string;
  default: boolean;
  last4: string;
}
interface Mandate {
  id: string;
  card: string;
  status: string;
}

/**
 * A customer with an imported Visa (the default, with a USD mandate that pays their open USD auto-pay
 * invoice) and an imported Mastercard with a EUR mandate, which could not pay that invoice.
 */
async function seedCustomer(customer: string) {
  const api = <T>(method: string, path: string, body?: unknown) => vaultApi<T>(stack, method, path, body);
  const year = new Date().getUTCFullYear() + 3;
  const importCard = (number: string) => api<Card>('POST', `/v1/customers/${customer}/cards`, { number, exp_month: 12, exp_year: year });
  const visa = await importCard('4242424242424242');
  const mastercard = await importCard('5555555555554444');
  await api('POST', `/v1/customers/${customer}/cards/${visa.token}`, { default: true });
  const mandate = (card: string, currency: string) =>
    api<Mandate>('POST', `/v1/customers/${customer}/mandates`, {
      card,
      min_amount: 100,
      max_amount: 5000,
      currency,
      frequency_days: 0,
      end_date: `${year}-01-01`,
      consent: { text: 'I agree to automatic payments to the shop.', accepted_at: new Date().toISOString() },
    });
  const visaMandate = await mandate(visa.token, 'USD');
  const mastercardMandate = await mandate(mastercard.token, 'EUR');
  const due = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  const invoice = await api<{ id: string }>('POST', '/v1/invoices', { customer, amount: 1999, currency: 'USD', due_date: due });
  return { visa, mastercard, visaMandate, mastercardMandate, invoice };
}

const v1 = <T>(path: string) => vaultApi<T>(stack, 'GET', path);

async function openCustomer(page: Page, customer: string) {
  await page.goto(`${stack.vaultUrl}/dashboard/customers/${customer}`);
  await page.getByRole('heading', { name: 'Saved cards' }).waitFor();
}

const cardRow = (page: Page, last4: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`•••• ${last4}`) }) });

describeInBrowser('the dashboard customers (Chromium)', () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(() => stack?.close());

  it('finds customers by the start of their number and by status, the search kept in the address for reload and back', async () => {
    const base = `h3-${run}-find`;
    for (const n of ['a1', 'a2', 'b1']) await vaultApi(stack, 'POST', `/v1/customers/${base}-${n}`, { email: `${n}@shop.example` });
    await vaultApi(stack, 'POST', `/v1/customers/${base}-a2`, { status: 'deny', limits: { daily: 5000 } });
    const { page, context } = await staffPage(stack);
    contexts.push(context);
    await page.goto(`${stack.vaultUrl}/dashboard/customers`);
    const numbers = () => page.locator('tbody th[scope="row"]').allTextContents();

    await page.getByLabel('Customer number starts with').fill(`${base}-a`);
    await page.keyboard.press('Enter');
    await expect.poll(numbers).toEqual([`${base}-a1`, `${base}-a2`]);
    expect(new URL(page.url()).searchParams.get('prefix')).toBe(`${base}-a`);
    const a2 = page.getByRole('row').filter({ hasText: `${base}-a2` });
    expect(await a2.textContent()).toContain('a2@shop.example');
    expect(await a2.textContent()).toContain('50.00 a day');
    expect(await a2.locator('.badge').textContent()).toBe('deny');

    await page.getByLabel('Status').selectOption('deny');
    await expect.poll(numbers).toEqual([`${base}-a2`]);
    await page.reload();
    await expect.poll(numbers).toEqual([`${base}-a2`]);
    expect(await page.getByLabel('Customer number starts with').inputValue()).toBe(`${base}-a`);
    expect(await page.getByLabel('Status').inputValue()).toBe('deny');
    await page.goBack();
    await expect.poll(numbers).toEqual([`${base}-a1`, `${base}-a2`]);
    expect(await page.getByLabel('Status').inputValue()).toBe('');
    expect(await graveViolations(page)).toEqual([]);

    await page.getByRole('link', { name: `${base}-a1` }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`Customer ${base}-a1`);
    await page.goBack();
    await expect.poll(numbers).toEqual([`${base}-a1`, `${base}-a2`]);

    // A prefix the contract refuses is told, not a blank page.
    await page.getByLabel('Customer number starts with').fill('no spaces');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('prefix');
  });

  it('pages through customers in number order, and fits 375 px', async () => {
    const base = `h3-${run}-page`;
    for (let i = 1; i <= 27; i++) await vaultApi(stack, 'POST', `/v1/customers/${base}-${String(i).padStart(2, '0')}`, { email: `p${i}@shop.example` });
    const { page, context } = await staffPage(stack, { viewport: { width: 375, height: 740 } });
    contexts.push(context);
    await page.goto(`${stack.vaultUrl}/dashboard/customers?prefix=${base}`);
    const numbers = () => page.locator('tbody th[scope="row"]').allTextContents();
    await expect.poll(async () => (await numbers()).length).toBe(25);
    expect((await numbers())[0]).toBe(`${base}-01`);
    expect(await scrollsSideways(page)).toBe(false);
    expect(await graveViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(numbers).toEqual([`${base}-26`, `${base}-27`]);
    expect(await page.getByRole('button', { name: 'Next →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Previous' }).click();
    await expect.poll(async () => (await numbers())[24]).toBe(`${base}-25`);
  });

  it('lets an admin refuse card saving and change limits, with errors beside the field, as the API then shows', async () => {
    const customer = `h3-${run}-set`;
    const { mastercard } = await seedCustomer(customer);
    await vaultApi(stack, 'POST', `/v1/customers/${customer}`, { locale: 'fr', email: 'set@shop.example' });
    const { page, context } = await staffPage(stack);
    contexts.push(context);
    await openCustomer(page, customer);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Customer ${customer}`);
    const facts = await page.locator('.facts').textContent();
    for (const fact of ['Statusmember', 'Emailset@shop.example', 'Daily limitNo limit', 'LanguageFrench (fr)', 'Default cardVisa •••• 4242'])
      expect(facts).toContain(fact);

    // Not an amount: refused before it is sent, beside the field.
    await page.getByLabel('Daily limit').fill('lots');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const daily = page.getByLabel('Daily limit');
    await expect.poll(() => daily.getAttribute('aria-invalid')).toBe('true');
    const dailyError = await page.locator(`#${await daily.getAttribute('aria-describedby')}`).textContent();
    expect(dailyError).toContain('Enter an amount');

    // Over the API's largest amount: the API's own message, beside the field it names.
    await daily.fill('1000000000');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => daily.getAttribute('aria-describedby')).toBe('cust-daily-error');
    expect(await page.locator('#cust-daily-error').textContent()).toMatch(/\S/);
    expect((await v1<{ limits: object }>(`/v1/customers/${customer}`)).limits).toEqual({});

    await page.getByLabel('Saving cards').selectOption('deny');
    await daily.fill('250');
    await page.getByLabel('Weekly limit').fill('1,000.50');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    expect(await v1(`/v1/customers/${customer}`)).toMatchObject({ status: 'deny', limits: { daily: 25000, weekly: 100050 } });
    await expect.poll(() => page.locator('.facts').textContent()).toContain('Daily limit250.00');
    expect(await page.locator('.facts').textContent()).toContain('Weekly limit1000.50');
    expect(await page.locator('.facts .badge').textContent()).toBe('deny');

    const mastercardRow = cardRow(page, '4444');
    await mastercardRow.getByRole('button', { name: 'Make default' }).click();
    await expect.poll(async () => (await v1<{ default_card: string }>(`/v1/customers/${customer}`)).default_card).toBe(mastercard.token);
    await expect.poll(() => mastercardRow.locator('.badge').first().textContent()).toBe('default');

    // Emptied, a limit is removed.
    await daily.fill('');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(async () => (await v1<{ limits: object }>(`/v1/customers/${customer}`)).limits).toEqual({ weekly: 100050 });
  });

  it('deletes a card after a dialog naming what it ends, opened and closed by keyboard, and cancels a mandate', async () => {
    const customer = `h3-${run}-del`;
    const { visa, visaMandate, mastercardMandate, invoice } = await seedCustomer(customer);
    const { page, context } = await staffPage(stack);
    contexts.push(context);
    await openCustomer(page, customer);

    const visaRow = cardRow(page, '4242');
    const del = visaRow.getByRole('button', { name: 'Delete' });
    await del.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    // What ends first: the card's mandate, and the automatic payment of the USD invoice (the next card's mandate is in EUR).
    expect(text).toContain(visaMandate.id);
    expect(text).toContain(invoice.id);
    expect(text).toContain('Mastercard •••• 4444, 12/');
    expect(text).not.toContain(mastercardMandate.id);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await del.evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await v1<{ data: Card[] }>(`/v1/customers/${customer}/cards`)).data.map((c) => c.token)).toContain(visa.token);

    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Delete card' }).click();
    await expect.poll(() => visaRow.count()).toBe(0);
    // The row and its button are gone: the keyboard carries on from the section's heading.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('cards-title');
    expect((await v1<{ data: Card[] }>(`/v1/customers/${customer}/cards`)).data.map((c) => c.token)).not.toContain(visa.token);
    const mandates = async () => (await v1<{ data: Mandate[] }>(`/v1/customers/${customer}/mandates`)).data;
    expect((await mandates()).find((m) => m.id === visaMandate.id)?.status).toBe('ended');
    await expect.poll(() => page.locator('.facts').textContent()).toContain('Default cardMastercard •••• 4444');

    const mandateRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: mastercardMandate.id }) });
    await mandateRow.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel mandate' }).click();
    await expect.poll(() => mandateRow.locator('.badge').textContent()).toBe('cancelled');
    expect((await mandates()).find((m) => m.id === mastercardMandate.id)?.status).toBe('cancelled');
    expect(await graveViolations(page)).toEqual([]);
  });

  it('shows a viewer every change disabled and refuses the one they send by hand', async () => {
    const customer = `h3-${run}-view`;
    const { visa } = await seedCustomer(customer);
    const { page, context } = await staffPage(stack, { role: 'viewer' });
    contexts.push(context);
    await openCustomer(page, customer);
    expect(await page.getByRole('note').textContent()).toContain('signed in as a viewer');
    for (const name of ['Make default', 'Delete', 'Cancel', 'Save settings']) {
      const buttons = await page.getByRole('button', { name, exact: true }).all();
      expect(buttons.length, name).toBeGreaterThan(0);
      for (const b of buttons) expect(await b.isDisabled(), name).toBe(true);
    }
    expect(await page.getByLabel('Daily limit').isDisabled()).toBe(true);
    expect(await page.getByLabel('Saving cards').isDisabled()).toBe(true);

    const answer = await page.evaluate(async (path) => {
      const me = (await (await fetch('/dashboard/api/me')).json()) as { csrf_token: string };
      const res = await fetch(`/dashboard/api/v1/customers/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
        body: JSON.stringify({ status: 'deny' }),
      });
      return { status: res.status, body: (await res.json()) as { error?: { code?: string } } };
    }, customer);
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe('staff_role_forbidden');
    expect((await v1<{ status: string }>(`/v1/customers/${customer}`)).status).toBe('member');
    expect((await v1<{ data: Card[] }>(`/v1/customers/${customer}/cards`)).data.map((c) => c.token)).toContain(visa.token);
    expect(await graveViolations(page)).toEqual([]);
  });

  it('fits the customer page in 375 px without scrolling sideways, axe finding nothing serious', async () => {
    const customer = `h3-${run}-narrow`;
    await seedCustomer(customer);
    const { page, context } = await staffPage(stack, { viewport: { width: 375, height: 740 } });
    contexts.push(context);
    await openCustomer(page, customer);
    expect(await scrollsSideways(page)).toBe(false);
    expect(await graveViolations(page)).toEqual([]);
    await cardRow(page, '4242').getByRole('button', { name: 'Delete' }).click();
    expect(await scrollsSideways(page)).toBe(false);
  });
});
