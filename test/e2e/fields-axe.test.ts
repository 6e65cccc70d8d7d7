// The fields' accessibility in Chromium, checked by axe-core inside the vault's cross-origin iframe
// (and the 3-D Secure page nested in it): no serious or critical violation in any state a customer
// meets, with the default appearance and with merchants' light and dark ones. Also the focus ring and
// the inputs' borders at 3:1, which axe does not measure.
import http from 'node:http';
import { AxeBuilder } from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { CARDS } from '../helpers/test-cards.ts';
import { saveCard, vaultApi, type FixtureShop } from './demo-fixtures.ts';
import { describeInBrowser, freePort, startStack, type Stack } from './harness.ts';

const TITLE = 'Secure card payment';
const FIELDS = `iframe[title="${TITLE}"]`;
const CHALLENGE = 'iframe.cv-challenge-frame';
const CVC = '373';
const EXPIRY = '12 / 34';
const DARK = { colorBackground: '#111111', colorText: '#eeeeee' };

/** Merchants' appearances, through checkout.js as a merchant's page passes them. */
const THEMES: { theme: string; variables: Record<string, string> }[] = [
  // The fields darken a colour too light for a light background, and lighten one too dark for a dark one (iframe/appearance.ts).
  { theme: 'a light appearance with a yellow primary (#ffcc00)', variables: { colorPrimary: '#ffcc00' } },
  { theme: 'a dark appearance with a yellow primary and a light red', variables: { ...DARK, colorPrimary: '#ffcc00', colorDanger: '#ff8a80' } },
  // Colours too dark for a dark background: #3366ff reads at 4.0:1 on #111, the default red at 3.2:1
  // and the default green at 3.8:1.
  { theme: 'a dark appearance with a blue primary (#3366ff) and the default red', variables: { ...DARK, colorPrimary: '#3366ff' } },
  // The Pay button's text is chosen against the primary, not the background, which may be see-through.
  { theme: 'a transparent background', variables: { colorBackground: 'transparent' } },
];

let stack: Stack;
let merchant: CreatedMerchant;
let shop: { origin: string; close(): Promise<void> };
const contexts: BrowserContext[] = [];
let customers = 0;
/** This suite's merchant and page, for the shared fixtures (which act for the stack's shop by default). */
const axeShop = (): FixtureShop => ({ secretKey: merchant.secret_key, origin: shop.origin });

