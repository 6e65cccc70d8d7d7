// The account's own changes (rolling the secret key, the settings, the webhook secret) need the current
// secret key, and the key from before a roll is refused even while the check runs on a stale copy of the
// merchant. The attack: a leaked key warms instance B's cache; the merchant rolls it on instance A, keeping
// it 24 hours for its servers; within B's cached second the leaked key rolls again on B with 0 hours, which
// would stop the merchant's new key and leave the attacker the only one that works. The statement that
// writes the change asks for the key again, so B answers 403 current_key_required as A does.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openWebhookSecret } from '../../server/merchants/webhook-secret.ts';
import { createRuntime, type VaultRuntime } from '../../server/vault-runtime.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, VAULT, type Reply, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('owner-only changes with a key rolled on another instance', (target) => {
  let a: TestVault;
  let b: VaultRuntime;
  beforeAll(async () => {
    a = await startTestVault(target);
    // A second instance on the same database (and, on SQLite, the same file), with its own merchant cache.
    b = await createRuntime({ DATA_DIR: a.dataDir, KEY_FILE: a.keyFile, DATABASE_URL: a.databaseUrl, PUBLIC_URL: VAULT, LOG_LEVEL: 'silent' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** A request to instance B, as TestVault.api makes them to A. */
  async function onB(method: string, path: string, key: string, body?: unknown): Promise<Reply> {
    const res = await b.app.request(
      `${VAULT}${path}`,
      { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) },
      { incoming: { socket: { remoteAddress: '127.0.0.1' } } } as any,
    );
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text), text, headers: res.headers };
  }

  /**
   * A fresh merchant whose key has leaked: B has just read the merchant with it (so B's cache holds that
   * key as the current one for a second), then the merchant rolls it on A with 24 hours of grace.
   */
  async function rolledOnA() {
    const m = await a.newMerchant();
    const leaked = m.secret_key;
    expect((await onB('GET', '/v1/merchant', leaked)).status).toBe(200);
    const mine = await a.api('POST', '/v1/merchant/roll_secret_key', { key: leaked, body: { previous_key_expires_in_hours: 24 } });
    expect(mine.status).toBe(200);
    // A itself refuses the leaked key at once (its cache was cleared by the roll).
    expect((await a.api('POST', '/v1/merchant/roll_secret_key', { key: leaked, body: { previous_key_expires_in_hours: 0 } })).body.error?.code).toBe(
      'current_key_required',
    );
    return { m, leaked, fresh: mine.body.secret_key as string };
  }

  const refused = (res: Reply) => {
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'current_key_required' });
  };

  it('refuses a roll with 0 hours by the rolled key on the instance that still has it cached, and the new key keeps working', async () => {
    const { m, leaked, fresh } = await rolledOnA();
    refused(await onB('POST', '/v1/merchant/roll_secret_key', leaked, { previous_key_expires_in_hours: 0 }));
    // Nothing changed: the merchant's new key works on both instances, the leaked one still for its 24 hours.
    expect((await a.api('GET', '/v1/merchant', { key: fresh })).status).toBe(200);
    expect((await onB('GET', '/v1/merchant', fresh)).status).toBe(200);
    const after = await a.api('GET', '/v1/merchant', { key: fresh });
    expect(Date.parse(after.body.previous_secret_key_expires_at) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(after.body.id).toBe(m.id);
  });

  it('refuses a settings change by the rolled key there', async () => {
    const { m, leaked, fresh } = await rolledOnA();
    refused(await onB('POST', '/v1/merchant', leaked, { name: 'Attacker', rate_limit: 1 }));
    // An empty change answers the same: the rolled key changes nothing, whatever it asks.
    refused(await onB('POST', '/v1/merchant', leaked, {}));
    const me = await a.api('GET', '/v1/merchant', { key: fresh });
    expect(me.body).toMatchObject({ id: m.id, name: 'Test shop', rate_limit: 100 });
    // The current key still changes the settings.
    expect((await onB('POST', '/v1/merchant', fresh, { name: 'Renamed' })).body.name).toBe('Renamed');
  });

  /** The secret the vault signs with now (stored sealed). */
  const signingSecret = async (id: string) => {
    const row = await a.runtime.deps.db.selectFrom('merchants').select('webhook_secret').where('id', '=', id).executeTakeFirstOrThrow();
    return openWebhookSecret(a.runtime.deps.ring, id, row.webhook_secret);
  };

  it('refuses a webhook secret rotation by the rolled key there', async () => {
    const { m, leaked, fresh } = await rolledOnA();
    refused(await onB('POST', '/v1/webhooks/rotate_secret', leaked, { expire_previous_in: 0 }));
    expect(await signingSecret(m.id)).toBe(m.webhook_secret);
    const rotated = await onB('POST', '/v1/webhooks/rotate_secret', fresh, { expire_previous_in: 0 });
    expect(rotated.status).toBe(200);
    expect(await signingSecret(m.id)).toBe(rotated.body.webhook_secret);
  });

  // SQLite runs one statement at a time on its one connection, so two requests cannot be held inside the
  // write at once; the guard that stops them is the same statement's as above.
  it.runIf(target === 'postgres')('refuses the second of two overlapping rolls on one instance with the same key', async () => {
    const m = await a.newMerchant();
    const key = m.secret_key;
    // Another connection locks the merchant's row, so that both requests pass every check (the key is
    // current for both) and wait inside their UPDATE, in order; the first then rolls and the second must not.
    // A third watches them arrive (pg_stat_activity is read once per transaction, so not from inside the lock's).
    const lock = new pg.Client({ connectionString: a.databaseUrl });
    const watch = new pg.Client({ connectionString: a.databaseUrl });
    await lock.connect();
    await watch.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT id FROM merchants WHERE id = $1 FOR UPDATE', [m.id]);
      const waiting = async (n: number) => {
        for (let i = 0; i < 500; i++) {
          const { rows } = await watch.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' " +
              "AND query ILIKE 'update%merchants%'",
          );
          if (rows[0].n >= n) return;
          await new Promise((r) => setTimeout(r, 10));
        }
        throw new Error(`${n} requests never reached the locked row`);
      };
      const mine = a.api('POST', '/v1/merchant/roll_secret_key', { key, body: { previous_key_expires_in_hours: 24 } });
      await waiting(1);
      const theirs = a.api('POST', '/v1/merchant/roll_secret_key', { key, body: { previous_key_expires_in_hours: 0 } });
      await waiting(2);
      await lock.query('COMMIT');
      const [first, second] = await Promise.all([mine, theirs]);
      expect(first.status).toBe(200);
      refused(second);
      expect((await a.api('GET', '/v1/merchant', { key: first.body.secret_key })).status).toBe(200);
      expect((await a.api('GET', '/v1/merchant', { key })).status).toBe(200);
    } finally {
      await lock.end();
      await watch.end();
    }
  });
});
