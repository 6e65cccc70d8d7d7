// The dashboard's settings, API keys and audit log pages in Chromium: an admin's changes reach the API
// (only what changed is sent, an error is shown by its field), secrets are shown once, a rolled key
// overlaps the old one for the chosen hour, the audit log names the person; a viewer can change nothing,
// even by calling the API from their page; axe-core content at 1440 px and 375 px.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { graveViolations, scrollsSideways, staffPage } from './dashboard-browser.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

let stack: Stack;
const contexts: BrowserContext[] = [];

interface Merchant {
  allowed_origins: string[];
  auto_pay_days: number;
  previous_secret_key_expires_at: string | null;
}

/** GET /v1/merchant from Node, as the shop's server calls it. */
async function v1Merchant(secretKey: string): Promise<{ status: number; body: Merchant }> {
  const res = await fetch(`${stack.vaultUrl}/v1/merchant`, { headers: { authorization: `Bearer ${secretKey}` } });
  return { status: res.status, body: (await res.json()) as Merchant };
}

async function open(page: Page, path: string, title: string): Promise<void> {
  await page.goto(`${stack.vaultUrl}/dashboard${path}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Loading…' }).waitFor({ state: 'detached' });
}

const bodyText = (page: Page) =>
  page
    .locator('body')
    .textContent()
    .then((t) => t ?? '');

describeInBrowser('the dashboard settings, API keys and audit log (Chromium)', () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(() => stack?.close());

  it('an admin saves settings, sees a bad origin refused by its field, rotates the webhook secret once, and the audit log names them', async () => {
    const { page, context, email } = await staffPage(stack);
    contexts.push(context);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await open(page, '/settings', 'Settings');

    const checkout = page.getByRole('region', { name: 'Checkout' });
    await checkout.getByLabel('Allowed origins').fill(`${stack.shopUrl}\nhttps://second-shop.example`);
    await checkout.getByRole('button', { name: 'Save checkout' }).click();
    await expect.poll(() => checkout.getByRole('status').textContent()).toBe('Saved: Allowed origins.');

    const autoPay = page.getByRole('region', { name: 'Automatic payments' });
    await autoPay.getByLabel('Days before the due date').fill('7');
    await autoPay.getByRole('button', { name: 'Save automatic payments' }).click();
    await expect.poll(() => autoPay.getByRole('status').textContent()).toBe('Saved: Days before the due date.');

    const saved = await v1Merchant(stack.merchant.secret_key);
    expect(saved.body.allowed_origins).toEqual([stack.shopUrl, 'https://second-shop.example']);
    expect(saved.body.auto_pay_days).toBe(7);

    // An origin with a path: the API's message, beside the field, which says it is invalid.
    const origins = checkout.getByLabel('Allowed origins');
    await origins.fill(`${stack.shopUrl}\nhttps://second-shop.example/shop`);
    await checkout.getByRole('button', { name: 'Save checkout' }).click();
    const fieldError = checkout.locator('#checkout-allowed_origins-error');
    await expect.poll(() => fieldError.textContent()).toContain('origins must be http(s) origins without a path');
    expect(await origins.getAttribute('aria-invalid')).toBe('true');
    expect(await origins.getAttribute('aria-describedby')).toContain('checkout-allowed_origins-error');
    expect((await v1Merchant(stack.merchant.secret_key)).body.allowed_origins).toEqual([stack.shopUrl, 'https://second-shop.example']);
    expect(await graveViolations(page)).toEqual([]);

    // The signing secret: confirmed in a dialog, then shown once with until when the old one signs too.
    await page.getByRole('button', { name: 'Rotate signing secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the webhook signing secret?' });
    expect(await graveViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Rotate secret' }).click();
    const shown = page.getByRole('region', { name: 'New webhook signing secret' });
    const secret = (await shown.locator('.secret').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(stack.merchant.webhook_secret);
    expect(await shown.textContent()).toMatch(/will not be shown again.*The previous secret is accepted until \d+ \w+ \d{4}/);
    await shown.getByRole('button', { name: 'Copy' }).waitFor();
    expect(await graveViolations(page)).toEqual([]);
    await page.reload();
    await page.getByRole('region', { name: 'Webhooks' }).waitFor();
    expect(await bodyText(page)).not.toContain(secret);

    await open(page, '/audit', 'Audit log');
    const rows = page.locator('table.audit tbody tr');
    const lines = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    // The refused save wrote nothing; the two saves and the rotation did, by this person.
    expect(lines.filter((l) => l.includes('settings.update'))).toHaveLength(2);
    expect(lines.find((l) => l.includes('auto_pay_days=7'))).toContain(email);
    expect(lines.find((l) => l.includes('allowed_origins='))).toContain(`allowed_origins=${stack.shopUrl},https://second-shop.example`);
    expect(lines.find((l) => l.includes('webhook_secret.rotate'))).toContain(email);
    expect(lines.join('\n')).not.toContain(secret);
    expect(await graveViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('an admin rolls the secret key keeping the old one an hour: shown once, both keys work, the expiry is shown', async () => {
    const { page, context, email } = await staffPage(stack);
    contexts.push(context);
    const oldKey = stack.merchant.secret_key;
    await open(page, '/api-keys', 'API keys');
    expect(await bodyText(page)).toContain(stack.merchant.publishable_key);
    expect(await bodyText(page)).not.toContain(oldKey);

    await page.getByRole('button', { name: 'Roll secret key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll the secret key?' });
    await dialog.getByRole('radio', { name: '1 hour' }).check();
    expect(await graveViolations(page)).toEqual([]);
    const before = Date.now();
    await dialog.getByRole('button', { name: 'Roll secret key' }).click();
    const shown = page.getByRole('region', { name: 'New secret key' });
    const newKey = (await shown.locator('.secret').textContent())!.trim();
    expect(newKey).toMatch(/^sk_test_/);
    expect(newKey).not.toBe(oldKey);
    expect(await shown.textContent()).toMatch(/will not be shown again.*The previous key works until/);

    const withNew = await v1Merchant(newKey);
    expect(withNew.status).toBe(200);
    expect((await v1Merchant(oldKey)).status).toBe(200);
    const expires = Date.parse(withNew.body.previous_secret_key_expires_at ?? '');
    expect(expires).toBeGreaterThanOrEqual(before + 3600_000 - 5000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000 + 5000);
    // The page, read again, shows the old key's end and never the new key.
    await expect.poll(() => page.locator('.facts').textContent()).toMatch(/Previous key\s*works until/);
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Secret key' }).waitFor();
    await expect.poll(() => page.locator('.facts').textContent()).toMatch(/Previous key\s*works until/);
    expect(await bodyText(page)).not.toContain(newKey);
    expect(await graveViolations(page)).toEqual([]);

    await open(page, '/audit', 'Audit log');
    const roll = (await page.locator('table.audit tbody tr').allInnerTexts()).find((l) => l.includes('secret_key.roll'));
    expect(roll).toContain(email);
    expect(roll).toContain('previous_key_expires_in_hours=1');
    expect(await bodyText(page)).not.toContain(newKey);
  });

  it('a viewer sees every page read-only, and a roll sent from their page with their CSRF token is refused', async () => {
    const { page, context } = await staffPage(stack, { role: 'viewer' });
    contexts.push(context);
    await open(page, '/settings', 'Settings');
    await page.getByRole('note').filter({ hasText: 'signed in as a viewer' }).waitFor();
    expect(await page.getByLabel('Days before the due date').isDisabled()).toBe(true);
    expect(await page.getByLabel('Allowed origins').isDisabled()).toBe(true);
    expect(await page.getByLabel('Webhook URL').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: /^Save/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Rotate signing secret' }).isDisabled()).toBe(true);
    expect(await graveViolations(page)).toEqual([]);

    await open(page, '/api-keys', 'API keys');
    expect(await page.getByRole('button', { name: 'Roll secret key' }).isDisabled()).toBe(true);
    expect(await graveViolations(page)).toEqual([]);
    const refused = await page.evaluate(async () => {
      const me = (await (await fetch('/dashboard/api/me')).json()) as { csrf_token: string };
      const res = await fetch('/dashboard/api/v1/merchant/roll_secret_key', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
        body: JSON.stringify({ previous_key_expires_in_hours: 0 }),
      });
      return { status: res.status, body: (await res.json()) as { error: { code: string } } };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('staff_role_forbidden');

    await open(page, '/audit', 'Audit log');
    expect(await graveViolations(page)).toEqual([]);
  });

  it("shows no processor key sent through the dashboard's API on the audit log page, only that one was sent", async () => {
    const { page, context } = await staffPage(stack);
    contexts.push(context);
    await open(page, '/settings', 'Settings');
    const stripeKey = `sk_test_${'x'.repeat(24)}`;
    const statuses = await page.evaluate(async (key) => {
      const me = (await (await fetch('/dashboard/api/me')).json()) as { csrf_token: string };
      const send = (processor: unknown) =>
        fetch('/dashboard/api/v1/merchant', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
          body: JSON.stringify({ processor }),
        }).then((r) => r.status);
      return [await send({ type: 'stripe', secret_key: key }), await send({ type: 'simulated' })];
    }, stripeKey);
    expect(statuses).toEqual([200, 200]);
    await open(page, '/audit', 'Audit log');
    const lines = await page.locator('table.audit tbody tr').allInnerTexts();
    expect(lines.find((l) => l.includes('processor.type=stripe'))).toContain('processor.secret_key=[hidden]');
    expect(await bodyText(page)).not.toContain(stripeKey);
  });

  it('fits 375 px without scrolling sideways on each page', async () => {
    const { page, context } = await staffPage(stack, { viewport: { width: 375, height: 740 } });
    contexts.push(context);
    for (const [path, title] of [
      ['/settings', 'Settings'],
      ['/api-keys', 'API keys'],
      ['/audit', 'Audit log'],
    ]) {
      await open(page, path, title);
      expect(await scrollsSideways(page), title).toBe(false);
      expect(await graveViolations(page), title).toEqual([]);
    }
  });
});
