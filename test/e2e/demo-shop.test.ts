// The demo shop as a shopper and the merchant see it in Chromium: every page fits a phone without
// scrolling sideways, the header takes one row on a laptop and little of a phone, money and dates
// are written one way, the fields' consent names the shop, and the back office says before an
// invoice fails that the customer needs an agreement, and leads to where the customer gives it.
import type { BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { formatDate } from '../../demo/format.ts';
import { CARDS } from '../helpers/test-cards.ts';
import { agreeToAutopay, createInvoice, joinCoffeeClub, saveCard, signInAs, vaultApi } from './demo-fixtures.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

const FIELDS = 'iframe[title="Secure card payment"]';
const BEA = 'shop-bea';

let stack: Stack;
const contexts: BrowserContext[] = [];

/** The dates of the data made before the tests, as it was made: a run that crosses midnight UTC still expects them. */
let clubEnds: string;
let invoiceDue: string;

describeInBrowser('the demo shop in the browser: layout, formats, and automatic payments', () => {
  beforeAll(async () => {
    stack = await startStack();
    clubEnds = await joinCoffeeClub(stack, BEA, CARDS.visa);
    await agreeToAutopay(stack, BEA, CARDS.visa);
    await saveCard(stack, BEA, CARDS.mastercard);
    invoiceDue = (await createInvoice(stack, BEA, 2500, 'Beans for next month')).due_date;
    await vaultApi(stack, 'POST', '/v1/scheduler/run', {});
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('fits every page into a 375 px phone: nothing scrolls sideways', async () => {
    const page = await open(375, BEA);
    const paths = ['/', '/checkout?product=espresso', '/no-code', '/sign-in', '/cards', '/cards/new', '/autopay', '/subscribe'];
    paths.push('/admin', '/admin?customer=nobody-yet', '/webhooks', `/outbox?customer=${BEA}`);
    const wide: string[] = [];
    for (const path of paths) {
      await page.goto(`${stack.shopUrl}${path}`);
      const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
      if (scroll > inner) wide.push(`${path}: ${scroll} px`);
    }
    expect(wide, 'pages wider than the phone').toEqual([]);
  });

  it('keeps the signed-in header on one row at 1280 px, and under a fifth of a 740 px phone screen', async () => {
    const laptop = await open(1280, BEA);
    await laptop.goto(`${stack.shopUrl}/admin`);
    const rows = await laptop.evaluate(() =>
      ['.logo', '.site-header nav', '.account'].map((s) => {
        const r = document.querySelector(s)!.getBoundingClientRect();
        return Math.round(r.top + r.height / 2);
      }),
    );
    expect(Math.max(...rows) - Math.min(...rows), `the header's parts are centred at ${rows.join(', ')} px`).toBeLessThanOrEqual(4);

    const phone = await open(375, BEA);
    await phone.setViewportSize({ width: 375, height: 740 });
    await phone.goto(`${stack.shopUrl}/admin`);
    const bottom = await phone.locator('.site-header').evaluate((el) => el.getBoundingClientRect().bottom);
    expect(bottom, 'the banner and the header, in px').toBeLessThanOrEqual(148);
    // The four links are all on screen, none scrolled out of the header.
    const nav = await phone.locator('.site-header nav ul').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(nav).toBe(0);
  });

  it('writes money as "$19.99" and dates as "December 3, 2027" on every page, never "19.99 USD" or "3 December 2027"', async () => {
    const page = await open(1280, BEA);
    await page.goto(`${stack.shopUrl}/`);
    expect(await page.locator('.product', { hasText: 'Espresso beans' }).locator('.price').textContent()).toBe('$19.99');
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    expect(await page.locator('#pay-button').textContent()).toBe('Pay $19.99');
    await page.goto(`${stack.shopUrl}/cards`);
    const club = page.locator('li.agreement', { has: page.locator('h3', { hasText: '$15.00 every 30 days' }) });
    expect(await club.locator('dl').textContent()).toContain(`Ends${formatDate(clubEnds)}`);
    await page.goto(`${stack.shopUrl}/admin`);
    const invoice = page.locator('table.invoices tbody tr', { hasText: 'Beans for next month' });
    expect(await invoice.locator('td[data-label="Amount"]').textContent()).toBe('$25.00');
    expect(await invoice.locator('td[data-label="Due"]').textContent()).toBe(formatDate(invoiceDue));

    const other: string[] = [];
    for (const path of ['/', '/checkout?product=kettle', '/cards', '/autopay', '/subscribe', '/admin', `/outbox?customer=${BEA}`]) {
      await page.goto(`${stack.shopUrl}${path}`);
      // The shop's own text: the outbox shows the vault's messages, which are the vault's wording.
      const text = await page.locator('main').evaluate((el) => {
        const copy = el.cloneNode(true) as HTMLElement;
        for (const body of copy.querySelectorAll('.message-body, .message-subject')) body.remove();
        return (copy.textContent ?? '').replace(/\s+/g, ' ');
      });
      for (const m of text.matchAll(
        /\d+\.\d\d [A-Z]{3}\b|\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}/g,
      )) {
        other.push(`${path}: ${m[0]}`);
      }
    }
    expect(other, 'amounts or dates in another format').toEqual([]);
  });

  it('names the shop in the consent of the fields and in the messages to the customer', async () => {
    const page = await open(1280, BEA);
    await page.goto(`${stack.shopUrl}/subscribe`);
    // Bea's saved cards are offered; the agreement's consent is asked on that path too.
    const consent = page.frameLocator(FIELDS).locator('label[for="cv-consent"]');
    await consent.waitFor();
    expect(await consent.textContent()).toContain('recurring payments to “Bean & Kettle”');
    await page.goto(`${stack.shopUrl}/outbox?customer=${BEA}`);
    expect(await page.locator('li.message[data-template="payment_approved"] .message-body').first().textContent()).toContain('to Bean & Kettle');
  });

  it('says in the back office, before any invoice, that a customer without an agreement is not paid automatically, and leads to /autopay', async () => {
    const carl = 'shop-carl';
    await saveCard(stack, carl, CARDS.visa);
    // The merchant is signed in as another customer, Bea: the link signs them in as Carl.
    const page = await open(1280, BEA);
    await page.goto(`${stack.shopUrl}/admin?customer=${carl}`);
    const status = () => textOf(page.locator('#autopay-status'));
    expect(await status()).toContain('Not paid automatically.');
    expect(await status()).toContain(`${carl} has not agreed to automatic payments`);
    expect(await status()).toContain('mandate_violation');

    // An invoice created anyway says at once that it will not be paid.
    const created = await submit(page, page.getByRole('button', { name: 'Create invoice due in 2 days' }));
    expect(created).toContain('It will not be paid automatically');

    await page.locator('#autopay-status').getByRole('link', { name: 'Set up automatic payments' }).click();
    await page.waitForURL('**/sign-in?**');
    expect(await page.locator('#customer').inputValue()).toBe(carl);
    await page.locator('main form button[type="submit"]').click();
    await page.waitForURL('**/autopay');
    expect(await page.locator('.account strong').textContent()).toBe(carl);
    // Carl already saved a Visa: the page says that the card he agrees with becomes the default.
    expect(await page.locator('.saved-card-note').textContent()).toContain('becomes your default card');

    // Carl agrees with another card, a Mastercard, typed instead of his saved Visa: it becomes the default card, which invoices charge.
    await page.frameLocator(FIELDS).getByRole('button', { name: '+ New card' }).click();
    await agreeInFields(page, '5555 5555 5555 4444');
    await page.waitForURL('**/cards?notice=agreement');
    expect(await page.locator('.saved-card', { hasText: 'Mastercard •••• 4444' }).locator('.badge').first().textContent()).toBe('Default');
    expect(await textOf(page.locator('.autopay-status'))).toContain('paid automatically from Mastercard •••• 4444');

    await page.goto(`${stack.shopUrl}/admin?customer=${carl}`);
    expect(await status()).toContain('paid automatically from Mastercard •••• 4444');
    await page.locator('#invoice-amount').fill('30.00');
    const paid = await submit(page, page.getByRole('button', { name: 'Create invoice due in 2 days' }));
    expect(paid).toContain('It is paid automatically from Mastercard •••• 4444');
    const ran = await submit(page, page.getByRole('button', { name: 'Run the scheduler now' }));
    expect(ran).toMatch(/paid [1-9]/);
    const rows = page.locator('table.invoices tbody tr');
    expect(await rows.locator('.badge').allTextContents()).toContain('paid');
  });
});

async function open(width: number, customer: string): Promise<Page> {
  const context = await stack.browser.newContext({ viewport: { width, height: 900 } });
  context.setDefaultTimeout(15_000);
  contexts.push(context);
  await signInAs(stack, context, customer);
  return context.newPage();
}

/** The text as read, spaces and line breaks of the markup collapsed. */
async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function agreeInFields(page: Page, number: string): Promise<void> {
  const f: FrameLocator = page.frameLocator(FIELDS);
  await f.locator('#cv-number').fill(number);
  await f.locator('#cv-expiry').fill('12 / 34');
  await f.locator('#cv-cvc').fill('373');
  await f.locator('#cv-consent').check();
  await page.getByRole('button', { name: 'Agree to automatic payments' }).click();
}

/** Clicks a back-office button and returns the result the page shows after the redirect. */
async function submit(page: Page, button: Locator): Promise<string> {
  const before = page.url();
  await Promise.all([page.waitForURL((url) => url.href !== before && url.searchParams.has('result')), button.click()]);
  return (await page.locator('#admin-result').textContent())!.replace(/\s+/g, ' ').trim();
}