describeInBrowser("the fields' accessibility (axe-core in Chromium)", () => {
  beforeAll(async () => {
    stack = await startStack();
    shop = await serveShop();
    merchant = await createMerchant(stack.runtime.deps, { name: 'Axe shop', origins: [shop.origin] });
    // The suite's requests all come from one address: the operator's floor is lifted, as the harness does.
    await stack.runtime.deps.db.updateTable('merchants').set({ frame_limit_per_address: 0, rate_limit: 0 }).where('id', '=', merchant.id).execute();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await shop?.close();
    await stack?.close();
  });

  it('a new card, empty, with the consent box and the fields’ own Pay button', async () => {
    const { page, f } = await openFields({ amount: 1999, currency: 'USD', customer: nextCustomer() }, { submitButton: true });
    await f.locator('#cv-consent').waitFor();
    await expectAccessible(page, ['#cv-number', '#cv-expiry', '#cv-cvc', '#cv-holder', '#cv-consent']);
    await expectControlsContrast(f);
  });

  it('errors shown: a mistyped number left, then a submit with the other fields empty', async () => {
    const { page, f } = await openFields({ amount: 1999, currency: 'USD' });
    await f.locator('#cv-number').pressSequentially('4242424242424241');
    await f.locator('#cv-number').press('Tab');
    await expect.poll(() => f.locator('#cv-number-error').textContent()).toBe('This card number is not valid.');
    await confirmFromPage(page);
    await expect.poll(() => f.locator('#cv-cvc-error').textContent()).not.toBe('');
    expect(await f.locator('[aria-invalid="true"]').count()).toBe(3);
    await expectAccessible(page, ['#cv-number', '#cv-expiry', '#cv-cvc']);
  });

  it('saved cards, the chosen one asking only for its security code', async () => {
    const customer = nextCustomer();
    await saveCard(stack, customer, CARDS.visa, axeShop());
    await saveCard(stack, customer, CARDS.amex, axeShop());
    const { page, f } = await openFields({ amount: 1999, currency: 'USD', customer });
    await f.locator('#cv-saved-cvc').waitFor();
    await expectAccessible(page, ['#cv-card-0', '#cv-card-1', '#cv-saved-cvc']);
  });

  it('the question before a saved card is deleted', async () => {
    const customer = nextCustomer();
    await saveCard(stack, customer, CARDS.mastercard, axeShop());
    const { page, f } = await openFields({ amount: 1999, currency: 'USD', customer });
    await f.getByRole('button', { name: 'Delete' }).click();
    await f.locator('.cv-delete-confirm').waitFor();
    await expectAccessible(page, ['#cv-card-0', '#cv-card-0-ask']);
  });

  it("the 3-D Secure step: the fields' challenge and the vault's page inside it, after a wrong code, and the payment done", async () => {
    const { page, f } = await openFields({ amount: 1999, currency: 'USD' });
    await fillNewCard(f, CARDS.challenge);
    const result = confirmFromPage(page);
    const bank = f.frameLocator(CHALLENGE);
    await bank.locator('#code').waitFor();
    await expectAccessible(page, ['#cv-challenge-title']);
    await expectAccessible(page, ['#code', '#hint'], 3);

    await bank.locator('#code').fill('000000');
    await bank.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => bank.getByRole('status').textContent()).toMatch(/^That code is not right/);
    await expectAccessible(page, ['#code'], 3);

    await bank.locator('#code').fill('123456');
    await bank.getByRole('button', { name: 'Verify' }).click();
    expect(await result).toMatchObject({ status: 'succeeded', card: { brand: 'visa', last4: '3220' } });
    expect(await f.getByRole('status').textContent()).toBe('✓ Visa ••••3220');
    await expectAccessible(page, ['.cv-brand', '.cv-masked']);
  });

  it('a decline, said in the fields', async () => {
    const { page, f } = await openFields({ amount: 1999, currency: 'USD' });
    await fillNewCard(f, CARDS.declined);
    expect(await confirmFromPage(page)).toMatchObject({ status: 'failed', error: { code: 'card_declined' } });
    await expect.poll(() => f.locator('#cv-notice').textContent()).toBe('The card was declined. Use another card.');
    await expectAccessible(page, ['#cv-notice', '#cv-number']);
  });

  for (const { theme, variables } of THEMES) {
    it(`${theme}: a new card with errors, the consent box and the fields' own Pay button`, async () => {
      const { page, f } = await openFields({ amount: 1999, currency: 'USD', customer: nextCustomer() }, { submitButton: true, appearance: { variables } });
      await f.locator('#cv-number').pressSequentially('4242424242424241');
      await f.locator('#cv-holder').focus();
      await confirmFromPage(page);
      await expect.poll(() => f.locator('#cv-cvc-error').textContent()).not.toBe('');
      await expectAccessible(page, ['#cv-number', '#cv-number-error', '#cv-consent']);
      await expectControlsContrast(f);
    });

    it(`${theme}: saved cards and the delete question`, async () => {
      const customer = nextCustomer();
      await saveCard(stack, customer, CARDS.visa, axeShop());
      await saveCard(stack, customer, CARDS.mastercard, axeShop());
      const { page, f } = await openFields({ amount: 1999, currency: 'USD', customer }, { appearance: { variables } });
      await f.locator('#cv-saved-cvc').waitFor();
      await f.getByRole('button', { name: 'Delete' }).last().click();
      await f.locator('.cv-delete-confirm').waitFor();
      await expectAccessible(page, ['#cv-card-0', '#cv-card-1', '#cv-card-1-ask', '#cv-saved-cvc']);
    });
  }
});

// ---- Helpers ----

/**
 * Runs axe-core on the fields' iframe (and any frame inside it). Fails on a serious or critical
 * violation, naming each with its nodes; and on axe not having looked inside the frames: each of
 * `inside` (an element's id, in the fields' frame or, with `depth` 3, in the page nested in it) must
 * be among the nodes axe judged.
 */
async function expectAccessible(page: Page, inside: string[], depth = 2): Promise<void> {
  const { results, judged, missing } = await analyze(page, inside, depth);
  const grave = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(grave.map(describeViolation), 'serious or critical accessibility violations').toEqual([]);
  const where = depth === 2 ? "in the fields' frame" : 'in the page nested in it';
  expect(missing, `axe judged these ${where}; it judged ${[...new Set(judged.map((t) => t.join(' >> ')))].join(', ')}`).toEqual([]);
}

