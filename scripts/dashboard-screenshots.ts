// The dashboard's pictures for `npm run screenshots`: two weeks of real payments and declines made
// through the vault's API (the clock moved back a day at a time), a customer with an agreement, an
// invoice and a refund; then the overview, that customer and one charge at 1440 and 375 px.
import path from 'node:path';
import { staffPage } from '../test/e2e/dashboard-browser.ts';
import { agreeToAutopay, createInvoice, joinCoffeeClub, saveCard, vaultApi } from '../test/e2e/demo-fixtures.ts';
import type { Stack } from '../test/e2e/harness.ts';
import { CARDS } from '../test/helpers/test-cards.ts';
import { deliverDueEvents } from '../server/jobs/webhook-worker.ts';

const DAY = 86_400_000;

/** A payment with a new card that may be declined (a decline is what the picture wants to show). */
async function pay(stack: Stack, customer: string, number: string, amount: number): Promise<void> {
  const { client_secret } = await vaultApi<{ client_secret: string }>(stack, 'POST', '/v1/sessions', { amount, currency: 'USD', customer });
  await fetch(`${stack.vaultUrl}/frame/v1/confirm`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client_secret}`, origin: stack.vaultUrl, 'checkout-host-origin': stack.shopUrl, 'content-type': 'application/json' },
    body: JSON.stringify({ card: { number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: '123' }, save: false }),
  });
}

async function seed(stack: Stack): Promise<{ customer: string; charge: string }> {
  const deps = stack.runtime.deps;
  const realClock = deps.clock;
  const declines = [CARDS.declined, CARDS.insufficient, CARDS.expired, CARDS.declined];
  try {
    for (let back = 13; back >= 1; back--) {
      const at = new Date(Date.now() - back * DAY);
      deps.clock = () => at;
      for (let i = 0; i < 3 + ((back * 7) % 5); i++)
        await pay(stack, `guest-${back}-${i}`, i % 2 ? CARDS.mastercard : CARDS.visa, 900 + ((back * 13 + i * 7) % 40) * 100);
      if (back % 3 === 0) await pay(stack, `guest-${back}-d`, declines[back % declines.length], 1500);
    }
  } finally {
    deps.clock = realClock;
  }
  const customer = 'dana';
  await joinCoffeeClub(stack, customer, CARDS.visa);
  await saveCard(stack, customer, CARDS.mastercard);
  await agreeToAutopay(stack, 'erik', CARDS.visa);
  await createInvoice(stack, customer, 2500, 'Beans for next month');
  await createInvoice(stack, 'erik', 1800, 'Tea sampler');
  const { data } = await vaultApi<{ data: { id: string }[] }>(stack, 'GET', `/v1/charges?customer=${customer}`);
  const charge = data[data.length - 1].id;
  await fetch(`${stack.vaultUrl}/v1/charges/${charge}/refunds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.merchant.secret_key}`, 'content-type': 'application/json', 'idempotency-key': 'screenshot-refund' },
    body: JSON.stringify({ amount: 500 }),
  });
  await deliverDueEvents(deps);
  return { customer, charge };
}

export async function dashboardShots(stack: Stack, out: string): Promise<void> {
  const { customer, charge } = await seed(stack);
  for (const width of [1440, 375]) {
    const { page, context } = await staffPage(stack, { viewport: { width, height: width < 600 ? 812 : 900 } });
    const shots: [string, string, string][] = [
      ['overview', '/dashboard', 'canvas'],
      ['customer', `/dashboard/customers/${customer}`, 'table'],
      ['charge', `/dashboard/charges/${charge}`, 'dl'],
    ];
    for (const [name, href, ready] of shots) {
      await page.goto(`${stack.vaultUrl}${href}`);
      await page.locator(`main ${ready}`).first().waitFor();
      await page.waitForTimeout(300);
      const file = path.join(out, `dashboard-${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`  ${path.relative(process.cwd(), file)}`);
    }
    await context.close();
  }
}
