// The dashboard in Chromium fed markup wherever a merchant or a staff user can put text: the shop's
// name, an invoice's description, an audit line's details. Each is shown as text, never as elements.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { staffPage } from './dashboard-browser.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

let stack: Stack;
const contexts: BrowserContext[] = [];

// An element the page would grow if the text were taken as HTML; its attribute is what the test looks for.
const MARKUP = '<b data-injected="1">bold</b><img src="/favicon.ico" data-injected="2">';

const injected = (page: Page) => page.evaluate(() => document.querySelectorAll('[data-injected]').length);

describeInBrowser('the dashboard fed markup (Chromium)', () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(() => stack?.close());

  it("shows a shop's name, an invoice's description and an audit line's details holding markup as text", async () => {
    const shop = await createMerchant(stack.runtime.deps, { name: `Shop ${MARKUP}`, origins: [stack.shopUrl], groupId: undefined, webhookUrl: undefined });
    const api = (method: string, path: string, body: unknown) =>
      fetch(`${stack.vaultUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${shop.secret_key}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify(body),
      });
    expect((await api('POST', '/v1/merchant', { rate_limit: 0 })).status).toBe(200);
    const byApi = await api('POST', '/v1/invoices', { customer: 'c1', amount: 500, currency: 'USD', due_date: '2031-01-15', description: `By API ${MARKUP}` });
    expect(byApi.status, await byApi.clone().text()).toBe(201);

    const { page, context } = await staffPage(stack, { merchantId: shop.id });
    contexts.push(context);
    // An admin's change through the dashboard's own API, as its form sends it: the audit line keeps the description.
    const status = await page.evaluate(async (description) => {
      const me = await (await fetch('/dashboard/api/me')).json();
      const res = await fetch('/dashboard/api/v1/invoices', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token, 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ customer: 'c1', amount: 700, currency: 'USD', due_date: '2031-02-15', description }),
      });
      return res.status;
    }, `By staff ${MARKUP}`);
    expect(status).toBe(201);

    await expect.poll(() => page.locator('header.top').textContent()).toContain(`Shop ${MARKUP}`);
    expect(await injected(page)).toBe(0);
    for (const [path, text] of [
      ['/dashboard/invoices', `By API ${MARKUP}`],
      ['/dashboard/audit', `By staff ${MARKUP}`],
      ['/dashboard/events', 'invoice'],
    ]) {
      await page.goto(`${stack.vaultUrl}${path}`);
      await expect.poll(() => page.locator('main').textContent(), { timeout: 10_000 }).toContain(text);
      expect(await injected(page), path).toBe(0);
    }
  });
});
