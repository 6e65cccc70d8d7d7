// A provider's 3-D Secure in Chromium, end to end, for Stripe and Adyen (their local servers): the
// fields show the vault's step, which frames the issuer's page; the customer answers there (or in a
// window of its own when the frame stays blank), the issuer sends the browser back to the vault, and
// the fields finish the payment. Also what keeps that step safe: the issuer is the only origin it
// may frame, and no window but the step itself can tell the fields the bank said yes.
import type { BrowserContext, Frame, FrameLocator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalProvider, type LocalProvider, type ProviderName } from '../helpers/provider-fixtures.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';
import { vaultApi as stackApi } from './demo-fixtures.ts';

const VISA = '4242 4242 4242 4242';
const THREE_D_SECURE = '4000 0000 0000 3220';
const CVC = '373';
const FIELDS_TITLE = 'Secure card payment';
/** Where Chromium leaves a frame it refused to load. */
const BLOCKED = 'chrome-error://chromewebdata/';
const PROVIDERS: ProviderName[] = ['stripe', 'adyen'];

let stack: Stack;
const providers = {} as Record<ProviderName, LocalProvider>;
const contexts: BrowserContext[] = [];

interface ConfirmAnswer {
  status?: string;
  session?: string;
  next_action?: { challenge: string; url: string };
  error?: { code: string };
}

interface Checkout {
  context: BrowserContext;
  page: Page;
  fields: FrameLocator;
  /** Every answer the vault gave the fields' confirmations, in order. */
  confirms: ConfirmAnswer[];
  consoleLines: string[];
}

