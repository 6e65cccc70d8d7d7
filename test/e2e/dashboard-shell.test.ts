// The dashboard's frame in Chromium: signed in, the shop and its mode named, every section reachable
// from the navigation by keyboard, no policy refusal or console error, and axe-core content.
import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SHOP_NAME } from '../../demo/catalog.ts';
import { graveViolations, scrollsSideways, staffPage } from './dashboard-browser.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

let stack: Stack;
const contexts: BrowserContext[] = [];

describeInBrowser('the dashboard frame (Chromium)', () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(() => stack?.close());

  it('names the shop and test mode, and reaches each section from the navigation by keyboard', async () => {
    const { page, context, email } = await staffPage(stack);
    contexts.push(context);
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await expect.poll(() => page.locator('header.top').textContent()).toContain(`${SHOP_NAME}Test mode${email} (admin)`);
    const nav = page.getByRole('navigation', { name: 'Dashboard' });
    for (const name of ['Customers', 'Charges', 'Invoices', 'Events', 'Settings', 'API keys', 'Audit log', 'Overview']) {
      await nav.getByRole('link', { name }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(name);
      // The heading takes focus, so a screen reader announces the new page.
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('page-title');
      expect(await nav.getByRole('link', { name }).getAttribute('aria-current')).toBe('page');
    }
    await page.goBack();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Audit log');
    expect(problems).toEqual([]);
    expect(await graveViolations(page)).toEqual([]);
  });

  it('answers a malformed address with its "not found" page and the navigation, not a page stuck loading', async () => {
    const { page, context } = await staffPage(stack);
    contexts.push(context);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${stack.vaultUrl}/dashboard/customers/%E0%A4%A`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');
    expect(await page.getByRole('navigation', { name: 'Dashboard' }).isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('fits 375 px without scrolling sideways', async () => {
    const { page, context } = await staffPage(stack, { viewport: { width: 375, height: 740 } });
    contexts.push(context);
    expect(await scrollsSideways(page)).toBe(false);
    expect(await graveViolations(page)).toEqual([]);
  });
});
