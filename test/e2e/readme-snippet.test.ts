// The README's script tag, as a merchant's developer copies it: loaded in Chromium from a page of the
// merchant's own origin, with only the three placeholders the README names replaced, it must mount the
// fields and take a payment (a classic script, the versioned URL, the integrity hash and all).
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { readmeSnippet } from '../helpers/readme.ts';
import { describeInBrowser, freePort, startStack, type Stack } from './harness.ts';

const PLACEHOLDERS = { vault: 'http://localhost:4000', key: "'pk_test_…'", secret: "'cs_…_secret_…'" };

let stack: Stack;
let page: http.Server | undefined;

describeInBrowser("the README's script tag, pasted into a merchant's page", () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await new Promise((resolve) => (page ? page.close(resolve) : resolve(undefined)));
    await stack?.close();
  });

  it('mounts the fields and pays, with nothing changed but the vault address, the key and the client secret', async () => {
    const snippet = readmeSnippet();
    for (const placeholder of Object.values(PLACEHOLDERS)) expect(snippet, `the README's snippet names ${placeholder}`).toContain(placeholder);

    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const merchant = await createMerchant(stack.runtime.deps, { name: 'README shop', origins: [origin] });
    await stack.runtime.deps.db.updateTable('merchants').set({ frame_limit_per_address: 0, rate_limit: 0 }).where('id', '=', merchant.id).execute();
    const opened = await stack.runtime.app.request('/v1/sessions', {
      method: 'POST',
      headers: { authorization: `Bearer ${merchant.secret_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1250, currency: 'EUR' }),
    });
    expect(opened.status).toBe(201);
    const session = (await opened.json()) as { id: string; client_secret: string };

    const html = snippet
      .replaceAll(PLACEHOLDERS.vault, stack.vaultUrl)
      .replaceAll(PLACEHOLDERS.key, `'${merchant.publishable_key}'`)
      .replaceAll(PLACEHOLDERS.secret, `'${session.client_secret}'`);
    page = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>\n${html}`));
    await new Promise<void>((resolve) => page!.listen(port, '127.0.0.1', resolve));

    const context = await stack.context();
    try {
      const tab = await context.newPage();
      const problems: string[] = [];
      tab.on('pageerror', (err) => problems.push(err.message));
      tab.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      await tab.goto(`${origin}/`);
      await tab
        .locator('iframe[title="Secure card payment"]')
        .waitFor({ timeout: 10_000 })
        .catch((err: Error) => {
          throw new Error(`the fields never mounted: ${problems.join('; ') || err.message}`);
        });
      const fields = tab.frameLocator('iframe[title="Secure card payment"]');
      await fields.locator('#cv-number').fill('4242 4242 4242 4242');
      await fields.locator('#cv-expiry').fill('12 / 34');
      await fields.locator('#cv-cvc').fill('123');
      await tab.locator('#pay-button').click();
      await expect.poll(() => tab.locator('#pay-message').textContent(), { timeout: 10_000 }).toBe('Paid, thank you.');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
    const paid = await stack.runtime.app.request(`/v1/sessions/${session.id}`, { headers: { authorization: `Bearer ${merchant.secret_key}` } });
    expect(((await paid.json()) as { status: string }).status).toBe('complete');
  });
});
