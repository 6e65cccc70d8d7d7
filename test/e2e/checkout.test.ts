// The checkout in Chromium, end to end: the real vault on one origin, the real demo shop on another,
// a customer typing into the vault's iframe. Every payment runs under a recorder on the shop's page
// that proves the card number and the security code never reach it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Frame, FrameLocator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, freePort, startStack, type Stack } from './harness.ts';
import { vaultApi as stackApi } from './demo-fixtures.ts';

const VISA = '4242 4242 4242 4242';
const MASTERCARD = '5555 5555 5555 4444';
const DECLINED = '4000 0000 0000 0002';
const THREE_D_SECURE = '4000 0000 0000 3220';
/** Every number a test types; none may appear on the shop's page or in the vault's log. */
const NUMBERS = [VISA, MASTERCARD, DECLINED, THREE_D_SECURE].map((n) => n.replace(/ /g, ''));
/** A security code that no page text, id or price contains as a word of its own. */
const CVC = '373';
const FIELDS_TITLE = 'Secure card payment';
/** Where Chromium leaves a frame it refused to show (frame-ancestors). */
const BLOCKED = 'chrome-error://chromewebdata/';

let stack: Stack;
const contexts: BrowserContext[] = [];
let customers = 0;

describeInBrowser('checkout in the browser (vault and shop on two origins)', () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("pays as a guest with a new card typed into the fields and shows the shop's confirmation", async () => {
    const { page, leaks } = await openRecordedPage();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    const f = fieldsOf(page);
    // Typed key by key, the number is spaced by brand and the expiry gets its slash.
    await f.locator('#cv-number').pressSequentially(VISA.replace(/ /g, ''));
    await expect.poll(() => f.locator('#cv-number').inputValue()).toBe(VISA);
    await expect.poll(() => f.locator('.cv-brand').textContent()).toBe('visa');
    await f.locator('#cv-expiry').pressSequentially('1234');
    await expect.poll(() => f.locator('#cv-expiry').inputValue()).toBe('12 / 34');
    await f.locator('#cv-cvc').pressSequentially(CVC);
    // A guest's card is never saved, so the fields do not offer it.
    expect(await f.locator('#cv-consent').count()).toBe(0);

    await pay(page);
    await expect.poll(() => page.locator('#confirmation-heading').textContent()).toBe('Thank you for your order');
    const facts = await page.locator('.facts').textContent();
    expect(facts).toContain('Visa •••• 4242');
    expect(facts).toMatch(/Card saved\s*No/);
    // The number did travel, but only from the vault's iframe to the vault's own endpoint.
    expect(leaks.frameRequests.some((r) => r.startsWith(`${stack.vaultUrl}/frame/v1/confirm`) && r.includes(NUMBERS[0]))).toBe(true);
    await leaks.assertClean(CVC);
  });

  it("saves a consenting customer's card and pays with it in one click, typing only the security code", async () => {
    const customer = nextCustomer('alice');
    const { page, leaks } = await openRecordedPage();
    await signIn(page, customer);
    await page.goto(`${stack.shopUrl}/checkout?product=kettle`);
    const f = fieldsOf(page);
    await fillNewCard(f, VISA, CVC);
    const consent = f.locator('#cv-consent');
    expect(await f.locator('label[for="cv-consent"]').textContent()).toBe('Save this card for future payments');
    expect(await consent.isChecked()).toBe(false);
    await consent.check();
    await pay(page);
    await expect.poll(() => page.locator('#confirmation-heading').textContent()).toBe('Thank you for your order');
    expect(await page.locator('.facts').textContent()).toMatch(/Card saved\s*Yes/);

    await page.goto(`${stack.shopUrl}/checkout?product=grinder`);
    await f.locator('.cv-saved').waitFor();
    expect(await f.locator('.cv-masked').allTextContents()).toEqual(['424242••••••4242']);
    expect(await f.locator('input[name="saved-card"]').isChecked()).toBe(true);
    // One click: no number, no expiry, no consent box for a card that is saved already.
    expect(await f.locator('#cv-number, #cv-expiry, #cv-consent').count()).toBe(0);
    await f.locator('#cv-saved-cvc').fill(CVC);
    await pay(page);
    await expect.poll(() => page.locator('#confirmation-heading').textContent()).toBe('Thank you for your order');
    expect(await page.locator('.facts').textContent()).toContain('Visa •••• 4242');

    const cards = await listCards(customer);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ bin: '424242', last4: '4242', brand: 'visa', successful_payments: 2 });
    await leaks.assertClean(CVC);
  });

  it("deletes a saved card from inside the fields after a confirmation step, and another from the shop's cards page", async () => {
    const customer = nextCustomer('bob');
    await saveCardThroughVault(customer, VISA);
    await saveCardThroughVault(customer, MASTERCARD);
    expect(await listCards(customer)).toHaveLength(2);

    const { page } = await openRecordedPage();
    await signIn(page, customer);
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    const f = fieldsOf(page);
    await f.locator('.cv-saved').waitFor();
    expect(await f.locator('.cv-masked').allTextContents()).toEqual(['424242••••••4242', '555555••••••4444']);
    const mastercard = f.locator('li.cv-saved-card', { hasText: '555555••••••4444' });

    // "No" at the question keeps the card.
    await mastercard.getByRole('button', { name: 'Delete' }).click();
    expect(await mastercard.locator('.cv-delete-confirm').textContent()).toContain('Delete this card?');
    await mastercard.getByRole('button', { name: 'No', exact: true }).click();
    await expect.poll(() => mastercard.locator('.cv-delete-confirm').count()).toBe(0);
    expect((await listCards(customer)).map((c) => c.last4).sort()).toEqual(['4242', '4444']);

    await mastercard.getByRole('button', { name: 'Delete' }).click();
    await mastercard.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(() => f.locator('.cv-masked').allTextContents()).toEqual(['424242••••••4242']);
    expect((await listCards(customer)).map((c) => c.last4)).toEqual(['4242']);

    await page.goto(`${stack.shopUrl}/cards`);
    expect(await page.locator('.saved-card-name').allTextContents()).toEqual([expect.stringContaining('Visa •••• 4242')]);
    // The shop asks with window.confirm before it posts the deletion.
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Delete Visa •••• 4242' }).click();
    await page.waitForURL('**/cards?notice=deleted');
    expect(asked).toEqual([expect.stringContaining('Delete Visa •••• 4242?')]);
    expect(await page.locator('.notice-success').textContent()).toContain('The card was deleted');
    expect(await page.locator('.saved-card').count()).toBe(0);
    expect(await listCards(customer)).toEqual([]);
  });

  it('shows the 3-D Secure challenge inside the fields, sized without a scroll bar, and pays once the code passes', async () => {
    const { page, leaks } = await openRecordedPage();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    const f = fieldsOf(page);
    await fillNewCard(f, THREE_D_SECURE, CVC);
    const sizeBefore = await fieldsFrameHeight(page);
    await page.locator('#pay-button').click();

    const challenge = f.frameLocator('iframe.cv-challenge-frame');
    await challenge.locator('#code').waitFor();
    expect(await f.locator('#cv-challenge-title').textContent()).toBe('Confirm the payment with your bank');
    const fieldsFrame = await frameOf(page.locator(`iframe[title="${FIELDS_TITLE}"]`));
    const challengeFrame = await frameOf(fieldsFrame.locator('iframe.cv-challenge-frame'));
    expect(challengeFrame.url()).toMatch(new RegExp(`^${stack.vaultUrl}/frame/3ds/`));
    // The page's iframe grew to the fields' whole document, and the nested challenge frame to its
    // page's: nothing to scroll, nothing clipped.
    await expect.poll(async () => (await fieldsFrameHeight(page)) >= (await fieldsFrame.evaluate(() => document.documentElement.scrollHeight))).toBe(true);
    expect(await fieldsFrameHeight(page)).toBeGreaterThan(sizeBefore);
    await expect
      .poll(async () => {
        const box = await fieldsFrame.locator('iframe.cv-challenge-frame').evaluate((el) => el.clientHeight);
        return box >= (await challengeFrame.evaluate(() => document.documentElement.scrollHeight));
      })
      .toBe(true);
    expect(await challengeFrame.locator('button[type="submit"]').isVisible()).toBe(true);
    // One title on screen, the fields' own: the bank's page keeps its heading for screen readers only.
    const h1 = challengeFrame.getByRole('heading', { level: 1 });
    expect(await h1.textContent()).toBe('Confirm your payment');
    expect(await h1.evaluate((el) => el.getBoundingClientRect().width * el.getBoundingClientRect().height)).toBeLessThanOrEqual(1);

    await challenge.locator('#code').fill('123456');
    await challenge.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/orders/confirm');
    await expect.poll(() => page.locator('#confirmation-heading').textContent()).toBe('Thank you for your order');
    expect(await page.locator('.facts').textContent()).toContain('•••• 3220');
    await leaks.assertClean(CVC);
  });

  it('shows a decline once, in the fields, then pays with another card in the same session', async () => {
    const { page, leaks } = await openRecordedPage();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    const f = fieldsOf(page);
    await fillNewCard(f, DECLINED, CVC);
    const button = page.locator('#pay-button');
    await button.click();

    await expect.poll(() => f.locator('#cv-notice').textContent()).toBe('The card was declined. Use another card.');
    expect(await f.locator('#cv-notice').getAttribute('class')).toContain('cv-notice--error');
    await expect.poll(() => button.isEnabled()).toBe(true);
    // One message: the shop's page does not repeat the fields' own.
    expect(await page.locator('#pay-message').textContent()).toBe('');
    expect(page.url()).toContain('/checkout');

    await f.locator('#cv-number').fill(VISA);
    await expect.poll(() => f.locator('#cv-notice').textContent()).toBe('');
    await pay(page);
    await expect.poll(() => page.locator('#confirmation-heading').textContent()).toBe('Thank you for your order');
    await leaks.assertClean(CVC);
  });

  it('flags an invalid number when the customer leaves the field, not while typing, and sets aria-invalid', async () => {
    const { page } = await openRecordedPage();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    const f = fieldsOf(page);
    const number = f.locator('#cv-number');
    const error = f.locator('#cv-number-error');
    expect(await number.getAttribute('aria-describedby')).toBe('cv-number-error');

    // The last digit breaks the Luhn check.
    await number.pressSequentially('4242424242424241');
    expect(await number.inputValue()).toBe('4242 4242 4242 4241');
    expect(await error.textContent()).toBe('');
    expect(await number.getAttribute('aria-invalid')).toBe('false');

    await number.press('Tab');
    await expect.poll(() => error.textContent()).toBe('This card number is not valid.');
    expect(await number.getAttribute('aria-invalid')).toBe('true');
    expect(await f.locator('#cv-expiry').evaluate((el) => el === document.activeElement)).toBe(true);
    // Shown once, beside the field: the shop's page does not repeat it.
    expect(await page.locator('#pay-message').textContent()).toBe('');

    await number.fill(VISA);
    await expect.poll(() => error.textContent()).toBe('');
    expect(await number.getAttribute('aria-invalid')).toBe('false');

    // An incomplete number is not an error while it is typed, only once it is left so.
    await number.fill('');
    await number.pressSequentially('424242');
    expect(await error.textContent()).toBe('');
    await f.locator('#cv-cvc').click();
    await expect.poll(() => error.textContent()).toBe('The card number is incomplete.');
    expect(await number.getAttribute('aria-invalid')).toBe('true');
  });

  it('renders the fields in French with ?locale=fr', async () => {
    const { page } = await openRecordedPage();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso&locale=fr`);
    const f = fieldsOf(page);
    await f.locator('#cv-number').waitFor();
    expect(await f.locator('label[for="cv-number"]').textContent()).toBe('Numéro de carte');
    expect(await f.locator('label[for="cv-expiry"]').textContent()).toBe('Date d’expiration');
    expect(await f.locator('label[for="cv-cvc"]').textContent()).toBe('Code de sécurité');
    expect(await f.locator('label[for="cv-holder"]').textContent()).toBe('Nom sur la carte (facultatif)');
    expect(await f.locator('#cv-expiry').getAttribute('placeholder')).toBe('MM / AA');
    expect(await f.locator('html').getAttribute('lang')).toBe('fr');
    await f.locator('#cv-number').pressSequentially('4242424242424241');
    await f.locator('#cv-number').press('Tab');
    await expect.poll(() => f.locator('#cv-number-error').textContent()).toBe('Ce numéro de carte n’est pas valide.');
  });

  it("pays on the no-code page with the fields' own button and hands the result to onPaid", async () => {
    const { page, leaks } = await openRecordedPage();
    await page.goto(`${stack.shopUrl}/no-code`);
    const f = fieldsOf(page);
    const submit = f.locator('button.cv-submit');
    await submit.waitFor();
    expect(await submit.textContent()).toMatch(/^Pay .*19\.99/);
    await fillNewCard(f, VISA, CVC);
    await submit.click();

    await expect.poll(() => page.locator('#result').isVisible()).toBe(true);
    expect(await page.locator('#result-text').textContent()).toMatch(/^Approved: visa •••• 4242\. Session cs_/);
    await page.getByRole('button', { name: /Verify with the shop's server/ }).click();
    await expect.poll(() => page.locator('#confirmation-heading').textContent()).toBe('Thank you for your order');
    await leaks.assertClean(CVC);
  });

  it('fits the fields into a 375 px wide phone without a scroll bar inside the frame', async () => {
    const context = await stack.browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    await fieldsOf(page).locator('#cv-number').waitFor();
    const frame = await frameOf(page.locator(`iframe[title="${FIELDS_TITLE}"]`));
    const box = () => page.locator(`iframe[title="${FIELDS_TITLE}"]`).evaluate((el) => ({ width: el.clientWidth, height: el.clientHeight }));
    const content = () => frame.evaluate(() => ({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight }));
    await expect.poll(async () => (await box()).height >= (await content()).height).toBe(true);
    expect((await content()).width).toBeLessThanOrEqual((await box()).width);
    // Expiry and security code stay side by side, each wide enough for its placeholder.
    const cvc = await fieldsOf(page).locator('#cv-cvc').boundingBox();
    expect(cvc!.width).toBeGreaterThan(80);
  });

  it("keeps the fields' endpoints closed to the shop's own scripts, even on an allowed origin", async () => {
    const session = await createSession({ amount: 500, currency: 'USD' });
    const { page } = await openRecordedPage();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    const confirmUrl = `${stack.vaultUrl}/frame/v1/confirm`;
    const statuses: number[] = [];
    page.on('response', (r) => {
      if (r.url() === confirmUrl && r.request().frame() === page.mainFrame()) statuses.push(r.status());
    });
    const outcome = await page.evaluate(
      async ({ url, clientSecret, host }) => {
        const headers = { authorization: `Bearer ${clientSecret}`, 'checkout-host-origin': host, 'content-type': 'application/json' };
        let cors: string;
        try {
          cors = `answered ${(await fetch(url, { method: 'POST', headers, body: '{}' })).status}`;
        } catch {
          cors = 'blocked';
        }
        // A "simple" request is sent without a preflight; the vault must refuse it by its Origin.
        const simple = await fetch(url, { method: 'POST', mode: 'no-cors', body: '{}' });
        return { cors, simple: simple.type };
      },
      { url: confirmUrl, clientSecret: session.client_secret, host: stack.shopUrl },
    );
    expect(outcome).toEqual({ cors: 'blocked', simple: 'opaque' });
    await expect.poll(() => statuses).toContain(403);
    expect(statuses.every((s) => s === 403)).toBe(true);
    expect(await vaultApi<{ status: string }>('GET', `/v1/sessions/${session.id}`)).toMatchObject({ status: 'open' });
  });

  it("refuses to show the fields on a page whose origin is not on the merchant's allowed list", async () => {
    const session = await createSession({ amount: 500, currency: 'USD' });
    const outsider = await serveOutsider(
      () => `<!doctype html><title>Outsider</title><div id="pay"></div>
      <script src="${stack.vaultUrl}/checkout.js"></script>
      <script>
        window.heard = [];
        const fields = Checkout(${JSON.stringify(stack.merchant.publishable_key)}).mount('#pay', { clientSecret: ${JSON.stringify(session.client_secret)} });
        fields.on('error', (error) => heard.push(error));
        fields.confirm().then((result) => (window.result = result));
      </script>`,
    );
    try {
      const { page, consoleLines } = await openRecordedPage();
      const frameAnswer = page.waitForResponse((r) => r.url().startsWith(`${stack.vaultUrl}/frame?`));
      // goto waits for the load event, which waits for the iframe's own.
      await page.goto(`${outsider.origin}/`);
      const answer = await frameAnswer;
      expect(new URL(answer.url()).searchParams.get('origin')).toBe(outsider.origin);
      expect(answer.status()).toBe(403);
      expect(answer.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      await expect
        .poll(() =>
          page
            .mainFrame()
            .childFrames()
            .map((f) => f.url()),
        )
        .toEqual([BLOCKED]);
      await expect
        .poll(() => consoleLines.some((line) => line.includes('violates the following Content Security Policy directive: "frame-ancestors \'none\'"')))
        .toBe(true);
      expect(await fieldsOf(page).locator('input').count()).toBe(0);
      // The page is told, and its confirm() resolves instead of waiting for fields that never load.
      await expect
        .poll(() => page.evaluate(() => (window as any).result), { timeout: 10_000 })
        .toMatchObject({
          status: 'failed',
          error: { type: 'api_error', code: 'fields_unavailable' },
        });
      const heard = await page.evaluate(() => (window as any).heard);
      expect(heard).toHaveLength(1);
      expect(heard[0].message).toContain(outsider.origin);
    } finally {
      await outsider.close();
    }
  });

  it('lets the browser block the fields when a page lies about its origin (frame-ancestors)', async () => {
    const pk = stack.merchant.publishable_key;
    const frameUrl = (claimed: string) => `${stack.vaultUrl}/frame?pk=${encodeURIComponent(pk)}&origin=${encodeURIComponent(claimed)}`;
    // An outsider claiming to be the shop: the vault serves the page with frame-ancestors naming the
    // shop only, and the browser refuses to show it inside the outsider.
    const outsider = await serveOutsider(
      () => `<!doctype html><title>Outsider</title><iframe title="${FIELDS_TITLE}" src="${frameUrl(stack.shopUrl)}"></iframe>`,
    );
    try {
      const { page, consoleLines } = await openRecordedPage();
      const frameAnswer = page.waitForResponse((r) => r.url().startsWith(`${stack.vaultUrl}/frame?`));
      await page.goto(`${outsider.origin}/`);
      const answer = await frameAnswer;
      expect(answer.status()).toBe(200);
      expect(answer.headers()['content-security-policy']).toContain(`frame-ancestors ${stack.shopUrl}`);
      await expect
        .poll(() =>
          page
            .mainFrame()
            .childFrames()
            .map((f) => f.url()),
        )
        .toEqual([BLOCKED]);
      await expect
        .poll(() => consoleLines.some((line) => line.includes(`violates the following Content Security Policy directive: "frame-ancestors ${stack.shopUrl}"`)))
        .toBe(true);
    } finally {
      await outsider.close();
    }

    // The shop's own page (an allowed origin) naming another origin is refused too, beside its real fields.
    const { page } = await openRecordedPage();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    await fieldsOf(page).locator('#cv-number').waitFor();
    const frameAnswer = page.waitForResponse((r) => r.url() === frameUrl('http://evil.test'));
    const loaded = await page.evaluate(
      (src) =>
        new Promise<boolean>((resolve) => {
          const iframe = document.createElement('iframe');
          iframe.title = 'lying frame';
          iframe.onload = () => resolve(true);
          setTimeout(() => resolve(false), 10_000);
          iframe.src = src;
          document.body.append(iframe);
        }),
      frameUrl('http://evil.test'),
    );
    expect(loaded).toBe(true);
    expect((await frameAnswer).status()).toBe(403);
    const lying = await frameOf(page.locator('iframe[title="lying frame"]'));
    await expect.poll(() => lying.url()).toBe(BLOCKED);
    const honest = await frameOf(page.locator(`iframe[title="${FIELDS_TITLE}"]`));
    // The honest frame beside it is the vault's page, with its fields.
    expect(honest.url()).toContain(`origin=${encodeURIComponent(stack.shopUrl)}`);
    expect(await fieldsOf(page).locator('#cv-number').isVisible()).toBe(true);
  });
});

// ---- Helpers ----

function nextCustomer(name: string): string {
  return `${name}-${Date.now().toString(36)}-${++customers}`;
}

function fieldsOf(page: Page): FrameLocator {
  return page.frameLocator(`iframe[title="${FIELDS_TITLE}"]`);
}

async function frameOf(locator: ReturnType<Page['locator']>): Promise<Frame> {
  const frame = await (await locator.elementHandle())!.contentFrame();
  if (!frame) throw new Error('the iframe has no frame');
  return frame;
}

async function fieldsFrameHeight(page: Page): Promise<number> {
  return page.locator(`iframe[title="${FIELDS_TITLE}"]`).evaluate((el) => el.clientHeight);
}

async function fillNewCard(f: FrameLocator, number: string, cvc: string, expiry = '12 / 34'): Promise<void> {
  await f.locator('#cv-number').fill(number);
  await f.locator('#cv-expiry').fill(expiry);
  await f.locator('#cv-cvc').fill(cvc);
}

/** Clicks the shop's button and waits for the shop's server to confirm the order. */
async function pay(page: Page): Promise<void> {
  await page.locator('#pay-button').click();
  await page.waitForURL('**/orders/confirm');
}

async function signIn(page: Page, customer: string): Promise<void> {
  await page.goto(`${stack.shopUrl}/sign-in?next=/`);
  await page.locator('#customer').fill(customer);
  await page.locator('main form button[type="submit"]').click();
  await page.waitForURL(`${stack.shopUrl}/`);
  expect(await page.locator('.account strong').textContent()).toBe(customer);
}

/** The vault's API with the test merchant's secret key (demo-fixtures.ts), on this file's stack. */
const vaultApi = <T>(method: string, path: string, body?: unknown): Promise<T> => stackApi<T>(stack, method, path, body);

function createSession(body: Record<string, unknown>): Promise<{ id: string; client_secret: string }> {
  return vaultApi('POST', '/v1/sessions', body);
}

function listCards(customer: string): Promise<{ token: string; bin: string; last4: string; brand: string; successful_payments: number }[]> {
  return vaultApi<{ data: never[] }>('GET', `/v1/customers/${encodeURIComponent(customer)}/cards`).then((r) => r.data);
}

/** Setup only: saves a card as the fields would (README "A payment with curl"), without a browser. */
async function saveCardThroughVault(customer: string, number: string): Promise<void> {
  const session = await createSession({ amount: 100, currency: 'USD', customer });
  const res = await fetch(`${stack.vaultUrl}/frame/v1/confirm`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${session.client_secret}`,
      origin: stack.vaultUrl,
      'checkout-host-origin': stack.shopUrl,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      card: { number: number.replace(/ /g, ''), exp_month: 12, exp_year: 2034, cvc: '123' },
      save: true,
      consent_text: 'Save this card for future payments',
    }),
  });
  const json = (await res.json()) as { status?: string };
  if (!res.ok || json.status !== 'succeeded') throw new Error(`saving a card answered ${res.status}: ${JSON.stringify(json)}`);
}