describeInBrowser("a provider's 3-D Secure redirect through the fields, in the browser", () => {
  beforeAll(async () => {
    const [stripe, adyen] = await Promise.all(PROVIDERS.map((name) => startLocalProvider(name)));
    providers.stripe = stripe!;
    providers.adyen = adyen!;
    stack = await startStack({ processorBaseUrls: { stripe: stripe!.url, adyen: adyen!.url } });
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all(Object.values(providers).map((p) => p.close()));
  });

  for (const name of PROVIDERS) {
    describe(`through ${name}`, () => {
      let provider: LocalProvider;
      let issuerOrigin: string;
      beforeAll(async () => {
        provider = providers[name];
        issuerOrigin = new URL(provider.url).origin;
        const set = await vaultApi<{ processor: unknown }>('POST', '/v1/merchant', { processor: provider.settings });
        expect(set.processor).toMatchObject({ type: name, configured: true });
      });

      it('shows the issuer\'s page inside the fields; "Complete" there pays once, at the provider', async () => {
        const paidBefore = provider.paid();
        const c = await openCheckout();
        await startThreeDs(c);
        const issuer = issuerOf(c.fields);
        await issuer.getByRole('button', { name: 'Complete' }).waitFor();
        // The issuer's page is framed by the vault's step, which is framed by the fields.
        const step = await stepFrame(c.page);
        expect(step.url()).toMatch(new RegExp(`^${stack.vaultUrl}/frame/3ds/chl_`));
        const issuerFrame = await frameOf(step.locator('iframe.issuer'));
        expect(new URL(issuerFrame.url()).origin).toBe(issuerOrigin);
        expect(await c.fields.locator('#cv-challenge-title').textContent()).toBe('Confirm the payment with your bank');

        await issuer.getByRole('button', { name: 'Complete' }).click();
        await c.page.waitForURL('**/orders/confirm');
        await expect.poll(() => c.page.locator('#confirmation-heading').textContent()).toBe('Thank you for your order');
        expect(await c.page.locator('.facts').textContent()).toContain('•••• 3220');

        const session = sessionOf(c);
        expect(c.confirms.map((a) => a.status)).toEqual(['requires_action', 'succeeded']);
        const view = await vaultApi<{ status: string; charge: string | null }>('GET', `/v1/sessions/${session}`);
        expect(view.status).toBe('complete');
        const charges = await chargesOf(session);
        expect(charges.map((ch) => [ch.id, ch.status, ch.card_details.last4])).toEqual([[view.charge, 'succeeded', '3220']]);
        expect(provider.paid()).toBe(paidBefore + 1);
      });

      it('"Fail" at the issuer: the fields say the payment failed, nothing is charged, and another card pays in the same session', async () => {
        const paidBefore = provider.paid();
        const c = await openCheckout();
        await startThreeDs(c);
        await issuerOf(c.fields).getByRole('button', { name: 'Fail' }).click();

        // Back to the form, with an error the customer reads there, once.
        await expect.poll(() => c.fields.locator('#cv-notice').textContent()).toBe('The payment failed. Check the details or use another card.');
        expect(await c.fields.locator('#cv-notice').getAttribute('class')).toContain('cv-notice--error');
        await expect.poll(() => c.page.locator('#pay-button').isEnabled()).toBe(true);
        expect(await c.page.locator('#pay-message').textContent()).toBe('');
        // The bank's no is recorded as a failed charge, and nothing took money.
        const session = sessionOf(c);
        expect((await vaultApi<{ status: string }>('GET', `/v1/sessions/${session}`)).status).toBe('open');
        expect((await chargesOf(session)).map((ch) => [ch.status, ch.card_details.last4])).toEqual([['failed', '3220']]);
        expect(provider.paid()).toBe(paidBefore);

        await c.fields.locator('#cv-number').fill(VISA);
        await c.page.locator('#pay-button').click();
        await expect.poll(() => c.confirms.length).toBe(2);
        expect(c.confirms[1]).toMatchObject({ status: 'succeeded', session });
        await c.page.waitForURL('**/orders/confirm');
        await expect.poll(() => c.page.locator('#confirmation-heading').textContent()).toBe('Thank you for your order');
        expect(await c.page.locator('.facts').textContent()).toContain('•••• 4242');
        expect((await chargesOf(session)).map((ch) => [ch.status, ch.card_details.last4]).sort()).toEqual([
          ['failed', '3220'],
          ['succeeded', '4242'],
        ]);
        expect(provider.paid()).toBe(paidBefore + 1);
      });

      it('"open it in a new window": the issuer\'s page in a popup, which closes itself, and the fields finish the payment', async () => {
        const paidBefore = provider.paid();
        const c = await openCheckout();
        await startThreeDs(c);
        const step = c.fields.frameLocator('iframe.cv-challenge-frame');
        // A popup opens at once, or not at all (a sandbox without allow-popups blocks it). The context's
        // 15 s, as for every other step: 5 s was tight for a new window of Chromium on a busy machine.
        const opened = c.context.waitForEvent('page', { timeout: 15_000 });
        await step.getByRole('link', { name: 'open it in a new window' }).click();
        const popup = await opened;
        await popup.waitForURL((url) => url.origin === issuerOrigin);
        const closed = popup.waitForEvent('close');
        await popup.getByRole('button', { name: 'Complete' }).click();
        await closed;
        expect(popup.isClosed()).toBe(true);

        await c.page.waitForURL('**/orders/confirm');
        await expect.poll(() => c.page.locator('#confirmation-heading').textContent()).toBe('Thank you for your order');
        const session = sessionOf(c);
        expect((await vaultApi<{ status: string }>('GET', `/v1/sessions/${session}`)).status).toBe('complete');
        expect((await chargesOf(session)).map((ch) => ch.status)).toEqual(['succeeded']);
        expect(provider.paid()).toBe(paidBefore + 1);
      });

      it("lets the step frame the issuer's origin only, and takes the verdict from the step's own window only", async () => {
        const paidBefore = provider.paid();
        const c = await openCheckout();
        const stepAnswer = c.page.waitForResponse((r) => /\/frame\/3ds\/chl_[^/]+$/.test(new URL(r.url()).pathname));
        await startThreeDs(c);
        const csp = (await stepAnswer).headers()['content-security-policy'] ?? '';
        const directives = csp.split(';').map((d) => d.trim());
        // The issuer's origin, and the vault's own for the return page the issuer sends the frame to.
        expect(directives.filter((d) => d.startsWith('frame-src '))).toEqual([`frame-src ${issuerOrigin} ${stack.vaultUrl}`]);
        // The browser enforces it: another origin (the shop's) framed inside the step stays blank.
        const step = await stepFrame(c.page);
        await step.evaluate((src) => {
          const frame = document.createElement('iframe');
          frame.title = 'not the issuer';
          frame.src = src;
          document.body.append(frame);
        }, `${stack.shopUrl}/`);
        await expect
          .poll(() =>
            c.consoleLines.some((l) => l.includes(`violates the following Content Security Policy directive: "frame-src ${issuerOrigin} ${stack.vaultUrl}"`)),
          )
          .toBe(true);
        const other = await frameOf(step.locator('iframe[title="not the issuer"]'));
        await expect.poll(() => other.url()).toBe(BLOCKED);

        // Forged verdicts, with the right challenge id: from the shop's page, from the issuer's page
        // (to the fields and to the step's relay), and from the fields' own window.
        const challenge = c.confirms[0]!.next_action!.challenge;
        const passed = { type: 'checkout:3ds', challenge, status: 'passed' };
        const issuer = await frameOf(step.locator('iframe.issuer'));
        const fieldsFrame = await frameOf(c.page.locator(`iframe[title="${FIELDS_TITLE}"]`));
        await c.page.evaluate(
          ({ m, title }) => {
            document.querySelector<HTMLIFrameElement>(`iframe[title="${title}"]`)!.contentWindow!.postMessage(m, '*');
          },
          { m: passed, title: FIELDS_TITLE },
        );
        // Tolerant: should a forgery have been taken, these frames are gone, and the checks below say so.
        await issuer
          .evaluate((m) => {
            parent.parent.postMessage(m, '*');
            parent.postMessage({ ...m, type: 'checkout:3ds-return' }, '*');
          }, passed)
          .catch(() => undefined);
        await fieldsFrame.evaluate((m) => window.postMessage(m, location.origin), passed).catch(() => undefined);
        // Given the time a real verdict takes to be acted on, none of these was.
        await c.page.waitForTimeout(750);
        expect(c.confirms.map((a) => a.status)).toEqual(['requires_action']);
        expect(await c.fields.locator('iframe.cv-challenge-frame').count()).toBe(1);
        const session = sessionOf(c);
        expect((await vaultApi<{ status: string }>('GET', `/v1/sessions/${session}`)).status).not.toBe('complete');
        expect(provider.paid()).toBe(paidBefore);

        // The step's own window is still heard: the customer completes at the issuer and pays.
        await issuerOf(c.fields).getByRole('button', { name: 'Complete' }).click();
        await c.page.waitForURL('**/orders/confirm');
        expect((await vaultApi<{ status: string }>('GET', `/v1/sessions/${session}`)).status).toBe('complete');
        expect(provider.paid()).toBe(paidBefore + 1);
      });
    });
  }
});

