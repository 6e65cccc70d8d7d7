// Key rotation reaches the merchants' sealed settings too: processor credentials and forwarding
// headers are re-wrapped under the newest key, count in the key usage until they are, and open with
// the newest key alone once the old one is retired.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDestination, findDestination, openDestinationHeaders } from '../../server/forward/destination-store.ts';
import { findById } from '../../server/merchants/merchant-store.ts';
import { openProcessorSettings } from '../../server/merchants/processor-account.ts';
import { parseKeyRing } from '../../server/keys/key-ring.ts';
import { keyUsage, rotateKeys } from '../../server/keys/rotate-keys.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

const k1 = `k1:${crypto.randomBytes(32).toString('base64')}`;
const k2 = `k2:${crypto.randomBytes(32).toString('base64')}`;
const STRIPE_KEY = `sk_test_${'R'.repeat(24)}`;

describeEachDb('key rotation of sealed settings', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { vaultKeys: k1 });
  });
  afterAll(() => v?.close());

  it('re-wraps processor credentials and destination headers under the newest key', async () => {
    const set = await v.api('POST', '/v1/merchant', { body: { processor: { type: 'stripe', secret_key: STRIPE_KEY } } });
    expect(set.status, set.text).toBe(200);
    await addDestination(v.runtime.deps.db, v.runtime.deps.ring, {
      merchantId: v.merchant.id,
      live: false,
      name: 'lemonway',
      url: 'https://lemonway.example/api',
      headers: { Authorization: 'Bearer provider-token' },
      now: new Date(),
    });
    const { db } = v.runtime.deps;
    expect((await keyUsage(db)).k1).toBeGreaterThanOrEqual(2);

    const both = parseKeyRing(`${k1},${k2}`);
    const rotated = await rotateKeys(db, both);
    expect(rotated.secrets).toBeGreaterThanOrEqual(2);
    const usage = await keyUsage(db);
    expect(usage.k1 ?? 0).toBe(0);

    // The old key retired: the newest alone opens both, and the old alone opens neither.
    const onlyNew = parseKeyRing(k2);
    const merchant = (await findById(db, v.merchant.id))!;
    expect(openProcessorSettings(onlyNew, merchant.id, merchant.processor)).toEqual({ type: 'stripe', secret_key: STRIPE_KEY });
    expect(() => openProcessorSettings(parseKeyRing(k1), merchant.id, merchant.processor)).toThrow();
    const destination = (await findDestination(db, v.merchant.id, 'lemonway'))!;
    expect(openDestinationHeaders(onlyNew, destination)).toEqual({ Authorization: 'Bearer provider-token' });
  });

  // PostgreSQL keeps old row versions until a vacuum; SQLite's scrub rewrites the whole file.
  if (target === 'postgres')
    it('vacuums, on PostgreSQL, the tables whose rows it re-wrapped: their old row versions would open under the retired key', async () => {
      const k3 = `k3:${crypto.randomBytes(32).toString('base64')}`;
      const { db } = v.runtime.deps;
      const started = (await sql<{ now: Date }>`select now() as now`.execute(db)).rows[0].now.getTime();
      const rotated = await rotateKeys(db, parseKeyRing(`${k1},${k2},${k3}`));
      expect(rotated.secrets).toBeGreaterThanOrEqual(2);
      const vacuumed = async () => {
        const { rows } = await sql<{ relname: string; last_vacuum: Date | null }>`
        select relname, last_vacuum from pg_stat_user_tables where relname in ('merchants', 'forward_destinations', 'vault_secrets')`.execute(db);
        return rows
          .filter((r) => (r.last_vacuum?.getTime() ?? 0) >= started)
          .map((r) => r.relname)
          .sort();
      };
      for (const until = Date.now() + 10_000; Date.now() < until && (await vacuumed()).length < 3; ) await new Promise((r) => setTimeout(r, 200));
      expect(await vacuumed()).toEqual(['forward_destinations', 'merchants', 'vault_secrets']);
    });
});

describeEachDb('key rotation past a damaged card', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { vaultKeys: k1 });
  });
  afterAll(() => v?.close());

  it('re-wraps every other card and the sealed settings, and counts the card its key does not open', async () => {
    const year = new Date().getUTCFullYear() + 2;
    const good = await v.api('POST', '/v1/customers/rot-good/cards', { body: { number: '4242424242424242', exp_month: 5, exp_year: year } });
    const bad = await v.api('POST', '/v1/customers/rot-bad/cards', { body: { number: '5555555555554444', exp_month: 5, exp_year: year } });
    expect([good.status, bad.status]).toEqual([201, 201]);
    expect((await v.api('POST', '/v1/merchant', { body: { processor: { type: 'stripe', secret_key: STRIPE_KEY } } })).status).toBe(200);
    const { db } = v.runtime.deps;
    // Its wrapped key damaged in storage (a bad sector, a faulty restore): key 1 no longer opens it.
    const row = await db.selectFrom('cards').select('wrapped_key').where('token', '=', bad.body.token).executeTakeFirstOrThrow();
    const damaged = Buffer.from(row.wrapped_key!, 'base64');
    damaged[damaged.length - 1] ^= 0xff;
    await db
      .updateTable('cards')
      .set({ wrapped_key: damaged.toString('base64') })
      .where('token', '=', bad.body.token)
      .execute();

    const rotated = await rotateKeys(db, parseKeyRing(`${k1},${k2}`));
    expect(rotated).toMatchObject({ cards: 1, unreadable: 1 });
    expect(rotated.secrets).toBeGreaterThanOrEqual(1);
    const versions = await db.selectFrom('cards').select(['token', 'key_version']).where('token', 'in', [good.body.token, bad.body.token]).execute();
    expect(Object.fromEntries(versions.map((r) => [r.token, r.key_version]))).toEqual({ [good.body.token]: 'k2', [bad.body.token]: 'k1' });
    const merchant = (await findById(db, v.merchant.id))!;
    expect(openProcessorSettings(parseKeyRing(k2), merchant.id, merchant.processor)).toEqual({ type: 'stripe', secret_key: STRIPE_KEY });
  });
});
