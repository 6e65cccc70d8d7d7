// Sister shops in Chromium: the staff of a second shop in the first one's group find the customer
// they share and that customer's saved card, but not one of the first shop's charges: not in the
// customer's page, not in the charges list, not by the charge's own address.
import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { CARDS } from '../helpers/test-cards.ts';
import { saveCard, vaultApi } from './demo-fixtures.ts';
import { staffPage } from './dashboard-browser.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

let stack: Stack;
const contexts: BrowserContext[] = [];

describeInBrowser("a sister shop's dashboard (Chromium)", () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(() => stack?.close());

  it("shows the shared customer and card, never the first shop's charge", async () => {
    const customer = `shared-${Date.now().toString(36)}`;
    await saveCard(stack, customer, CARDS.visa);
    const { data } = await vaultApi<{ data: { id: string }[] }>(stack, 'GET', `/v1/charges?customer=${customer}`);
    const charge = data[0].id;
    const sister = await createMerchant(stack.runtime.deps, { name: 'Sister shop', origins: [stack.shopUrl], groupId: stack.merchant.group });

    // The first shop's own staff see the charge, as a check that there is one to see.
    const own = await staffPage(stack);
    contexts.push(own.context);
    await own.page.goto(`${stack.vaultUrl}/dashboard/charges/${charge}`);
    await expect.poll(() => own.page.locator('dl.facts').textContent()).toContain(customer);

    const { page, context } = await staffPage(stack, { merchantId: sister.id });
    contexts.push(context);
    await page.goto(`${stack.vaultUrl}/dashboard/customers/${customer}`);
    await expect.poll(() => page.locator('#cards-title').count()).toBe(1);
    await expect.poll(() => page.getByText('Visa •••• 4242').count()).toBeGreaterThan(0);
    expect(await page.locator('main').textContent()).not.toContain(charge);

    await page.goto(`${stack.vaultUrl}/dashboard/charges`);
    await page.getByRole('heading', { level: 1, name: 'Charges' }).waitFor();
    await expect.poll(() => page.locator('main').textContent()).not.toContain('Loading');
    expect(await page.locator('main').textContent()).not.toContain(customer);

    await page.goto(`${stack.vaultUrl}/dashboard/charges/${charge}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('No such charge');
    expect(await page.locator('main').textContent()).not.toContain(customer);
  });
});
