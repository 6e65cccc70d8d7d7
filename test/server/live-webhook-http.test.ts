// A live merchant's events name real customers, cards and amounts: its webhook goes over https only.
// Tried as a merchant would: setting an http URL (API and CLI), and an http URL already stored (set
// before the rule, or written straight in), whose receiver must get nothing at all.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emitEvent } from '../../server/events/emit-event.ts';
import { deliverDueEvents } from '../../server/jobs/webhook-worker.ts';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { runCli } from '../helpers/storage-scan.ts';
import { LIVE_SHOP, SHOP, startTestVault, type TestVault } from '../helpers/test-vault.ts';
import { listenLocally } from '../helpers/local-server.ts';

/** A receiver on this machine that counts the requests it gets. */
async function receiver() {
  const requests: string[] = [];
  const server = await listenLocally((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.end('ok');
  });
  return { ...server, requests };
}

describeEachDb("A live merchant's webhook over plain http", (target) => {
  let v: TestVault;
  let live: CreatedMerchant;
  let local: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    // Ready for real cards (https, VAULT_KEYS), and local receivers allowed so that the receiver is reachable at all.
    v = await startTestVault(target, {
      vaultKeys: `k1:${crypto.randomBytes(32).toString('base64')}`,
      publicUrl: 'https://vault.test',
      allowPrivateWebhooks: true,
    });
    live = await createMerchant(v.runtime.deps, { name: 'Live shop', origins: [LIVE_SHOP], live: true });
    local = await receiver();
  });
  afterAll(async () => {
    await local.close();
    await v.close();
  });

  const setWebhook = (m: CreatedMerchant, url: string) => v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: url } });
  const emit = (m: CreatedMerchant) =>
    emitEvent(v.runtime.deps.db, { merchantId: m.id, groupId: m.group, type: 'card.expiring', data: { card: 'card_x', customer: 'c1' }, now: new Date() });
  const attemptsOf = async (m: CreatedMerchant, id: string) => (await v.api('GET', `/v1/events/${id}/attempts`, { key: m.secret_key })).body.data;

  it('refuses an http webhook_url for a live merchant with 400 parameter_invalid, and keeps the URL it had', async () => {
    expect((await setWebhook(live, local.url.replace('http:', 'https:'))).status).toBe(200);
    for (const url of [local.url, 'http://hooks.shop.example/hooks', 'HTTP://hooks.shop.example/hooks']) {
      const res = await setWebhook(live, url);
      expect(res.status, url).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'webhook_url' });
      expect(res.body.error.message).toContain('https');
    }
    expect((await v.api('GET', '/v1/merchant', { key: live.secret_key })).body.webhook_url).toBe(local.url.replace('http:', 'https:'));
  });

  it('still lets a test-mode merchant set an http webhook_url', async () => {
    const res = await setWebhook(v.merchant, local.url);
    expect(res.status).toBe(200);
    expect(res.body.webhook_url).toBe(local.url);
  });

  it('sends nothing to an http URL stored for a live merchant, and records the refusal as url_not_allowed', async () => {
    const stored = await createMerchant(v.runtime.deps, { name: 'Live old URL', origins: [LIVE_SHOP], live: true });
    // A row from before the rule: no set-time check stands between it and delivery.
    await v.runtime.deps.db.updateTable('merchants').set({ webhook_url: local.url }).where('id', '=', stored.id).execute();
    const refused = await emit(stored);
    // The same receiver, a test merchant's: it does get its event, so the receiver counts truly.
    const sent = await emit(v.merchant);

    await deliverDueEvents(v.runtime.deps);
    expect(local.requests).toEqual(['POST /hooks']);
    expect((await attemptsOf(v.merchant, sent))[0]).toMatchObject({ status_code: 200, error: null });
    expect((await attemptsOf(stored, refused)).map((a: any) => [a.status_code, a.error, a.url])).toEqual([[null, 'url_not_allowed', local.url]]);

    // Redelivered by hand: refused the same way, still nothing sent.
    const again = await v.api('POST', `/v1/events/${refused}/redeliver`, { key: stored.secret_key });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status_code: null, error: 'url_not_allowed', delivery: { status: 'pending' } });
    expect(local.requests).toEqual(['POST /hooks']);
  });

  it('npm run merchant -- create --live refuses an http --webhook before creating anything; a test merchant may have one', async () => {
    const before = (await v.runtime.deps.db.selectFrom('merchants').select('id').execute()).length;
    const refused = await runCli(v, 'server/cli/merchant.ts', ['create', '--live', '--name', 'Live CLI', '--origin', LIVE_SHOP, '--webhook', local.url]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('--webhook: webhook_url must be https for a live-mode merchant');
    expect(refused.out).not.toContain('sk_live_');
    expect((await v.runtime.deps.db.selectFrom('merchants').select('id').execute()).length).toBe(before);
    await expect(createMerchant(v.runtime.deps, { name: 'Live direct', origins: [LIVE_SHOP], live: true, webhookUrl: local.url })).rejects.toThrow(/https/);

    const test = await createMerchant(v.runtime.deps, { name: 'Test direct', origins: [SHOP], webhookUrl: local.url });
    expect(test.id).toMatch(/^mer_/);
  }, 20_000);
});