/** A page on an origin that is not on the merchant's list: 127.0.0.1 on a port of its own. */
async function serveOutsider(page: (origin: string) => string): Promise<{ origin: string; close(): Promise<void> }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(origin)));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  expect((server.address() as AddressInfo).port).toBe(port);
  return { origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

// ---- The recorder on the shop's page ----

interface Leaks {
  /** Requests the vault's iframe made, URL and body: the one place the number is expected. */
  frameRequests: string[];
  /** Asserts that nothing the shop's page saw, sent or stored holds a card number or `cvc`. */
  assertClean(cvc: string): Promise<void>;
}

/**
 * Runs in the top page before any of its scripts: records every message event's data, every DOM
 * mutation's text and attribute values, every input's value, and every fetch, XHR and beacon the
 * page's scripts send. Frames skip it: the fields' own document is the vault's and may hold the card.
 * The demo's static "Test cards" box lists the test numbers for people to copy; it is server-rendered
 * help text, the same for every visitor, so it is left out of what the recorder reads.
 */
const RECORDER = `(() => {
  if (window !== window.top) return;
  const HELP = '.test-cards';
  const send = (kind, value) => { try { window.__leakRecord(kind, String(value)); } catch {} };
  const text = (v) => { try { return typeof v === 'string' ? v : JSON.stringify(v); } catch { return String(v); } };
  const inHelp = (n) => { const el = n.nodeType === 1 ? n : n.parentElement; return Boolean(el && el.closest && el.closest(HELP)); };
  const html = (el) => {
    if (!el.querySelector(HELP)) return el.outerHTML;
    const copy = el.cloneNode(true);
    copy.querySelectorAll(HELP).forEach((x) => x.remove());
    return copy.outerHTML;
  };
  window.__leakHtml = () => html(document.documentElement);
  addEventListener('message', (e) => send('message', text(e.data)), true);
  new MutationObserver((records) => {
    for (const r of records) {
      if (inHelp(r.target)) continue;
      if (r.type === 'characterData') send('mutation', r.target.data);
      else if (r.type === 'attributes') send('mutation', r.attributeName + '=' + r.target.getAttribute(r.attributeName));
      else for (const n of r.addedNodes) if (!inHelp(n)) send('mutation', n.nodeType === 1 ? html(n) : n.textContent);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  for (const type of ['input', 'change']) document.addEventListener(type, (e) => send('input', e.target && e.target.value), true);
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    send('fetch', (input && input.url ? input.url : input) + ' ' + text(init && init.body));
    return fetch0.apply(this, arguments);
  };
  const open0 = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) { send('xhr', method + ' ' + url); return open0.apply(this, arguments); };
  const send0 = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) { send('xhr', text(body)); return send0.apply(this, arguments); };
  const beacon0 = navigator.sendBeacon && navigator.sendBeacon.bind(navigator);
  if (beacon0) navigator.sendBeacon = (url, data) => { send('beacon', url + ' ' + text(data)); return beacon0(url, data); };
})();`;

/** A new context and page with the recorder installed on the top page. */
async function openRecordedPage(): Promise<{ context: BrowserContext; page: Page; leaks: Leaks; consoleLines: string[] }> {
  const context = await stack.context();
  contexts.push(context);
  context.setDefaultTimeout(15_000);
  const records: string[] = [];
  const frameRequests: string[] = [];
  await context.exposeBinding('__leakRecord', (_source, kind: string, value: string) => void records.push(`${kind}: ${value}`));
  await context.addInitScript(RECORDER);
  const page = await context.newPage();
  page.on('request', (req) => {
    const line = `${req.url()} ${req.postData() ?? ''}`;
    if (req.frame() === page.mainFrame()) records.push(`request: ${line}`);
    else frameRequests.push(line);
  });
  const consoleLines: string[] = [];
  page.on('console', (msg) => {
    consoleLines.push(msg.text());
    if (msg.location().url.startsWith(stack.shopUrl)) records.push(`console: ${msg.text()}`);
  });
  const snapshot = async () => {
    // What the shop's page holds at the end: its DOM, its inputs, cookies and storage of every origin.
    const state = await page.evaluate(() => ({
      html: (window as unknown as { __leakHtml(): string }).__leakHtml(),
      values: [...document.querySelectorAll('input, textarea, select')].map((el) => (el as HTMLInputElement).value),
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    records.push(...Object.entries(state).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`));
    records.push(`storage: ${JSON.stringify(await context.storageState())}`);
  };
  const leaks: Leaks = {
    frameRequests,
    async assertClean(cvc) {
      await snapshot();
      expect(records.filter((r) => r.startsWith('message: ')).length, "the recorder heard the fields' messages").toBeGreaterThan(0);
      expect(records.filter((r) => r.startsWith('mutation: ')).length, 'the recorder saw the DOM change').toBeGreaterThan(0);
      const cvcWord = new RegExp(`\\b${cvc}\\b`);
      for (const record of records) {
        const compact = record.replace(/[\s-]/g, '');
        for (const n of NUMBERS) expect(compact.includes(n), `the shop's page saw a card number: ${record.slice(0, 300)}`).toBe(false);
        expect(cvcWord.test(record), `the shop's page saw the security code: ${record.slice(0, 300)}`).toBe(false);
      }
      expect(stack.logs.length, 'the vault logged its requests').toBeGreaterThan(0);
      const log = stack.logs.join('\n').replace(/[\s-]/g, '');
      for (const n of NUMBERS) expect(log.includes(n), 'the vault logged a card number').toBe(false);
      expect(new RegExp(`cvc\\W{0,4}${cvc}\\b`, 'i').test(stack.logs.join('\n')), 'the vault logged the security code').toBe(false);
    },
  };
  return { context, page, leaks, consoleLines };
}
