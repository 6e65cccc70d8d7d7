// The card-on-file lifecycle in Chromium, end to end: a customer subscribes and sets up automatic
// payments in the vault's fields, the merchant's back office charges the saved card and invoices it,
// the vault's scheduler pays the invoice, the vault's webhooks reach the shop signed and verified,
// and the messages to the customer appear in the outbox. Then the same with a card that saves and
// verifies but declines every later charge.
import type { BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysAfter, formatDate, oneYearAfter } from '../../demo/format.ts';
import { deliverDueEvents } from '../../server/jobs/webhook-worker.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

const VISA = '4242 4242 4242 4242';
const DECLINES_LATER = '4000 0000 0000 0341';
const CVC = '373';
const FIELDS_TITLE = 'Secure card payment';

const COFFEE_CLUB = '$15.00 every 30 days';
const AUTOPAY = '$1.00 to $100.00 per charge, at any time';

let stack: Stack;
const contexts: BrowserContext[] = [];
const run = Date.now().toString(36);

/**
 * Dates as the fields write them in English and the vault's English messages do: written out here, as
 * what a reader expects, not taken from the shop's formatDate (which writes the shop's own pages).
 */
const englishDate = (iso: string) => new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));

describeInBrowser('card on file in the browser: agreements, back office, webhooks, outbox', () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    await stack?.close();
  });

  describeCustomer('approved', VISA, (c) => {
    it('subscribes with the consent naming the amount, the frequency and the end date, and sees the agreement on My cards', async () => {
      const page = await c.page();
      await signIn(page, c.customer);
      // The agreement's end date is the shop's when it opens the page: taken then, not when asserted.
      const ends = oneYearAfter(new Date());
      await page.goto(`${stack.shopUrl}/subscribe`);
      const f = fieldsOf(page);
      await fillNewCard(f, VISA);
      const consent = await f.locator('label[for="cv-consent"]').textContent();
      expect(consent).toContain('$15.00 per payment');
      expect(consent).toContain('every 30 days');
      expect(consent).toContain(`until ${englishDate(ends)}`);
      expect(await f.locator('#cv-consent').isChecked()).toBe(false);
      await f.locator('#cv-consent').check();
      await page.locator('#pay-button').click();
      await page.waitForURL('**/orders/confirm');
      await expect.poll(() => page.locator('#confirmation-heading').textContent()).toBe('Welcome to the club');

      await page.goto(`${stack.shopUrl}/cards`);
      const agreement = agreementOn(page, COFFEE_CLUB);
      const facts = await agreement.locator('dl').textContent();
      expect(facts).toContain('Visa •••• 4242');
      expect(facts).toMatch(/How often\s*every 30 days/);
      expect(facts).toContain(formatDate(ends));
      expect(facts).toMatch(/Status\s*active/);
      // The consent recorded is the very text the customer ticked.
      expect(await agreement.locator('.consent-text').textContent()).toBe(consent);
      expect(await agreement.getByRole('button', { name: 'Cancel agreement' }).isVisible()).toBe(true);
    });

    it('gets "Charge now" on the coffee club refused by the vault: its first payment was today, the next is due in 30 days', async () => {
      const page = await c.page();
      await page.goto(`${stack.shopUrl}/admin`);
      expect(await page.locator('h1').textContent()).toBe('Merchant back office (demo)');
      expect(await page.locator('.admin-warning').textContent()).toContain('this demo has no login');
      const club = agreementOn(page, COFFEE_CLUB);
      expect(await club.getByLabel('Amount (USD)').inputValue()).toBe('15.00');
      const result = await submit(page, club.getByRole('button', { name: 'Charge now' }));
      expect(result).toContain('Charge refused by the vault: mandate_violation');
      expect(result).toContain('The mandate allows one charge every 30 days');
    });

    it('sets up automatic payments on the same card, the saved one, by its security code', async () => {
      await setUpAutopay(c);
      const page = await c.page();
      await page.goto(`${stack.shopUrl}/cards`);
      expect(await page.locator('.saved-card-name').allTextContents()).toEqual([expect.stringContaining('Visa •••• 4242')]);
      expect(await page.locator('li.agreement h3').allTextContents()).toEqual([AUTOPAY, COFFEE_CLUB]);
      expect(await agreementOn(page, AUTOPAY).locator('dl').textContent()).toMatch(/Card\s*Visa •••• 4242/);
    });

    it('"Charge now" on the automatic-payments agreement succeeds as a merchant-initiated charge', async () => {
      const page = await c.page();
      await page.goto(`${stack.shopUrl}/admin`);
      const autopay = agreementOn(page, AUTOPAY);
      expect(await autopay.getByLabel('Amount (USD)').inputValue()).toBe('100.00');
      const result = await submit(page, autopay.getByRole('button', { name: 'Charge now' }));
      expect(result).toContain('Charge succeeded: $100.00');
      expect(result).toMatch(/Charge ch_\S+, initiated by the merchant, under mdt_/);
      const charges = await vaultApi<{ data: { initiator: string; status: string; amount: number }[] }>('GET', `/v1/charges?customer=${c.customer}`);
      expect(charges.data.map((ch) => [ch.initiator, ch.status, ch.amount])).toEqual([
        ['merchant', 'succeeded', 10000],
        ['customer', 'succeeded', 1500],
      ]);
    });

    it("receives the vault's webhooks, verified: mandate.created and charge.succeeded", async () => {
      const report = await deliverDueEvents(stack.runtime.deps);
      expect(report.delivered).toBeGreaterThan(0);
      // A 400 from the shop (a bad signature) would leave events retrying.
      expect(report).toMatchObject({ retrying: 0, failed: 0, none: 0 });
      const page = await c.page();
      await page.goto(`${stack.shopUrl}/webhooks`);
      expect(await page.locator('.notice-error').count()).toBe(0);
      for (const type of ['mandate.created', 'charge.succeeded']) {
        const event = page.locator(`li.event[data-type="${type}"]`, { hasText: `"customer": "${c.customer}"` }).first();
        expect(await event.locator('.verified').textContent(), type).toBe('signature verified ✓');
        expect(await event.locator('.event-type').textContent()).toBe(type);
        expect(await event.locator('dl').textContent()).toMatch(/Event\s*evt_/);
      }
      // The merchant-initiated charge is among them.
      const mit = page.locator('li.event[data-type="charge.succeeded"]', { hasText: '"initiator": "merchant"' });
      expect(await mit.filter({ hasText: c.customer }).count()).toBe(1);
      expect(await page.locator('li.event').count()).toBe(await page.locator('li.event .verified').count());
    });

    it('creates an invoice due in 2 days; the scheduler pays it and the outbox shows "payment approved"', async () => {
      const page = await c.page();
      await page.goto(`${stack.shopUrl}/admin`);
      await page.getByLabel('Description').fill('Beans for next month');
      await page.locator('#invoice-amount').fill('25.00');
      const due = daysAfter(new Date(), 2);
      const created = await submit(page, page.getByRole('button', { name: 'Create invoice due in 2 days' }));
      expect(created).toMatch(/Invoice inv_\S+ created: \$25\.00/);
      expect(created).toContain(`due ${formatDate(due)}`);
      const row = page.locator('table.invoices tbody tr', { hasText: 'Beans for next month' });
      expect(await row.locator('.badge').textContent()).toBe('open');

      const ran = await submit(page, page.getByRole('button', { name: 'Run the scheduler now' }));
      expect(ran).toContain('The scheduler ran');
      expect(ran).toMatch(/paid [1-9]/);
      expect(await page.locator('table.invoices tbody tr', { hasText: 'Beans for next month' }).locator('.badge').textContent()).toBe('paid');

      await page.getByRole('link', { name: 'Outbox' }).last().click();
      await page.waitForURL(`**/outbox?customer=${c.customer}`);
      const approved = page.locator('li.message[data-template="payment_approved"]');
      expect(await approved.count()).toBe(1);
      expect(await approved.locator('h2').textContent()).toBe('Payment approved');
      expect(await approved.locator('.message-subject').textContent()).toBe('Payment approved: $25.00');
      const body = await approved.locator('.message-body').textContent();
      expect(body).toContain('with your card ending in 4242 was approved');
      expect(body).toContain('For: Beans for next month');
    });

    it('cancels the coffee club from My cards after a confirmation', async () => {
      const page = await c.page();
      await page.goto(`${stack.shopUrl}/cards`);
      const asked: string[] = [];
      page.once('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.accept();
      });
      await agreementOn(page, COFFEE_CLUB).getByRole('button', { name: 'Cancel agreement' }).click();
      await page.waitForURL('**/cards?notice=cancelled');
      expect(asked).toEqual([expect.stringContaining('Cancel this agreement?')]);
      expect(await agreementOn(page, COFFEE_CLUB).locator('.badge').textContent()).toBe('cancelled');
      expect(await agreementOn(page, COFFEE_CLUB).getByRole('button', { name: 'Cancel agreement' }).count()).toBe(0);
      expect(await agreementOn(page, AUTOPAY).getByRole('button', { name: 'Cancel agreement' }).count()).toBe(1);
    });
  });

  describeCustomer('declined', DECLINES_LATER, (c) => {
    it('subscribes with 4000 0000 0000 0341 (the card saves and pays at the checkout) and sets up automatic payments', async () => {
      const page = await c.page();
      await signIn(page, c.customer);
      await page.goto(`${stack.shopUrl}/subscribe`);
      const f = fieldsOf(page);
      await fillNewCard(f, DECLINES_LATER);
      await f.locator('#cv-consent').check();
      await page.locator('#pay-button').click();
      await page.waitForURL('**/orders/confirm');
      await expect.poll(() => page.locator('#confirmation-heading').textContent()).toBe('Welcome to the club');
      await setUpAutopay(c);
      await page.goto(`${stack.shopUrl}/cards`);
      expect(await page.locator('.saved-card-name').allTextContents()).toEqual([expect.stringContaining('Visa •••• 0341')]);
      expect(await page.locator('li.agreement h3').allTextContents()).toEqual([AUTOPAY, COFFEE_CLUB]);
    });

    it('"Charge now" is declined by the card network, with the decline code', async () => {
      const page = await c.page();
      await page.goto(`${stack.shopUrl}/admin`);
      const result = await submit(page, agreementOn(page, AUTOPAY).getByRole('button', { name: 'Charge now' }));
      expect(result).toContain('Charge declined: card_declined (generic_decline)');
      expect(result).toMatch(/recorded the failed charge ch_/);
      const row = page.locator('table.charges tbody tr', { hasText: 'merchant' });
      expect(await row.locator('.badge').textContent()).toBe('failed');
      expect(await row.locator('.error').textContent()).toBe('card_declined / generic_decline');
    });

    it('an invoice the scheduler cannot collect warns the customer in the outbox, naming the due date', async () => {
      const page = await c.page();
      await page.goto(`${stack.shopUrl}/admin`);
      await page.getByLabel('Description').fill('Grinder service');
      const due = daysAfter(new Date(), 2);
      await submit(page, page.getByRole('button', { name: 'Create invoice due in 2 days' }));
      const ran = await submit(page, page.getByRole('button', { name: 'Run the scheduler now' }));
      expect(ran).toMatch(/failed [1-9]/);
      const invoice = page.locator('table.invoices tbody tr', { hasText: 'Grinder service' });
      expect(await invoice.locator('.badge').textContent()).toBe('open');
      expect(await invoice.locator('.error').textContent()).toBe('card_declined');

      await page.goto(`${stack.shopUrl}/outbox`);
      const failed = page.locator('li.message[data-template="payment_failed"]', { hasText: c.customer });
      expect(await failed.count()).toBe(1);
      expect(await failed.locator('h2').textContent()).toBe('Payment failed');
      expect(await failed.locator('.message-subject').textContent()).toBe('Action needed: we could not charge your card ending in 0341');
      expect(await failed.locator('.message-body').textContent()).toContain(`The payment is due on ${englishDate(due)}.`);

      await deliverDueEvents(stack.runtime.deps);
      await page.goto(`${stack.shopUrl}/webhooks`);
      for (const type of ['charge.failed', 'invoice.payment_failed']) {
        const event = page.locator(`li.event[data-type="${type}"]`, { hasText: `"customer": "${c.customer}"` }).first();
        expect(await event.locator('.verified').textContent(), type).toBe('signature verified ✓');
      }
    });
  });
});