// ---- Helpers ----

async function openCheckout(): Promise<Checkout> {
  const context = await stack.context();
  contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const confirms: ConfirmAnswer[] = [];
  // Read as it passes, before the browser has it: a success navigates the page at once, and a
  // response body is gone once its page has navigated.
  await context.route(`${stack.vaultUrl}/frame/v1/confirm`, async (route) => {
    const response = await route.fetch();
    confirms.push(JSON.parse(await response.text()) as ConfirmAnswer);
    await route.fulfill({ response });
  });
  const consoleLines: string[] = [];
  page.on('console', (msg) => void consoleLines.push(msg.text()));
  await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
  return { context, page, fields: page.frameLocator(`iframe[title="${FIELDS_TITLE}"]`), confirms, consoleLines };
}

/** Types the 3-D Secure test card, pays, and waits for the vault's step to show the issuer's page. */
async function startThreeDs(c: Checkout): Promise<void> {
  await c.fields.locator('#cv-number').fill(THREE_D_SECURE);
  await c.fields.locator('#cv-expiry').fill('12 / 34');
  await c.fields.locator('#cv-cvc').fill(CVC);
  await c.page.locator('#pay-button').click();
  await issuerOf(c.fields).getByRole('button', { name: 'Complete' }).waitFor();
  expect(c.confirms).toEqual([expect.objectContaining({ status: 'requires_action' })]);
}

function issuerOf(fields: FrameLocator): FrameLocator {
  return fields.frameLocator('iframe.cv-challenge-frame').frameLocator('iframe.issuer');
}

function sessionOf(c: Checkout): string {
  const session = c.confirms[0]?.session;
  if (!session) throw new Error('the fields made no confirmation');
  return session;
}

async function stepFrame(page: Page): Promise<Frame> {
  const fields = await frameOf(page.locator(`iframe[title="${FIELDS_TITLE}"]`));
  return frameOf(fields.locator('iframe.cv-challenge-frame'));
}

async function frameOf(locator: ReturnType<Page['locator']>): Promise<Frame> {
  const frame = await (await locator.elementHandle())!.contentFrame();
  if (!frame) throw new Error('the iframe has no frame');
  return frame;
}

/** The vault's API with the test merchant's secret key (demo-fixtures.ts), on this file's stack. */
const vaultApi = <T>(method: string, path: string, body?: unknown): Promise<T> => stackApi<T>(stack, method, path, body);

/** The charges the vault recorded for one session (the newest hundred are plenty for this suite). */
async function chargesOf(session: string): Promise<Array<{ id: string; status: string; session: string | null; card_details: { last4: string } }>> {
  const list = await vaultApi<{ data: Array<{ id: string; status: string; session: string | null; card_details: { last4: string } }> }>(
    'GET',
    '/v1/charges?limit=100',
  );
  return list.data.filter((ch) => ch.session === session);
}
