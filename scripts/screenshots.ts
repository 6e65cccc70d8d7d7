// `npx tsx scripts/screenshots.ts`: starts the vault and the demo shop as the end-to-end tests do,
// walks Chromium through the checkout's states, the shop's pages and the merchant's dashboard, and saves each
// as a PNG in docs/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startStack, type Stack } from '../test/e2e/harness.ts';
import { CARDS } from '../test/helpers/test-cards.ts';
import { deliverDueEvents } from '../server/jobs/webhook-worker.ts';
import { dashboardShots } from './dashboard-screenshots.ts';
import { agreeToAutopay, createInvoice, joinCoffeeClub, saveCard, signInAs, vaultApi } from '../test/e2e/demo-fixtures.ts';

const OUT = path.resolve(import.meta.dirname, '../docs/screenshots');
const FIELDS = 'iframe[title="Secure card payment"]';
/** The shop's payment box: the locale picker, the vault's fields and the shop's button. */
const PAYMENT = 'section[aria-labelledby="pay-heading"]';

/** Waits until the fields are ready and the iframe has taken the height of its content. */
async function settled(page: Page): Promise<void> {
  await page.locator(FIELDS).waitFor();
  const frame = await (await page.locator(FIELDS).elementHandle())!.contentFrame();
  for (let i = 0; i < 50; i++) {
    const outer = await page.locator(FIELDS).evaluate((el) => el.clientHeight);
    const inner = await frame!.evaluate(() => document.documentElement.scrollHeight).catch(() => -1);
    if (outer > 0 && outer >= inner) break;
    await page.waitForTimeout(50);
  }
  // Fonts and the focus ring's transition.
  await page.waitForTimeout(250);
}

async function shoot(page: Page, name: string, selector = PAYMENT): Promise<void> {
  await settled(page);
  const file = path.join(OUT, name);
  await page.locator(selector).screenshot({ path: file });
  console.log(`  ${path.relative(process.cwd(), file)}`);
}

async function fillCard(page: Page, number: string, cvc = '123'): Promise<void> {
  const f = page.frameLocator(FIELDS);
  await f.locator('#cv-number').fill(number);
  await f.locator('#cv-expiry').fill('12 / 34');
  await f.locator('#cv-cvc').fill(cvc);
}

type Open = (width?: number, height?: number, scale?: number) => Promise<{ context: BrowserContext; page: Page }>;

/** The vault's fields in each of their states, in the shop's payment box (README, "The checkout fields"). */
async function fieldsShots(stack: Stack, open: Open): Promise<void> {
  {
    const { context, page } = await open();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    await page.frameLocator(FIELDS).locator('#cv-number').waitFor();
    await shoot(page, 'new-card.png');
    await context.close();
  }

  {
    const customer = 'screenshot-alice';
    await saveCard(stack, customer, CARDS.visa);
    await saveCard(stack, customer, CARDS.mastercard);
    const { context, page } = await open();
    await page.goto(`${stack.shopUrl}/sign-in?next=${encodeURIComponent('/checkout?product=kettle')}`);
    await page.locator('#customer').fill(customer);
    await page.locator('main form button[type="submit"]').click();
    await page.frameLocator(FIELDS).locator('#cv-saved-cvc').waitFor();
    await shoot(page, 'saved-cards.png');
    await context.close();
  }

  {
    const { context, page } = await open();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    await fillCard(page, '4000 0000 0000 3220');
    await page.locator('#pay-button').click();
    await page.frameLocator(FIELDS).frameLocator('iframe.cv-challenge-frame').locator('#code').waitFor();
    await shoot(page, 'three-d-secure.png');
    await context.close();
  }

  {
    const { context, page } = await open();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    await fillCard(page, '4000 0000 0000 0002');
    await page.locator('#pay-button').click();
    await page.frameLocator(FIELDS).locator('#cv-notice.cv-notice--error').waitFor();
    await page.locator('#pay-message.error').waitFor();
    await shoot(page, 'decline.png');
    await context.close();
  }

  {
    const { context, page } = await open();
    await page.goto(`${stack.shopUrl}/checkout?product=espresso`);
    const number = page.frameLocator(FIELDS).locator('#cv-number');
    await number.pressSequentially('4242424242424241');
    await number.press('Tab');
    await page.frameLocator(FIELDS).locator('#cv-number[aria-invalid="true"]').waitFor();
    await shoot(page, 'invalid-number.png');
    await context.close();
  }

  {
    const { context, page } = await open(375, 812);
    await page.goto(`${stack.shopUrl}/checkout?product=grinder`);
    await page.frameLocator(FIELDS).locator('#cv-number').waitFor();
    await settled(page);
    // What the phone shows: the viewport, scrolled to the payment box.
    await page.locator(PAYMENT).evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 8));
    await page.screenshot({ path: path.join(OUT, 'mobile.png') });
    console.log(`  ${path.relative(process.cwd(), path.join(OUT, 'mobile.png'))}`);
    await context.close();
  }
}