/**
 * @axe-core/playwright gives each frame one second to take axe's source and, past it, leaves the frame
 * out without a word: on a busy machine the fields' frame can miss it. Another run then looks again.
 */
async function analyze(page: Page, inside: string[], depth: number) {
  for (let attempt = 1; ; attempt++) {
    const results = await new AxeBuilder({ page }).include(FIELDS).analyze();
    const judged = [...results.passes, ...results.violations, ...results.incomplete].flatMap((r) => r.nodes.map((n) => n.target as string[]));
    const missing = inside.filter((id) => !judged.some((t) => t.length === depth && t[depth - 1] === id));
    if (!missing.length || attempt === 3) return { results, judged, missing };
  }
}

/** WCAG 1.4.11, which axe leaves alone: the focus ring and the inputs' borders at 3:1 on the fields' background. */
async function expectControlsContrast(f: FrameLocator): Promise<void> {
  await f.locator('#cv-number').focus();
  const colors = await f.locator('#cv-number').evaluate((focused) => ({
    background: getComputedStyle(document.documentElement).backgroundColor,
    ring: getComputedStyle(focused).outlineColor,
    ringStyle: getComputedStyle(focused).outlineStyle,
    border: getComputedStyle(document.getElementById('cv-expiry')!).borderTopColor,
  }));
  // A see-through frame shows the shop's page behind it, white here.
  if (/rgba\(.*,\s*0\)$|transparent/.test(colors.background)) colors.background = 'rgb(255, 255, 255)';
  // Without a ring, outlineColor reads the text colour: there must be one to measure.
  expect(colors.ringStyle, 'the focused field has a visible ring').not.toBe('none');
  expect(contrast(colors.ring, colors.background), `the focus ring ${colors.ring} on ${colors.background}`).toBeGreaterThanOrEqual(3);
  expect(contrast(colors.border, colors.background), `the inputs' border ${colors.border} on ${colors.background}`).toBeGreaterThanOrEqual(3);
}

/** WCAG's contrast ratio of two computed `rgb()` colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl] = css
      .match(/[\d.]+/g)!
      .slice(0, 3)
      .map((v) => Number(v) / 255);
    const lin = (v: number) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(bl) + 0.05;
  };
  const [x, y] = [luminance(a), luminance(b)];
  return Math.max(x, y) / Math.min(x, y);
}

function describeViolation(v: Result): string {
  const nodes = v.nodes.map((n) => `${JSON.stringify(n.target)}: ${n.failureSummary?.replace(/\s+/g, ' ')}`);
  return `${v.id} (${v.impact}): ${v.help}\n    ${nodes.join('\n    ')}`;
}

/** The shop's page: checkout.js from the vault, and a function the test calls to mount the fields. */
async function serveShop(): Promise<{ origin: string; close(): Promise<void> }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Checkout</title></head><body><main><h1>Checkout</h1><div id="pay"></div></main>
<script src="${stack.vaultUrl}/checkout.js"></script>
<script>
  window.mountFields = (pk, options) => new Promise((resolve, reject) => {
    window.fields = Checkout(pk).mount('#pay', options).on('ready', resolve).on('error', reject);
  });
</script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function openFields(session: Record<string, unknown>, mount: Record<string, unknown> = {}): Promise<{ page: Page; f: FrameLocator }> {
  const { client_secret: clientSecret } = await vaultApi<{ client_secret: string }>(stack, 'POST', '/v1/sessions', session, axeShop());
  const context = await stack.context();
  contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${shop.origin}/`);
  await page.evaluate(([pk, options]) => (window as any).mountFields(pk, options), [
    merchant.publishable_key,
    { clientSecret, locale: 'en', title: TITLE, ...mount },
  ] as const);
  const f = page.frameLocator(FIELDS);
  await f.locator('input').first().waitFor();
  return { page, f };
}

function confirmFromPage(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as any).fields.confirm());
}

async function fillNewCard(f: FrameLocator, number: string): Promise<void> {
  await f.locator('#cv-number').fill(number);
  await f.locator('#cv-expiry').fill(EXPIRY);
  await f.locator('#cv-cvc').fill(CVC);
}

function nextCustomer(): string {
  return `axe-${Date.now().toString(36)}-${++customers}`;
}
