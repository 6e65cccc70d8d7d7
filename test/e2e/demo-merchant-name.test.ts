// The browser suites' merchant is created under the demo shop's name, as npm start's is, so what the
// suites see is what a first start shows. The shop itself never renames a merchant: the keys it is
// given may be any merchant's, whose name (and so the consent its customers agreed to) is not its own.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { SHOP_NAME } from '../../demo/catalog.ts';
import { startDemo } from '../../demo/server.ts';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { describeInBrowser, freePort, startStack, type Stack } from './harness.ts';

let stack: Stack;

describeInBrowser("the browser suites' merchant", () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  const nameOf = async (id: string) => (await stack.runtime.deps.db.selectFrom('merchants').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name;
  const settingsChanges = () =>
    stack.logs.map((line) => JSON.parse(line)).filter((l) => l.msg === 'request' && l.method === 'POST' && l.path === '/v1/merchant');

  it("carries the shop's name from its creation", async () => {
    expect(await nameOf(stack.merchant.id)).toBe(SHOP_NAME);
    expect(settingsChanges()).toEqual([]);
  });

  it("leaves another merchant's name as it is when given its keys, and says what its customers will read", async () => {
    const port = await freePort();
    const other = await createMerchant(stack.runtime.deps, { name: 'Tea club', origins: [`http://127.0.0.1:${port}`] });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const shop = await startDemo({
        port,
        vaultUrl: stack.vaultUrl,
        secretKey: other.secret_key,
        publishableKey: other.publishable_key,
        shopOrigin: `http://127.0.0.1:${port}`,
        webhookSecret: other.webhook_secret,
      });
      await shop.close();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`the merchant is named "Tea club" at the vault, so the fields' consent`));
    } finally {
      warn.mockRestore();
    }
    expect(await nameOf(other.id)).toBe('Tea club');
    expect(settingsChanges()).toEqual([]);
  });
});