/** The shop's pages, whole, at a phone's width and a laptop's: `demo-<page>-<width>.png`. */
async function demoShots(stack: Stack, open: Open): Promise<void> {
  // Bea has the coffee club, automatic payments, two cards and a paid invoice; Carl only a saved card.
  const bea = 'bea';
  await joinCoffeeClub(stack, bea, CARDS.visa);
  await agreeToAutopay(stack, bea, CARDS.visa);
  await saveCard(stack, bea, CARDS.mastercard);
  await createInvoice(stack, bea, 2500, 'Beans for next month');
  await vaultApi(stack, 'POST', '/v1/scheduler/run', {});
  await saveCard(stack, 'carl', CARDS.visa);
  await deliverDueEvents(stack.runtime.deps);
  const pages: [name: string, href: string, fields?: boolean][] = [
    ['home', '/'],
    ['checkout', '/checkout?product=espresso', true],
    ['cards', '/cards'],
    ['autopay', '/autopay', true],
    ['admin', '/admin'],
    ['admin-no-agreement', '/admin?customer=carl'],
    ['webhooks', '/webhooks'],
    ['outbox', `/outbox?customer=${bea}`],
  ];
  // The README's two pictures of the merchant's side, at the width the fields' pictures are taken.
  {
    const { context, page } = await open(900, 1000, 1);
    await signInAs(stack, context, bea);
    for (const [file, href] of [
      ['admin.png', '/admin'],
      ['outbox.png', `/outbox?customer=${bea}`],
    ]) {
      await page.goto(`${stack.shopUrl}${href}`);
      await page.screenshot({ path: path.join(OUT, file!), fullPage: true });
      console.log(`  ${path.relative(process.cwd(), path.join(OUT, file!))}`);
    }
    await context.close();
  }
  for (const width of [375, 1280]) {
    const { context, page } = await open(width, width < 600 ? 812 : 900, 1);
    await signInAs(stack, context, bea);
    for (const [name, href, fields] of pages) {
      await page.goto(`${stack.shopUrl}${href}`);
      if (fields) await settled(page);
      const file = path.join(OUT, `demo-${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`  ${path.relative(process.cwd(), file)}`);
    }
    await context.close();
  }
}

async function main(): Promise<void> {
  // `npm run screenshots -- demo` (or `-- fields`, `-- dashboard`) takes one set; no argument, all.
  const only = process.argv[2];
  if (only !== undefined && !['demo', 'fields', 'dashboard'].includes(only)) throw new Error('usage: npm run screenshots [-- demo | fields | dashboard]');
  fs.mkdirSync(OUT, { recursive: true });
  const stack = await startStack();
  console.log(`vault ${stack.vaultUrl}, shop ${stack.shopUrl}; writing:`);
  try {
    const open: Open = async (width = 900, height = 1000, scale = 2) => {
      const context = await stack.browser.newContext({ viewport: { width, height }, deviceScaleFactor: scale });
      context.setDefaultTimeout(15_000);
      return { context, page: await context.newPage() };
    };
    if (only === undefined || only === 'fields') await fieldsShots(stack, open);
    if (only === undefined || only === 'demo') await demoShots(stack, open);
    // Last: it moves the vault's clock to make two weeks of payments.
    if (only === undefined || only === 'dashboard') await dashboardShots(stack, OUT);
  } finally {
    await stack.close();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`screenshots: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
