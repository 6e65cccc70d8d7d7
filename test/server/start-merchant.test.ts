// `npm start`'s test merchant is created under the demo shop's name: the fields' consent and the
// customers' messages name "Bean & Kettle" from the first moment, before the shop is even up.
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SHOP_NAME } from '../../demo/catalog.ts';
import { ensureTestMerchant } from '../../scripts/test-merchant.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb("npm start's test merchant", (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  it("is created under the shop's name, and kept (with its keys) across starts", async () => {
    const created = await ensureTestMerchant(v.runtime.deps.db, v.dataDir, 'http://localhost:4001');
    const me = await v.api('GET', '/v1/merchant', { key: created.secret_key });
    expect(me.body).toMatchObject({ id: created.id, name: SHOP_NAME, allowed_origins: ['http://localhost:4001'] });
    expect(fs.statSync(`${v.dataDir}/test-merchant.json`).mode & 0o777).toBe(0o600);

    const again = await ensureTestMerchant(v.runtime.deps.db, v.dataDir, 'http://localhost:4001');
    expect(again).toEqual(created);
  });

  it('lets the fields open on the shop moved to another DEMO_PORT, keeping its earlier origin', async () => {
    const fieldsOn = async (origin: string, pk: string) =>
      (await v.runtime.app.request(`/frame?pk=${encodeURIComponent(pk)}&origin=${encodeURIComponent(origin)}`)).status;
    const first = await ensureTestMerchant(v.runtime.deps.db, v.dataDir, 'http://localhost:4001');
    expect(await fieldsOn('http://localhost:4101', first.publishable_key)).toBe(403);

    const moved = await ensureTestMerchant(v.runtime.deps.db, v.dataDir, 'http://localhost:4101');
    expect(moved).toEqual(first);
    expect(await fieldsOn('http://localhost:4101', moved.publishable_key)).toBe(200);
    expect(await fieldsOn('http://localhost:4001', moved.publishable_key)).toBe(200);
  });
});
