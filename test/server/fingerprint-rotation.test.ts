// A key rotation replaces the fingerprint key (server/keys/fingerprint-rotation.ts). The attack it
// stops: someone who kept the old key ring and a copy of the database from before the rotation opens
// the old fingerprint key, then takes a later copy and confirms the numbers of the cards in it from
// their BIN and last four. After `rotate` and the old key's retirement, no stored hash is one they can
// make, and nothing the vault did before the rotation stops working: a number saved again finds its
// card, an idempotent retry gets its answer, a 3-D Secure challenge still vouches for its card (and
// goes when the card is deleted), and a serving vault takes a rotation up by itself.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fingerprintOf } from '../../server/keys/fingerprint-keys.ts';
import { fingerprintUpkeep, REFRESH_MS, refreshFingerprintKeys, rotateFingerprintKeys } from '../../server/keys/fingerprint-rotation.ts';
import { parseKeyRing } from '../../server/keys/key-ring.ts';
import { rotateKeys } from '../../server/keys/rotate-keys.ts';
import { openSecret } from '../../server/keys/vault-secrets.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const k1 = `k1:${crypto.randomBytes(32).toString('base64')}`;
const k2 = `k2:${crypto.randomBytes(32).toString('base64')}`;
const NEXT_YEAR = new Date().getUTCFullYear() + 1;

/** What the attacker does with a fingerprint key: tries every number with a card's BIN and last four (here, the right one among others). */
function confirms(key: Buffer, group: string, stored: string[], numbers: string[]): string[] {
  return numbers.filter((n) => stored.includes(fingerprintOf(key, group, n)));
}

describeEachDb('fingerprint key rotation', (target) => {
  let v: TestVault;
  let group: string;
  let oldFingerprintKey: Buffer;
  let before: { token: string; idemBody: unknown; idemAnswer: string; challenged: { secret: string; challenge: string } };
  const db = () => v.runtime.deps.db;
  const fingerprints = async () =>
    (await db().selectFrom('cards').select('fingerprint').where('group_id', '=', group).where('fingerprint', 'is not', null).execute()).map(
      (r) => r.fingerprint!,
    );
  const importCard = (customer: string, number: string) =>
    v.api('POST', `/v1/customers/${customer}/cards`, { body: { number, exp_month: 12, exp_year: NEXT_YEAR } });

  beforeAll(async () => {
    v = await startTestVault(target, { vaultKeys: k1 });
    group = v.merchant.group;
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0 } });
    // Before the rotation: a saved card, an idempotent session, and the attacker's copy of the fingerprint key.
    const token = (await importCard('alice', CARDS.visa)).body.token;
    const idemBody = { amount: 1234, currency: 'USD' };
    const first = await v.api('POST', '/v1/sessions', { body: idemBody, headers: { 'idempotency-key': 'fp-rotation-1' } });
    expect(first.status).toBe(201);
    const row = await db().selectFrom('vault_secrets').selectAll().where('name', '=', 'fingerprint').executeTakeFirstOrThrow();
    oldFingerprintKey = openSecret(parseKeyRing(k1), row);
    // A 3-D Secure challenge passed before the rotation, for a payment finished after it.
    const s = await openSession(v, { customer: 'carol' });
    const asked = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge) });
    expect(asked.body.status).toBe('requires_action');
    const challenge = asked.body.next_action.challenge as string;
    expect((await v.frame(`/frame/v1/challenges/${challenge}`, s.secret, { code: '123456' })).body.status).toBe('passed');
    before = { token, idemBody, idemAnswer: first.text, challenged: { secret: s.secret, challenge } };
  });
  afterAll(() => v.close());

  it('lets the old key confirm a saved number before the rotation (the attack works)', async () => {
    expect(confirms(oldFingerprintKey, group, await fingerprints(), [CARDS.mastercard, CARDS.visa])).toEqual([CARDS.visa]);
  });

  it('after rotate and the old key retired, confirms no number saved before or after with the old fingerprint key', async () => {
    const both = parseKeyRing(`${k1},${k2}`);
    await rotateKeys(db(), both);
    const rotation = await rotateFingerprintKeys(db(), both, { takeUpMs: 0 });
    expect(rotation).toMatchObject({ version: 2, unopened: 0 });
    expect(rotation.moved).toBeGreaterThanOrEqual(1);
    // The operator retires k1: the vault starts with k2 alone and re-wraps its secrets under it.
    v = await v.reopen({ vaultKeys: k2 });
    expect(v.runtime.deps.fingerprints.current.version).toBe(2);
    await importCard('bob', CARDS.amex);
    const later = await fingerprints();
    expect(later.length).toBe(2);
    expect(later.every((f) => f.startsWith('f2.'))).toBe(true);
    expect(confirms(oldFingerprintKey, group, later, [CARDS.visa, CARDS.amex, CARDS.mastercard])).toEqual([]);
    // Nor does the old key ring open the new fingerprint key from the later copy.
    const rows = await db().selectFrom('vault_secrets').selectAll().where('name', 'like', 'fingerprint%').execute();
    for (const r of rows.filter((r) => r.name !== 'fingerprint')) expect(() => openSecret(parseKeyRing(k1), r)).toThrow();
  });

  it('still finds the card saved before the rotation when its number is saved again', async () => {
    const again = await importCard('alice', CARDS.visa);
    expect(again.status).toBe(200);
    expect(again.body.token).toBe(before.token);
    const list = await v.api('GET', '/v1/customers/alice/cards');
    expect(list.body.data.map((c: { token: string }) => c.token)).toEqual([before.token]);
  });

  it('answers an idempotent retry from before the rotation, and refuses the key with another body', async () => {
    const replay = await v.api('POST', '/v1/sessions', { body: before.idemBody, headers: { 'idempotency-key': 'fp-rotation-1' } });
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(before.idemAnswer);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const other = await v.api('POST', '/v1/sessions', { body: { amount: 999, currency: 'USD' }, headers: { 'idempotency-key': 'fp-rotation-1' } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });

  it('takes a payment on a 3-D Secure challenge passed before the rotation, and deleting the card deletes that challenge', async () => {
    const { secret, challenge } = before.challenged;
    const paid = await v.frame('/frame/v1/confirm', secret, { card: newCard(CARDS.challenge), challenge, save: true });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body.status).toBe('succeeded');
    const held = () => db().selectFrom('challenges').select('id').where('id', '=', challenge).execute();
    // The challenge holds the number's hash under version 1, the card its hash under version 2.
    expect(await held()).toHaveLength(1);
    expect((await v.api('DELETE', `/v1/customers/carol/cards/${paid.body.card.token}`)).status).toBe(200);
    expect(await held()).toEqual([]);
  });

  it('deletes the old fingerprint key once nothing refers to it', async () => {
    // The idempotency record made before the rotation is the last thing under version 1.
    expect(await db().selectFrom('vault_secrets').select('name').where('name', '=', 'fingerprint').execute()).toHaveLength(1);
    await db().deleteFrom('idempotency_keys').execute();
    // The scheduler's pass deletes it, once the vault has held the newest key a minute (here: at once).
    expect(await fingerprintUpkeep(v.runtime.deps, 0)).toEqual({ moved: 0, retired: [1] });
    expect(await db().selectFrom('vault_secrets').select('name').where('name', '=', 'fingerprint').execute()).toEqual([]);
    expect(v.runtime.deps.fingerprints.versions).toEqual([2]);
    // And the vault still recognises every saved number.
    expect((await importCard('bob', CARDS.amex)).status).toBe(200);
  });

  it('has a serving vault take up a rotation made meanwhile within a few seconds, with no restart', async () => {
    const ring = parseKeyRing(k2);
    const rotation = await rotateFingerprintKeys(db(), ring, { takeUpMs: 0 });
    expect(rotation.version).toBe(3);
    // The serving vault's own timer (REFRESH_MS), not a call from here.
    const deadline = Date.now() + REFRESH_MS + 3000;
    while (v.runtime.deps.fingerprints.current.version !== 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(v.runtime.deps.fingerprints.current.version).toBe(3);
    const token = await saveCardFor(v, 'dave', CARDS.mastercard);
    const row = await db().selectFrom('cards').select('fingerprint').where('token', '=', token).executeTakeFirstOrThrow();
    expect(row.fingerprint).toMatch(/^f3\./);
    expect(await refreshFingerprintKeys(db(), ring, v.runtime.deps.fingerprints)).toBe(false);
  }, 15_000);
});

