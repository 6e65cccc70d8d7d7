// A live merchant's pages must be on https: real cards are typed into the vault's iframe, and a page
// fetched over http can be rewritten on the way (a look-alike form around the iframe, a script that
// watches the customer). Attacks: a live merchant (or its leaked key, or the CLI) putting an http page on
// its allowed list, and an http origin stored before the rule, used to embed the fields.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionCreate } from '../../protocol/api.ts';
import { createMerchant, findById, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { createSession } from '../../server/sessions/session-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { runCli } from '../helpers/storage-scan.ts';
import { LIVE_SHOP, SHOP, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const HTTPS_VAULT = 'https://vault.test';

describeEachDb('live origins', (target) => {
  let v: TestVault;
  let live: CreatedMerchant;
  beforeAll(async () => {
    v = await startTestVault(target, { vaultKeys: `k1:${crypto.randomBytes(32).toString('base64')}`, publicUrl: HTTPS_VAULT });
    live = await createMerchant(v.runtime.deps, { name: 'Live shop', origins: [LIVE_SHOP], live: true });
  });
  afterAll(() => v.close());

  const storedOrigins = async (id: string) =>
    JSON.parse((await v.runtime.deps.db.selectFrom('merchants').select('allowed_origins').where('id', '=', id).executeTakeFirstOrThrow()).allowed_origins);

  it('refuses an http page on a live merchant’s allowed list, and keeps the list as it was', async () => {
    for (const origins of [[SHOP], [LIVE_SHOP, 'http://shop.test:8080'], ['http://localhost:3000']]) {
      const res = await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { allowed_origins: origins } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'allowed_origins' });
      expect(res.body.error.message).toContain('https');
      expect(await storedOrigins(live.id)).toEqual([LIVE_SHOP]);
    }
    const ok = await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { allowed_origins: [LIVE_SHOP, 'https://www.shop.test'] } });
    expect(ok.status).toBe(200);
    expect(ok.body.allowed_origins).toEqual([LIVE_SHOP, 'https://www.shop.test']);
    // Test mode keeps http, for a developer's laptop.
    expect((await v.api('POST', '/v1/merchant', { body: { allowed_origins: [SHOP, 'http://localhost:3000'] } })).status).toBe(200);
  });

  it('refuses to create a live merchant with an http origin, from the CLI or in code', async () => {
    const cli = await runCli(v, 'server/cli/merchant.ts', ['create', '--live', '--name', 'Plain live', '--origin', SHOP]);
    expect(cli.code).not.toBe(0);
    expect(cli.err + cli.out).toContain('https');
    await expect(createMerchant(v.runtime.deps, { name: 'Plain live', origins: [SHOP], live: true })).rejects.toThrow(/https/);
    const named = await v.runtime.deps.db.selectFrom('merchants').select('id').where('name', '=', 'Plain live').execute();
    expect(named).toEqual([]);
  });

  describe('an http origin stored before the rule', () => {
    let legacy: CreatedMerchant;
    let secret: string;
    beforeAll(async () => {
      legacy = await createMerchant(v.runtime.deps, { name: 'Old live shop', origins: [LIVE_SHOP], live: true });
      await v.runtime.deps.db
        .updateTable('merchants')
        .set({ allowed_origins: JSON.stringify([SHOP, LIVE_SHOP]) })
        .where('id', '=', legacy.id)
        .execute();
      v.runtime.deps.merchants.invalidate();
      const merchant = (await findById(v.runtime.deps.db, legacy.id))!;
      secret = (await createSession(v.runtime.deps.db, merchant, SessionCreate.parse({ amount: 1999, currency: 'USD' }), new Date())).client_secret!;
    });

    it('does not let the http page show the fields, nor name it as an ancestor', async () => {
      const page = (origin: string) => v.api('GET', `/frame?pk=${legacy.publishable_key}&origin=${encodeURIComponent(origin)}`, { key: '' });
      const refused = await page(SHOP);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      const served = await page(LIVE_SHOP);
      expect(served.status).toBe(200);
      const policy = served.headers.get('content-security-policy') ?? '';
      expect(policy).toContain(`frame-ancestors ${LIVE_SHOP}`);
      expect(policy).not.toContain(SHOP);
    });

    it("refuses the fields' calls from the http page with 403 origin_not_allowed", async () => {
      const fromHttp = await v.frame('/frame/v1/session', secret, {}, { 'checkout-host-origin': SHOP });
      expect(fromHttp.status).toBe(403);
      expect(fromHttp.body.error).toMatchObject({ type: 'permission_error', code: 'origin_not_allowed' });
      const fromHttps = await v.frame('/frame/v1/session', secret, {}, { 'checkout-host-origin': LIVE_SHOP });
      expect(fromHttps.status).toBe(200);
    });

    it('still lets a test merchant with the same http origin embed its fields', async () => {
      const page = await v.api('GET', `/frame?pk=${v.merchant.publishable_key}&origin=${encodeURIComponent(SHOP)}`, { key: '' });
      expect(page.status).toBe(200);
    });
  });
});
