// POST /v1/merchant/roll_secret_key: the new key works at once, the old one until the time the merchant
// gave it and then never again, and no key is ever shown again or kept in the clear.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { dashboard } from '../helpers/dashboard.ts';
import { dataDirBytes, everyRow } from '../helpers/storage-scan.ts';
import { LIVE_SHOP, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const HOUR = 3_600_000;

describeEachDb('rolling the secret key', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    // A vault ready for real cards, so that a live merchant can roll its key too.
    v = await startTestVault(target, {
      vaultKeys: `k1:${crypto.randomBytes(32).toString('base64')}`,
      publicUrl: 'https://vault.test',
      limits: { TRUST_PROXY: 1 },
    });
  });
  afterAll(() => v.close());

  /** A merchant of its own, and the status GET /v1/merchant answers a key with. */
  async function freshMerchant(group?: string) {
    const m = await v.newMerchant({ group });
    const roll = (body: unknown, key = m.secret_key, headers?: Record<string, string>) => v.api('POST', '/v1/merchant/roll_secret_key', { key, body, headers });
    return { ...m, roll };
  }
  const works = async (key: string) => (await v.api('GET', '/v1/merchant', { key })).status;

  it('gives a new test key that works at once, shown this once; the old key keeps working for 24 hours by default', async () => {
    const m = await freshMerchant();
    const t0 = new Date();
    v.setNow(t0);
    try {
      const res = await m.roll({});
      expect(res.status).toBe(200);
      expect(res.body.secret_key).toMatch(/^sk_test_[A-Za-z0-9_-]{20,}$/);
      expect(res.body.secret_key).not.toBe(m.secret_key);
      expect(res.body.previous_key_expires_at).toBe(new Date(t0.getTime() + 24 * HOUR).toISOString());
      expect(await works(res.body.secret_key)).toBe(200);
      expect(await works(m.secret_key)).toBe(200);
      const me = await v.api('GET', '/v1/merchant', { key: res.body.secret_key });
      expect(me.body).toMatchObject({ id: m.id, previous_secret_key_expires_at: res.body.previous_key_expires_at });
      expect(me.text).not.toContain(res.body.secret_key);
      expect(me.text).not.toContain(m.secret_key);

      v.setNow(new Date(t0.getTime() + 24 * HOUR - 1000));
      expect(await works(m.secret_key)).toBe(200);
      v.setNow(new Date(t0.getTime() + 24 * HOUR));
      const refused = await v.api('GET', '/v1/merchant', { key: m.secret_key });
      expect(refused.status).toBe(401);
      expect(refused.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
      expect(await works(res.body.secret_key)).toBe(200);
      // Past its time the previous key is none: the merchant is not told of a key that no longer works.
      expect((await v.api('GET', '/v1/merchant', { key: res.body.secret_key })).body.previous_secret_key_expires_at).toBeNull();
    } finally {
      v.setNow(undefined);
    }
  });

  it('keeps the old key for the hours asked, and stops it at once with 0', async () => {
    const m = await freshMerchant();
    const t0 = new Date();
    v.setNow(t0);
    try {
      const two = await m.roll({ previous_key_expires_in_hours: 2 });
      expect(two.body.previous_key_expires_at).toBe(new Date(t0.getTime() + 2 * HOUR).toISOString());
      v.setNow(new Date(t0.getTime() + 2 * HOUR - 1));
      expect(await works(m.secret_key)).toBe(200);
      v.setNow(new Date(t0.getTime() + 2 * HOUR + 1));
      expect(await works(m.secret_key)).toBe(401);

      const now = await m.roll({ previous_key_expires_in_hours: 0 }, two.body.secret_key);
      expect(now.status).toBe(200);
      expect(now.body.previous_key_expires_at).toBeNull();
      expect(await works(two.body.secret_key)).toBe(401);
      expect(await works(now.body.secret_key)).toBe(200);
      expect((await v.api('GET', '/v1/merchant', { key: now.body.secret_key })).body.previous_secret_key_expires_at).toBeNull();
    } finally {
      v.setNow(undefined);
    }
  });

  it('stops the key from two rolls ago at once when the key is rolled again', async () => {
    const m = await freshMerchant();
    const first = await m.roll({ previous_key_expires_in_hours: 48 });
    const second = await m.roll({ previous_key_expires_in_hours: 48 }, first.body.secret_key);
    expect(second.status).toBe(200);
    expect(await works(m.secret_key)).toBe(401);
    expect(await works(first.body.secret_key)).toBe(200);
    expect(await works(second.body.secret_key)).toBe(200);
  });

  it('refuses the previous key a change to the account, so a leaked key cannot roll again and keep the account', async () => {
    const m = await freshMerchant();
    // The merchant rolls a key that leaked, keeping it for a day while its servers change over.
    const rolled = await m.roll({ previous_key_expires_in_hours: 24 });
    const current = rolled.body.secret_key;
    // Whoever holds the leaked key tries to roll with 0 (which would stop the merchant's new key), to
    // point the webhooks elsewhere, and to take the webhook signing secret.
    const attempts = [
      await m.roll({ previous_key_expires_in_hours: 0 }, m.secret_key),
      await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: 'https://attacker.example/hook' } }),
      await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: {} }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'current_key_required' });
    }
    expect(await works(current)).toBe(200);
    expect((await v.api('GET', '/v1/merchant', { key: current })).body.webhook_url).toBeNull();
    // Until its time it still does what the merchant's servers do day to day.
    expect((await v.api('POST', '/v1/sessions', { key: m.secret_key, body: { amount: 500, currency: 'EUR' } })).status).toBe(201);
    // The current key changes the account as before.
    expect((await v.api('POST', '/v1/merchant', { key: current, body: { webhook_url: null } })).status).toBe(200);
    expect((await m.roll({ previous_key_expires_in_hours: 0 }, current)).status).toBe(200);
    expect(await works(m.secret_key)).toBe(401);
  });

  it("leaves another merchant's key, a sister shop's included, working", async () => {
    const m = await freshMerchant();
    const sister = await freshMerchant(m.group);
    const other = await freshMerchant();
    expect((await m.roll({ previous_key_expires_in_hours: 0 })).status).toBe(200);
    expect(await works(m.secret_key)).toBe(401);
    for (const shop of [sister, other]) {
      const me = await v.api('GET', '/v1/merchant', { key: shop.secret_key });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: shop.id, previous_secret_key_expires_at: null });
    }
  });

  it('gives a live merchant a live key', async () => {
    const live = await createMerchant(v.runtime.deps, { name: 'Live shop', origins: [LIVE_SHOP], live: true });
    const res = await v.api('POST', '/v1/merchant/roll_secret_key', { key: live.secret_key, body: { previous_key_expires_in_hours: 0 } });
    expect(res.status).toBe(200);
    expect(res.body.secret_key).toMatch(/^sk_live_/);
    expect((await v.api('GET', '/v1/merchant', { key: res.body.secret_key })).body).toMatchObject({ id: live.id, livemode: true });
  });

  it('never shows or keeps a key in the clear: not in an answer, an event, a log line or the database, Idempotency-Key or not', async () => {
    const m = await freshMerchant();
    const first = await m.roll({}, m.secret_key, { 'idempotency-key': 'roll-1' });
    const second = await m.roll({ previous_key_expires_in_hours: 1 }, first.body.secret_key);
    expect([first.status, second.status]).toEqual([200, 200]);
    const keys = [m.secret_key, first.body.secret_key, second.body.secret_key];
    const reads = [
      await v.api('GET', '/v1/merchant', { key: second.body.secret_key }),
      await v.api('POST', '/v1/merchant', { key: second.body.secret_key, body: {} }),
      await v.api('GET', '/v1/events?limit=100', { key: second.body.secret_key }),
    ];
    for (const r of reads) expect(r.status).toBe(200);
    const stored = target === 'sqlite' ? dataDirBytes(v.dataDir).toString('latin1') : await everyRow(v, target, 'merchants');
    for (const key of keys) {
      for (const r of reads) expect(r.text).not.toContain(key);
      expect(v.logs.join('\n')).not.toContain(key);
      expect(stored).not.toContain(key);
    }
    // A retry with the same Idempotency-Key cannot be shown the key again: it rolls again.
    const retry = await m.roll({}, second.body.secret_key, { 'idempotency-key': 'roll-1' });
    expect(retry.status).toBe(200);
    expect(retry.body.secret_key).not.toBe(first.body.secret_key);
  });

  it('keeps no webhook signing secret for an Idempotency-Key replay: a retry rotates again', async () => {
    const m = await freshMerchant();
    const rotate = () => v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: {}, headers: { 'idempotency-key': 'rotate-1' } });
    const first = await rotate();
    expect(first.status).toBe(200);
    const kept = await v.runtime.deps.db.selectFrom('idempotency_keys').select(['key', 'response_body']).where('merchant_id', '=', m.id).execute();
    expect(JSON.stringify(kept)).not.toContain(first.body.webhook_secret);
    const retry = await rotate();
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.webhook_secret).not.toBe(first.body.webhook_secret);
  });

  it('refuses bad input with 400 in the contract shape and changes no key', async () => {
    const m = await freshMerchant();
    for (const [body, code] of [
      [{ previous_key_expires_in_hours: -1 }, 'parameter_invalid'],
      [{ previous_key_expires_in_hours: 169 }, 'parameter_invalid'],
      [{ previous_key_expires_in_hours: 'x' }, 'parameter_invalid'],
      [{ previous_key_expires_in_hours: 1.5 }, 'parameter_invalid'],
      [{ expires: 1 }, 'parameter_unknown'],
    ] as const) {
      const res = await m.roll(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code });
      expect(typeof res.body.error.message).toBe('string');
    }
    expect((await m.roll({ previous_key_expires_in_hours: -1 })).body.error.param).toBe('previous_key_expires_in_hours');
    expect(await works(m.secret_key)).toBe(200);
    expect((await v.api('GET', '/v1/merchant', { key: m.secret_key })).body.previous_secret_key_expires_at).toBeNull();
  });

  it("lets the dashboard's admin roll the key (audited without it), and refuses a viewer", async () => {
    const m = await freshMerchant();
    const d = dashboard(v);
    const password = 'correct horse battery 42';
    const admin = await d.signedIn(`admin.${m.id}@shop.example`, password, { merchant: m.id });
    const viewer = await d.signedIn(`viewer.${m.id}@shop.example`, password, { merchant: m.id, role: 'viewer' });

    const refused = await d.call('POST', '/v1/merchant/roll_secret_key', { cookie: viewer, csrf: (await d.me(viewer)).csrf_token, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('staff_role_forbidden');
    expect(await works(m.secret_key)).toBe(200);

    const rolled = await d.call('POST', '/v1/merchant/roll_secret_key', {
      cookie: admin,
      csrf: (await d.me(admin)).csrf_token,
      body: { previous_key_expires_in_hours: 1 },
      idempotencyKey: crypto.randomUUID(),
    });
    expect(rolled.status).toBe(200);
    expect(rolled.body.secret_key).toMatch(/^sk_test_/);
    expect(await works(rolled.body.secret_key)).toBe(200);
    expect(await works(m.secret_key)).toBe(200);
    const audit = await v.runtime.deps.db.selectFrom('audit_log').selectAll().where('merchant_id', '=', m.id).where('action', '=', 'secret_key.roll').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].details)).toEqual({ previous_key_expires_in_hours: 1 });
    const stored = target === 'sqlite' ? dataDirBytes(v.dataDir).toString('latin1') : await everyRow(v, target, 'audit_log');
    expect(stored).not.toContain(rolled.body.secret_key);
  });
});