describeEachDb('a fingerprint key no key of the ring opens', (target) => {
  let v: TestVault;
  afterAll(() => v.close());

  it('is replaced at start, and every card the ring opens is fingerprinted anew: a number saved again finds its card', async () => {
    v = await startTestVault(target, { vaultKeys: k1 });
    const first = await v.api('POST', '/v1/customers/erin/cards', { body: { number: CARDS.visa, exp_month: 12, exp_year: NEXT_YEAR } });
    expect(first.status).toBe(201);
    // The fingerprint key was wrapped only under a key the ring has lost; the card's own key is still held.
    const row = await v.runtime.deps.db.selectFrom('vault_secrets').selectAll().where('name', '=', 'fingerprint').executeTakeFirstOrThrow();
    const lost = JSON.stringify({ lost: Object.values(JSON.parse(row.wrapped))[0] });
    await v.runtime.deps.db.updateTable('vault_secrets').set({ wrapped: lost, key_version: 'lost' }).where('name', '=', 'fingerprint').execute();
    v = await v.reopen({ vaultKeys: k1 });
    expect(v.runtime.deps.fingerprints.versions).toEqual([2]);
    expect(v.logs.join('\n')).toContain('were fingerprinted again');
    const card = await v.runtime.deps.db.selectFrom('cards').select('fingerprint').where('token', '=', first.body.token).executeTakeFirstOrThrow();
    expect(card.fingerprint).toMatch(/^f2\./);
    const again = await v.api('POST', '/v1/customers/erin/cards', { body: { number: CARDS.visa, exp_month: 12, exp_year: NEXT_YEAR } });
    expect(again.status).toBe(200);
    expect(again.body.token).toBe(first.body.token);
  });
});