// ---- Helpers ----

interface CustomerRun {
  customer: string;
  card: string;
  /** The customer's one page, in a browser context of their own. */
  page(): Promise<Page>;
}

/** The tests of one customer share a browser context, signed in once, in order. */
function describeCustomer(name: string, card: string, suite: (c: CustomerRun) => void): void {
  let page: Page | undefined;
  const c: CustomerRun = {
    customer: `${name}-${run}`,
    card,
    async page() {
      if (!page) {
        const context = await stack.context();
        context.setDefaultTimeout(15_000);
        contexts.push(context);
        page = await context.newPage();
      }
      return page;
    },
  };
  describe(`a customer whose card is ${name}`, () => suite(c));
}

function fieldsOf(page: Page): FrameLocator {
  return page.frameLocator(`iframe[title="${FIELDS_TITLE}"]`);
}

async function fillNewCard(f: FrameLocator, number: string): Promise<void> {
  await f.locator('#cv-number').fill(number);
  await f.locator('#cv-expiry').fill('12 / 34');
  await f.locator('#cv-cvc').fill(CVC);
}

function agreementOn(page: Page, title: string): Locator {
  return page.locator('li.agreement', { has: page.locator('h3', { hasText: title }) });
}

async function signIn(page: Page, customer: string): Promise<void> {
  await page.goto(`${stack.shopUrl}/sign-in?next=/`);
  await page.locator('#customer').fill(customer);
  await page.locator('main form button[type="submit"]').click();
  await page.waitForURL(`${stack.shopUrl}/`);
  expect(await page.locator('.account strong').textContent()).toBe(customer);
}

