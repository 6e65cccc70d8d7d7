// docs/guide.md's shop in Chromium: its server and page as the guide writes them, with only the vault's
// address and the keys replaced. The customer pays and agrees in the vault's fields on the shop's page,
// the shop's server hears of it by a verified webhook, and the card is then on file under a mandate.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWebhookWorker } from '../../server/jobs/webhook-worker.ts';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { buildGuideShop, freePort, type GuideShop, type ShopServer } from '../helpers/guide-shop.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

const FIELDS_TITLE = 'Secure card payment';

let stack: Stack;
let shop: GuideShop;
let server: ShopServer;
let merchant: CreatedMerchant;
let stopWebhooks: () => Promise<void>;

describeInBrowser("the guide's shop, in a browser", () => {
  beforeAll(async () => {
    stack = await startStack();
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    merchant = await createMerchant(stack.runtime.deps, { name: 'Tea club', origins: [origin], webhookUrl: `${origin}/webhooks` });
    stopWebhooks = startWebhookWorker(stack.runtime.deps, 100);
    shop = await buildGuideShop({ vault: stack.vaultUrl, publishableKey: merchant.publishable_key });
    server = await shop.serve({ VAULT_URL: stack.vaultUrl, VAULT_SECRET_KEY: merchant.secret_key, VAULT_WEBHOOK_SECRET: merchant.webhook_secret }, port);
  });
  afterAll(async () => {
    await shop?.close();
    await stopWebhooks?.();
    await stack?.close();
  });

  it('pays on the guide page with the consent ticked, and the server prints the verified webhook', async () => {
    const context = await stack.context();
    try {
      const tab = await context.newPage();
      const problems: string[] = [];
      tab.on('pageerror', (err) => problems.push(err.message));
      // Failed loads are told by the response below, with their address: the guide's shop has no favicon, which is fine.
      tab.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
      tab.on('response', (r) => r.status() >= 400 && r.url() !== `${server.url}/favicon.ico` && problems.push(`${r.status()} ${r.url()}`));
      await tab.goto(`${server.url}/`);
      await tab
        .locator(`iframe[title="${FIELDS_TITLE}"]`)
        .waitFor({ timeout: 10_000 })
        .catch((err: Error) => {
          throw new Error(`the fields never mounted: ${problems.join('; ') || err.message}`);
        });
      const fields = tab.frameLocator(`iframe[title="${FIELDS_TITLE}"]`);
      await fields.locator('#cv-number').fill('4242 4242 4242 4242');
      await fields.locator('#cv-expiry').fill('12 / 34');
      await fields.locator('#cv-cvc').fill('123');
      expect(await fields.locator('label[for="cv-consent"]').textContent()).toContain('Tea club');
      await fields.locator('#cv-consent').check();
      await tab.locator('#pay-button').click();
      await expect.poll(() => tab.locator('#pay-message').textContent(), { timeout: 10_000 }).toBe('Paid, thank you.');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }

    const line = await server.waitFor(/ paid by charge /);
    const charge = /paid by charge (ch_\S+)$/.exec(line)![1];
    const api = async (p: string) => (await stack.runtime.app.request(p, { headers: { authorization: `Bearer ${merchant.secret_key}` } })).json();
    expect(await api(`/v1/charges/${charge}`)).toMatchObject({ status: 'succeeded', amount: 2000, currency: 'EUR', customer: 'alice', initiator: 'customer' });
    const mandates = await api('/v1/customers/alice/mandates');
    expect(mandates.data).toMatchObject([{ status: 'active', currency: 'EUR', min_amount: 500, max_amount: 5000, frequency_days: 0 }]);
  });
});
