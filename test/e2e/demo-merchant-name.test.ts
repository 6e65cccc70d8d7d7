// The browser suites' merchant is created under the demo shop's name, as npm start's is: the shop
// starts without renaming it, so what the suites see is what a first start shows.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SHOP_NAME } from '../../demo/catalog.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

let stack: Stack;

describeInBrowser("the browser suites' merchant", () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it("carries the shop's name from its creation: the shop had nothing to rename", async () => {
    const row = await stack.runtime.deps.db.selectFrom('merchants').select('name').where('id', '=', stack.merchant.id).executeTakeFirstOrThrow();
    expect(row.name).toBe(SHOP_NAME);
    const changes = stack.logs.map((line) => JSON.parse(line)).filter((l) => l.msg === 'request' && l.method === 'POST' && l.path === '/v1/merchant');
    expect(changes).toEqual([]);
  });
});
