import { afterAll, beforeAll, expect, it } from 'vitest';
import { addKeyToFile, keyUsage, rotateKeys } from '../../server/keys/rotate-keys.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('cards at rest', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  it('stores a saved card encrypted: no number, no expiry and no CVC in its row', async () => {
    const token = await saveCardFor(v, 'rest-1', CARDS.mastercard);
    const row = await v.runtime.deps.db.selectFrom('cards').selectAll().where('token', '=', token).executeTakeFirstOrThrow();
    const text = JSON.stringify(row);
    expect(text).not.toContain(CARDS.mastercard);
    expect(text).not.toContain('"cvc"');
    expect(row).not.toHaveProperty('exp_year');
    expect(row.pan_ct).toBeTruthy();
    expect(row.wrapped_key).toBeTruthy();
    expect(row.last4).toBe('4444');
  });

  it('destroys the key material of a deleted card', async () => {
    const token = await saveCardFor(v, 'rest-2');
    const res = await v.api('DELETE', `/v1/customers/rest-2/cards/${token}`);
    expect(res.body).toEqual({ token, deleted: true });
    const row = await v.runtime.deps.db.selectFrom('cards').selectAll().where('token', '=', token).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ wrapped_key: null, pan_ct: null, meta_ct: null, fingerprint: null });
  });

  it('keeps the token of a re-saved number and adds no second card', async () => {
    const first = await saveCardFor(v, 'rest-3');
    const s = await openSession(v, { customer: 'rest-3' });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: { ...newCard(CARDS.visa), exp_year: new Date().getUTCFullYear() + 6 }, save: true });
    expect(res.body.card.token).toBe(first);
    const list = await v.api('GET', '/v1/customers/rest-3/cards');
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].exp_year).toBe(new Date().getUTCFullYear() + 6);
  });

  it('re-wraps every data key under a new key while payments go on', async () => {
    const tokens = await Promise.all(['rot-1', 'rot-2', 'rot-3'].map((c) => saveCardFor(v, c)));
    const pay = async (i: number) => {
      const customer = `rot-${(i % 3) + 1}`;
      const s = await openSession(v, { customer, amount: 100 + i });
      return v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: tokens[i % 3], cvc: '123' } });
    };
    const ring = addKeyToFile(v.keyFile);
    const [results, rotated] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, (_, i) => pay(i))),
      rotateKeys(v.runtime.deps.db, ring, { batch: 2 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(rotated.cards).toBeGreaterThanOrEqual(3);
    expect(Object.keys(await keyUsage(v.runtime.deps.db))).toEqual([ring.current.id]);
    // The serving vault reads cards wrapped by the key it did not know when it started.
    const after = await pay(0);
    expect(after.status).toBe(200);
    const list = await v.api('GET', '/v1/customers/rot-1/cards');
    expect(list.body.data[0].last4).toBe('4242');
  });
});
