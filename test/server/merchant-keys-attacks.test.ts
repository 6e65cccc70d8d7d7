// Attacks on the merchant's account settings, its processor credentials, the vault's key material and
// the operators' key commands: what a leaked or rolled key, a concurrent request, a key retired too early
// or a copy of the database could get out of them.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { everyRow } from '../helpers/storage-scan.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

const root = path.resolve(import.meta.dirname, '../..');
const freshKey = () => crypto.randomBytes(32).toString('base64');

/** `npm run keys -- status` as the operator runs it, with the ring the vault runs with. */
async function keysStatus(v: TestVault, vaultKeys: string): Promise<string> {
  const env = { ...process.env, DATA_DIR: v.dataDir, KEY_FILE: v.keyFile, VAULT_KEYS: vaultKeys, DATABASE_URL: v.databaseUrl ?? '', LOG_LEVEL: 'silent' };
  const { stdout } = await promisify(execFile)(path.join(root, 'node_modules/.bin/tsx'), ['server/cli/keys.ts', 'status'], { cwd: root, env });
  return stdout;
}

describeEachDb('merchant account and key attacks', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { vaultKeys: `k1:${freshKey()}` });
  });
  afterAll(() => v?.close());

  it('lets only one of several concurrent rolls with the same key win, so the merchant never holds a dead key', async () => {
    const m = await v.newMerchant();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => v.api('POST', '/v1/merchant/roll_secret_key', { key: m.secret_key, body: { previous_key_expires_in_hours: 0 } })),
    );
    const won = answers.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    // The others are refused: in the statement that writes (current_key_required), or, once the roll
    // stopped the key, at the door (invalid_api_key).
    for (const r of answers.filter((a) => a.status !== 200)) expect(['current_key_required', 'invalid_api_key']).toContain(r.body.error?.code);
    // The one key handed out is the one that works; the rolled one is stopped.
    expect((await v.api('GET', '/v1/merchant', { key: won[0].body.secret_key })).status).toBe(200);
    expect((await v.api('GET', '/v1/merchant', { key: m.secret_key })).status).toBe(401);
  });

  it('never lets a settings change and a roll of the same key both pass: the change lands only while the key is current', async () => {
    const m = await v.newMerchant();
    const [change, roll] = await Promise.all([
      v.api('POST', '/v1/merchant', { key: m.secret_key, body: { name: 'Raced', processor: { type: 'stripe', secret_key: `sk_test_${'Z'.repeat(24)}` } } }),
      v.api('POST', '/v1/merchant/roll_secret_key', { key: m.secret_key, body: { previous_key_expires_in_hours: 1 } }),
    ]);
    expect(roll.status).toBe(200);
    const me = (await v.api('GET', '/v1/merchant', { key: roll.body.secret_key })).body;
    if (change.status === 200) expect(me).toMatchObject({ name: 'Raced', processor: { type: 'stripe' } });
    else {
      expect(change.body.error.code).toBe('current_key_required');
      expect(me).toMatchObject({ name: 'Test shop', processor: { type: 'simulated' } });
    }
  });

  it('keeps processor credentials out of every answer, log line and stored row, and shows another merchant none of them', async () => {
    const m = await v.newMerchant();
    const other = await v.newMerchant();
    const stripeKey = `sk_test_${crypto.randomBytes(18).toString('hex')}`;
    const stripeHook = `whsec_${crypto.randomBytes(18).toString('hex')}`;
    const adyenKey = `AQE${crypto.randomBytes(24).toString('hex')}`;
    const hmac = crypto.randomBytes(32).toString('hex');
    const answers = [
      await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { processor: { type: 'stripe', secret_key: stripeKey, webhook_secret: stripeHook } } }),
      await v.api('POST', '/v1/merchant', {
        key: other.secret_key,
        headers: { 'idempotency-key': 'settings-with-credentials-1' },
        body: {
          processor: { type: 'adyen', api_key: adyenKey, merchant_account: 'Shop', environment: 'test', hmac_key: hmac },
        },
      }),
      // Refused ones too: a live key on a test merchant, a bad HMAC key.
      await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { processor: { type: 'stripe', secret_key: stripeKey.replace('_test_', '_live_') } } }),
      await v.api('POST', '/v1/merchant', {
        key: other.secret_key,
        body: { processor: { type: 'adyen', api_key: adyenKey, merchant_account: 'Shop', environment: 'test', hmac_key: `${hmac}zz` } },
      }),
      await v.api('GET', '/v1/merchant', { key: m.secret_key }),
      await v.api('GET', '/v1/merchant', { key: other.secret_key }),
      await v.api('GET', '/v1/events', { key: m.secret_key }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 400, 400, 200, 200, 200]);
    expect(answers[4].body.processor).toEqual({ type: 'stripe', configured: true, key_last4: stripeKey.slice(-4) });
    expect(answers[5].body.processor).toEqual({ type: 'adyen', configured: true, key_last4: adyenKey.slice(-4) });
    const rows = await everyRow(v, target, 'merchants');
    for (const secret of [stripeKey, stripeHook, adyenKey, hmac, stripeKey.slice(8, -4), adyenKey.slice(3, -4)]) {
      for (const a of answers) expect(a.text).not.toContain(secret);
      expect(v.logs.join('\n')).not.toContain(secret);
      expect(rows).not.toContain(secret);
    }
  });

  it('shows no last four of a key so short that they would give much of it away', async () => {
    const m = await v.newMerchant();
    const shortAdyen = 'AQE5xy7z';
    const shortStripe = 'sk_test_abc123';
    for (const processor of [
      { type: 'adyen', api_key: shortAdyen, merchant_account: 'Shop', environment: 'test' },
      { type: 'stripe', secret_key: shortStripe },
    ]) {
      const set = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { processor } });
      expect(set.status, set.text).toBe(200);
      expect(set.body.processor).toEqual({ type: processor.type, configured: true });
      const stored = await v.runtime.deps.db.selectFrom('merchants').select('processor').where('id', '=', m.id).executeTakeFirstOrThrow();
      expect(JSON.parse(stored.processor!).key_last4).toBeNull();
    }
  });

  it('refuses, with 400 and no change, values that would break storage or the answer (NUL, huge, unpaired surrogates in keys)', async () => {
    const m = await v.newMerchant();
    const bodies = [
      { name: 'a\u0000b' },
      { webhook_url: 'https://hooks.example/\u0000' },
      { allowed_origins: ['https://shop.example\u0000'] },
      { name: 'x'.repeat(10_000) },
      { allowed_origins: Array.from({ length: 51 }, (_, i) => `https://s${i}.example`) },
      { processor: { type: 'stripe', secret_key: `sk_test_${'a'.repeat(300)}` } },
      { processor: { type: 'adyen', api_key: 'AQE\ud800abcdefgh', merchant_account: 'Shop', environment: 'test' } },
      { processor: { type: 'adyen', api_key: 'AQEabcdefgh', merchant_account: 'Shop', environment: 'test', live_url_prefix: 'evil.example/x' } },
    ];
    for (const body of bodies) {
      const res = await v.api('POST', '/v1/merchant', { key: m.secret_key, body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
    expect((await v.api('GET', '/v1/merchant', { key: m.secret_key })).body).toMatchObject({ name: 'Test shop', processor: { type: 'simulated' } });
  });
});

describeEachDb('processor credentials under a key that left the ring', (target) => {
  const k1 = `k1:${freshKey()}`;
  const k2 = `k2:${freshKey()}`;
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { vaultKeys: k1 });
    const set = await v.api('POST', '/v1/merchant', { body: { processor: { type: 'stripe', secret_key: `sk_test_${'Q'.repeat(24)}` } } });
    expect(set.status, set.text).toBe(200);
    // Key 1 leaves the ring without a rotation: no card is under it, only the merchant's credentials and
    // its webhook signing secret.
    v = await v.reopen({ vaultKeys: k2 });
  });
  afterAll(() => v?.close());

  it("names them in the start's log, as it names cards under a missing key", () => {
    const line = v.logs.map((l) => JSON.parse(l)).find((l) => l.key_version === 'k1' && l.sealed_settings !== undefined);
    expect(line).toMatchObject({ level: 50, key_version: 'k1', sealed_settings: 2 });
    expect(line.msg).toContain(
      'key version k1 is not in the key ring but still wraps 2 merchant setting(s) (processor credentials, webhook signing secrets or forwarding headers)',
    );
  });

  it("answers the merchant's payments 502 processor_unavailable, saying why, not 500", async () => {
    const res = await v.api('POST', '/v1/sessions', { body: { amount: 1000, currency: 'USD' } });
    expect(res.status, res.text).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'processor_unavailable' });
    expect(res.body.error.message).toContain('no longer holds');
  });

  it('names them in `npm run keys -- status`', async () => {
    const out = await keysStatus(v, k2);
    expect(out).toContain('missing: key version k1 is not in the key ring but still wraps 2 merchant setting(s)');
  }, 30_000);
});
