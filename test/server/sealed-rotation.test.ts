// Key rotation reaches the merchants' sealed settings too: processor credentials and forwarding
// headers are re-wrapped under the newest key, count in the key usage until they are, and open with
// the newest key alone once the old one is retired.
import crypto from 'node:crypto';
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
});
