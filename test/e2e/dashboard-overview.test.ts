// The dashboard's overview in Chromium: with charges made through the real API, the charts are drawn
// (canvases), the totals are there in words, the range switches, nothing breaks the CSP or axe, and
// the page fits 1440 and 375 px without scrolling sideways. A new shop sees the empty state.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { CARDS, newCard } from '../helpers/test-cards.ts';
import { graveViolations, scrollsSideways, staffPage } from './dashboard-browser.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

let stack: Stack;
const contexts: BrowserContext[] = [];

/** Console errors, page errors and CSP refusals, as they happen. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

describeInBrowser('the dashboard overview (Chromium)', () => {
  /** A customer's payment through the fields, as the checkout makes it: the real /v1 and /frame routes. */
  async function pay(number: string, amount: number, currency = 'EUR') {
    const call = (path: string, headers: Record<string, string>, body: unknown) =>
      stack.runtime.app.request(`${stack.vaultUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const session = await (await call('/v1/sessions', { authorization: `Bearer ${stack.merchant.secret_key}` }, { amount, currency })).json();
    const res = await call(
      '/frame/v1/confirm',
      { origin: stack.vaultUrl, 'checkout-host-origin': stack.shopUrl, authorization: `Bearer ${session.client_secret}` },
      { card: newCard(number) },
    );
    return res.status;
  }

  beforeAll(async () => {
    stack = await startStack();
    for (const amount of [1200, 3400, 5600]) expect(await pay(CARDS.visa, amount)).toBe(200);
    expect(await pay(CARDS.mastercard, 800, 'USD')).toBe(200);
    expect(await pay(CARDS.declined, 900)).toBe(402);
    expect(await pay(CARDS.insufficient, 900)).toBe(402);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(() => stack?.close());

  for (const viewport of [
    { width: 1440, height: 900 },
    { width: 375, height: 740 },
  ]) {
    it(`draws the charts with their totals in words at ${viewport.width} px, axe clean, without scrolling sideways`, async () => {
      const { page, context } = await staffPage(stack, { role: 'viewer', viewport });
      contexts.push(context);
      const problems = watch(page);
      await page.reload();
      const stats = page.locator('dl.ov-stats');
      await expect.poll(() => stats.textContent()).toContain('Charges6');
      expect(await stats.textContent()).toContain('Approval rate66.7%');
      expect(await stats.textContent()).toContain('€102.00, $8.00');
      // Three charts, each a uPlot canvas, and the mark the benchmark reads.
      await expect.poll(() => page.locator('figure .ov-chart canvas').count()).toBe(3);
      expect(await page.evaluate(() => performance.getEntriesByName('dashboard:first-chart').length)).toBe(1);
      const declines = page.getByRole('figure').filter({ hasText: 'Declines by code' });
      expect(await declines.locator('figcaption').textContent()).toContain('2 declined');
      // The figures as a table, behind a keyboard-reachable summary.
      await declines.locator('summary').focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => declines.getByRole('table').textContent()).toContain('insufficient_funds1');
      // A canvas as wide as its card, at either width.
      const widths = await page.evaluate(() =>
        [...document.querySelectorAll('.ov-chart')].map((el) => [el.clientWidth, el.querySelector('canvas')?.getBoundingClientRect().width ?? 0]),
      );
      for (const [box, canvas] of widths) expect(Math.abs(box - canvas)).toBeLessThanOrEqual(2);
      expect(await scrollsSideways(page)).toBe(false);
      expect(await page.locator('style').count()).toBe(0);
      expect(await graveViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    });
  }

  it('switches the range by keyboard, and redraws the charts when the window narrows', async () => {
    const { page, context } = await staffPage(stack);
    contexts.push(context);
    const problems = watch(page);
    await page.getByRole('navigation', { name: 'Range' }).getByRole('link', { name: '7 days' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dashboard\?days=7$/);
    await expect.poll(() => page.locator('figure table').first().locator('tbody tr').count()).toBe(7);
    await expect.poll(() => page.locator('figure .ov-chart canvas').count()).toBe(3);
    const before = await page.locator('.ov-chart canvas').first().boundingBox();
    await page.setViewportSize({ width: 375, height: 740 });
    await expect.poll(async () => (await page.locator('.ov-chart canvas').first().boundingBox())?.width).toBeLessThan((before?.width ?? 0) - 100);
    expect(await scrollsSideways(page)).toBe(false);
    expect(problems).toEqual([]);
  });

  it('shows a new shop its empty state and no chart', async () => {
    const other = await createMerchant(stack.runtime.deps, { name: 'Brand new shop', origins: [stack.shopUrl] });
    const { page, context } = await staffPage(stack, { merchantId: other.id });
    contexts.push(context);
    await expect.poll(() => page.getByRole('note').textContent()).toContain('No charges from');
    expect(await page.locator('canvas').count()).toBe(0);
    expect(await page.getByText('No open invoices.').count()).toBe(1);
    expect(await graveViolations(page)).toEqual([]);
  });
});