/**
 * /autopay: consents to the card-on-file agreement in the fields, with the card saved at the
 * subscription: the fields offer it and ask only for its security code.
 */
async function setUpAutopay(c: CustomerRun): Promise<void> {
  const page = await c.page();
  const ends = oneYearAfter(new Date());
  await page.goto(`${stack.shopUrl}/autopay`);
  const f = fieldsOf(page);
  const last4 = c.card.slice(-4);
  expect(await f.getByRole('radio', { name: new RegExp(`^Visa ending in ${last4}`) }).isChecked()).toBe(true);
  expect(await f.locator('#cv-number').count()).toBe(0);
  await f.locator('#cv-saved-cvc').fill(CVC);
  const consent = await f.locator('label[for="cv-consent"]').textContent();
  expect(consent).toContain('$1.00–$100.00 per payment');
  expect(consent).toContain('whenever the merchant charges, as agreed');
  expect(consent).toContain(`until ${englishDate(ends)}`);
  await f.locator('#cv-consent').check();
  await page.getByRole('button', { name: 'Agree to automatic payments' }).click();
  await page.waitForURL('**/cards?notice=agreement');
  expect(await page.locator('.notice-success').textContent()).toContain('Automatic payments are set up');
}

/** Clicks a back-office button and returns the result the page shows after the redirect. */
async function submit(page: Page, button: Locator): Promise<string> {
  const before = page.url();
  await Promise.all([page.waitForURL((url) => url.href !== before && url.searchParams.has('result')), button.click()]);
  return (await page.locator('#admin-result').textContent())!.replace(/\s+/g, ' ').trim();
}

async function vaultApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.vaultUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.merchant.secret_key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json as T;
}
