// `npm start` prints a one-time link for the test merchant's dashboard admin until its password is set.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SHOP_NAME } from '../../demo/catalog.ts';
import { ensureTestMerchant, TEST_ADMIN_EMAIL, testAdminLink } from '../../scripts/test-merchant.ts';
import { cookieOf, dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb("npm start's dashboard admin", (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
  });
  afterAll(() => v.close());

  it('gets a fresh link at each start until the password is set, then none; and signs in to the test merchant', async () => {
    const d = dashboard(v);
    const merchant = await ensureTestMerchant(v.runtime.deps, v.dataDir, 'http://localhost:4001');
    const token = (link?: string) => new URL(link ?? 'http://x').hash.replace('#token=', '');
    const first = await testAdminLink(v.runtime.deps.db, merchant.id, 'http://vault.test');
    const second = await testAdminLink(v.runtime.deps.db, merchant.id, 'http://vault.test');
    expect(second).toMatch(/^http:\/\/vault\.test\/dashboard\/set-password#token=[\w-]{43}$/);
    expect((await d.setPassword(token(first), 'the admin password 1')).status).toBe(400);
    expect((await d.setPassword(token(second), 'the admin password 1')).status).toBe(303);
    expect(await testAdminLink(v.runtime.deps.db, merchant.id, 'http://vault.test')).toBeUndefined();
    const cookie = cookieOf(await d.signIn(TEST_ADMIN_EMAIL, 'the admin password 1'));
    expect(await d.me(cookie)).toMatchObject({ email: TEST_ADMIN_EMAIL, role: 'admin', merchant: { id: merchant.id, name: SHOP_NAME } });
  });
});
