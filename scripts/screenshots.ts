// `npx tsx scripts/screenshots.ts`: starts the vault and the demo shop as the end-to-end tests do,
// walks Chromium through the checkout's states and saves each as a PNG in docs/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../test/e2e/harness.ts';
import { CARDS } from '../test/helpers/test-cards.ts';

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

/** Saves a card for `customer` as the fields would (see README, "A payment with curl"). */
async function saveCard(stack: Stack, customer: string, number: string): Promise<void> {
  const session = await fetch(`${stack.vaultUrl}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.merchant.secret_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 100, currency: 'USD', customer }),
  }).then((r) => r.json() as Promise<{ client_secret: string }>);
  const res = await fetch(`${stack.vaultUrl}/frame/v1/confirm`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${session.client_secret}`,
      origin: stack.vaultUrl,
      'checkout-host-origin': stack.shopUrl,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ card: { number, exp_month: 12, exp_year: 2034, cvc: '123' }, save: true }),
  });
  if (!res.ok) throw new Error(`saving a card answered ${res.status}: ${await res.text()}`);
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const stack = await startStack();
  console.log(`vault ${stack.vaultUrl}, shop ${stack.shopUrl}; writing:`);
  try {
    const open = async (width = 900, height = 1000) => {
      const context = await stack.browser.newContext({ viewport: { width, height }, deviceScaleFactor: 2 });
      context.setDefaultTimeout(15_000);
      return { context, page: await context.newPage() };
    };

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
