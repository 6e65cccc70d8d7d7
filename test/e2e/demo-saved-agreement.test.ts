// A shopper who saved a card sets up automatic payments on the demo's /autopay without typing the card
// again: the vault's fields offer the saved card and ask only for its security code and the consent.
// The merchant's back office then sees the invoice paid automatically from that card.
import type { BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CARDS } from '../helpers/test-cards.ts';
import { saveCard, signInAs, vaultApi } from './demo-fixtures.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

const FIELDS = 'iframe[title="Secure card payment"]';
const DANA = 'shop-dana';

let stack: Stack;
let context: BrowserContext | undefined;

describeInBrowser('the demo shop: automatic payments agreed with a saved card', () => {
  beforeAll(async () => {
    stack = await startStack();
    // A payment of 1.00 that saved the card: Dana's only card, the default one.
    await saveCard(stack, DANA, CARDS.visa);
  });
  afterAll(async () => {
    await context?.close();
    await stack?.close();
  });

  it('offers the saved card on /autopay, asks only for its security code and the consent, and the invoice is then paid from it', async () => {
    const [card] = (await vaultApi<{ data: { token: string }[] }>(stack, 'GET', `/v1/customers/${DANA}/cards`)).data;
    context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    await signInAs(stack, context, DANA);
    const page = await context.newPage();

    await page.goto(`${stack.shopUrl}/autopay`);
    const f: FrameLocator = page.frameLocator(FIELDS);
    const saved = f.getByRole('radio', { name: /^Visa ending in 4242, expires \d\d\/\d\d$/ });
    await saved.waitFor();
    expect(await saved.isChecked()).toBe(true);
    // No card number or expiry to type: the saved card's security code is the only card field.
    expect(await f.locator('#cv-number, #cv-expiry, #cv-cvc').count()).toBe(0);
    expect(await f.locator('input:not([type="radio"]):not([type="checkbox"])').count()).toBe(1);
    const cvc = f.getByLabel(/^Security code for Visa/);
    expect(await cvc.getAttribute('id')).toBe('cv-saved-cvc');
    // The card is saved already: the customer agrees with it, nothing offers to save it.
    const consent = await f.locator('label[for="cv-consent"]').textContent();
    expect(consent).toMatch(/^Agree to recurring payments to “Bean & Kettle” with this card: \$1\.00–\$100\.00 per payment, /);
    expect(consent).not.toMatch(/save/i);

    // The consent is required with the saved card as with a new one.
    await cvc.fill('373');
    await page.getByRole('button', { name: 'Agree to automatic payments' }).click();
    await f.locator('#cv-consent[aria-invalid="true"]').waitFor();
    expect(page.url()).toMatch(/\/autopay$/);

    await f.locator('#cv-consent').check();
    await page.getByRole('button', { name: 'Agree to automatic payments' }).click();
    await page.waitForURL('**/cards?notice=agreement');
    expect(await textOf(page.locator('.notice-success'))).toContain('Automatic payments are set up');
    // Still the one saved card, now under the agreement.
    expect(await page.locator('.saved-card-name').allTextContents()).toEqual([expect.stringContaining('Visa •••• 4242')]);
    expect(await textOf(page.locator('.autopay-status'))).toContain('paid automatically from Visa •••• 4242');
    const mandates = (await vaultApi<{ data: { card: string; status: string }[] }>(stack, 'GET', `/v1/customers/${DANA}/mandates`)).data;
    expect(mandates).toEqual([expect.objectContaining({ card: card.token, status: 'active' })]);

    await page.goto(`${stack.shopUrl}/admin?customer=${DANA}`);
    expect(await textOf(page.locator('#autopay-status'))).toContain('paid automatically from Visa •••• 4242');
    await page.getByLabel('Description').fill('Filters for the grinder');
    await page.locator('#invoice-amount').fill('30.00');
    expect(await submit(page, page.getByRole('button', { name: 'Create invoice due in 2 days' }))).toContain('It is paid automatically from Visa •••• 4242');
    expect(await submit(page, page.getByRole('button', { name: 'Run the scheduler now' }))).toMatch(/paid [1-9]/);
    const invoice = page.locator('table.invoices tbody tr', { hasText: 'Filters for the grinder' });
    expect(await invoice.locator('.badge').textContent()).toBe('paid');
  });
});

/** The text as read, spaces and line breaks of the markup collapsed. */
async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Clicks a back-office button and returns the result the page shows after the redirect. */
async function submit(page: Page, button: Locator): Promise<string> {
  const before = page.url();
  await Promise.all([page.waitForURL((url) => url.href !== before && url.searchParams.has('result')), button.click()]);
  return (await page.locator('#admin-result').textContent())!.replace(/\s+/g, ' ').trim();
}
