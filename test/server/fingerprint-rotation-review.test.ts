// A review of the fingerprint key rotation (aadc1ac: server/keys/fingerprint-keys.ts,
// fingerprint-rotation.ts), attacked three ways:
// (a) someone who kept an old key ring and a copy of the database, and later obtains another copy:
//     nothing written after the rotation may be a hash they can make, and no copy of a fingerprint key
//     under the retired key may stay in storage once the operator took that key out;
// (b) a shopper or a second merchant who wants the vault to mis-match a card: a 3-D Secure challenge
//     vouching for another card, a saved card found for the wrong number or customer, an idempotency
//     record replayed with another body, a stored value read under a version it does not name;
// (c) an operator's mistakes: two rotations in a row or at once, a rotation cut short, an instance
//     started with an older key ring, cards deleted while the re-fingerprint pass runs, a retry or a
//     deletion reaching an instance that has not yet taken the new key up, `keys status`.
// Every test asserts the safe behaviour: a failing one is a finding.
//
// A second serving instance is played by this one vault whose view of the fingerprint keys is swapped
// (`holdView`): the view it had before a rotation is what an instance whose 5-second look has not run
// yet, or failed, works with.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { FingerprintKeys, fingerprintOf, versionOf } from '../../server/keys/fingerprint-keys.ts';
import {
  addFingerprintKey,
  fingerprintKeyUsage,
  fingerprintUpkeep,
  loadFingerprintKeys,
  refingerprintCards,
  refreshFingerprintKeys,
  retireFingerprintKeys,
  rotateFingerprintKeys,
} from '../../server/keys/fingerprint-rotation.ts';
import { type KeyRing, loadKeyRing, parseKeyRing } from '../../server/keys/key-ring.ts';
import { addKeyToFile, rotateKeys } from '../../server/keys/rotate-keys.ts';
import { openSecret } from '../../server/keys/vault-secrets.ts';
import { requestDigest } from '../../server/middleware/idempotency.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { dataDirBytes, everyRow, runCli } from '../helpers/storage-scan.ts';
import { CARDS, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const k1 = `k1:${crypto.randomBytes(32).toString('base64')}`;
const k2 = `k2:${crypto.randomBytes(32).toString('base64')}`;
const NEXT_YEAR = new Date().getUTCFullYear() + 1;

/** The candidates the attacker tries (in truth a few thousand per stored BIN and last four), named so that a failure prints no number. */
const CANDIDATES = { visa: CARDS.visa, mastercard: CARDS.mastercard, amex: CARDS.amex, challenge: CARDS.challenge };

/** What the attacker does with a fingerprint key: hashes every candidate number and names those whose hash is stored. */
function confirms(key: Buffer, group: string, stored: string[]): string[] {
  return Object.entries(CANDIDATES)
    .filter(([, n]) => stored.includes(fingerprintOf(key, group, n)))
    .map(([name]) => name);
}

/** The wrapped copies of a stored vault secret, by key version. */
const copiesOf = (wrapped: string): Record<string, string> => JSON.parse(wrapped);

describe('FingerprintKeys reads a stored value only under the key it names', () => {
  const one = crypto.randomBytes(32);
  const two = crypto.randomBytes(32);
  const keys = new FingerprintKeys([
    { version: 1, key: one },
    { version: 2, key: two },
  ]);
  const h1 = fingerprintOf(one, 'grp_a', CARDS.visa);
  const h2 = fingerprintOf(two, 'grp_a', CARDS.visa);

  it('matches a hash under its own version, and never a hash re-tagged as another version', () => {
    expect(keys.matches(h1, 'grp_a', CARDS.visa)).toBe(true);
    expect(keys.matches(`f2.${h2}`, 'grp_a', CARDS.visa)).toBe(true);
    // A version-1 hash tagged f2., a version-2 hash left bare, a version the vault does not hold.
    expect(keys.matches(`f2.${h1}`, 'grp_a', CARDS.visa)).toBe(false);
    expect(keys.matches(h2, 'grp_a', CARDS.visa)).toBe(false);
    expect(keys.matches(`f3.${h2}`, 'grp_a', CARDS.visa)).toBe(false);
    expect(keys.matches(`f2.`, 'grp_a', CARDS.visa)).toBe(false);
    expect(keys.matches('', 'grp_a', CARDS.visa)).toBe(false);
    expect(keys.matches(null, 'grp_a', CARDS.visa)).toBe(false);
    // Another number, another group.
    expect(keys.matches(`f2.${h2}`, 'grp_a', CARDS.mastercard)).toBe(false);
    expect(keys.matches(`f2.${h2}`, 'grp_b', CARDS.visa)).toBe(false);
  });

  it('checks a request digest under the version it names: a body that begins with f2. is hashed like any other', () => {
    const body = 'f2.{"amount":1}';
    const digest = (k: Buffer) => requestDigest(k, 'POST', '/v1/sessions', body);
    const stored = keys.make(digest);
    expect(versionOf(stored).version).toBe(2);
    expect(keys.same(stored, digest)).toBe(true);
    expect(keys.same(stored, (k) => requestDigest(k, 'POST', '/v1/sessions', '{"amount":1}'))).toBe(false);
    expect(keys.same(`f2.${digest(one)}`, digest)).toBe(false);
    expect(keys.same(digest(two), digest)).toBe(false);
  });
});

describeEachDb('fingerprint key rotation, attacked', (target) => {
  let v: TestVault;
  afterEach(async () => {
    await v?.close();
  });
  const db = () => v.runtime.deps.db;
  const group = () => v.merchant.group;
  const ring1 = parseKeyRing(k1);
  const both = parseKeyRing(`${k1},${k2}`);

  async function start(vaultKeys?: string): Promise<TestVault> {
    v = await startTestVault(target, vaultKeys ? { vaultKeys } : {});
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0 } });
    return v;
  }
  const importCard = (customer: string, number: string, headers: Record<string, string> = {}, key?: string) =>
    v.api('POST', `/v1/customers/${customer}/cards`, { key, body: { number, exp_month: 12, exp_year: NEXT_YEAR }, headers });
  const cardFingerprints = async () =>
    (await db().selectFrom('cards').select('fingerprint').where('group_id', '=', group()).where('fingerprint', 'is not', null).execute()).map(
      (r) => r.fingerprint!,
    );
  const secretRow = (name: string) => db().selectFrom('vault_secrets').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
  const keyOf = async (ring: KeyRing, name: string) => openSecret(ring, await secretRow(name));
  /** The serving vault takes the stored keys up, as its 5-second timer does. */
  const takeUp = (ring: KeyRing) => refreshFingerprintKeys(db(), ring, v.runtime.deps.fingerprints);
  /**
   * This vault's view of the fingerprint keys held as it is now, while the stored keys move on: an
   * instance whose look at the keys has not run yet (or failed). Answers the function that gives it
   * back its own view (which its timer keeps up to date).
   */
  function holdView(): () => void {
    const live = v.runtime.deps.fingerprints;
    v.runtime.deps.fingerprints = new FingerprintKeys(live.versions.map((version) => ({ version, key: live.get(version)! })));
    return () => {
      v.runtime.deps.fingerprints = live;
    };
  }
  /** A 3-D Secure challenge passed in the session for `number`; answers its id. */
  async function passChallenge(secret: string, number: string = CARDS.challenge): Promise<string> {
    const asked = await v.frame('/frame/v1/confirm', secret, { card: newCard(number) });
    expect(asked.body.status, asked.text).toBe('requires_action');
    const challenge = asked.body.next_action.challenge as string;
    expect((await v.frame(`/frame/v1/challenges/${challenge}`, secret, { code: '123456' })).body.status).toBe('passed');
    return challenge;
  }

  /** The storage as whoever copies it reads it: SQLite's files, or PostgreSQL's rows plus the dead row versions in `table`'s pages. */
  async function storageHolds(table: string, values: string[]): Promise<string[]> {
    if (target === 'sqlite') {
      const bytes = dataDirBytes(v.dataDir).toString('latin1');
      return values.filter((x) => bytes.includes(x));
    }
    const rows = await everyRow(v, target, table);
    await sql`create extension if not exists pageinspect`.execute(db());
    const found: string[] = [];
    for (const value of values) {
      const { rows: n } = await sql<{ n: number }>`
        select count(*)::int as n from generate_series(0, (pg_relation_size(${table}) / current_setting('block_size')::int)::int - 1) as page,
          heap_page_items(get_raw_page(${table}, page)) as item
        where item.t_data is not null and position(convert_to(${value}, 'UTF8') in item.t_data) > 0`.execute(db());
      if (rows.includes(value) || n[0].n > 0) found.push(value);
    }
    return found;
  }
  /** Polls `check` for up to 10 seconds (the scrub's bound). */
  async function within10s(check: () => Promise<void>): Promise<void> {
    const since = Date.now();
    for (;;) {
      try {
        return await check();
      } catch (err) {
        if (Date.now() - since > 10_000) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // (a) A leaked key ring and copies of the database
  // ---------------------------------------------------------------------------------------------

  it('(a) leaves no copy of the retired fingerprint key, nor of the new one under the retired ring key, in storage after a restart without it', async () => {
    await start(k1);
    expect((await importCard('alice', CARDS.visa)).status).toBe(201);
    const gone = new Set<string>();
    for (const w of Object.values(copiesOf((await secretRow('fingerprint')).wrapped))) gone.add(w);
    await rotateKeys(db(), both);
    for (const w of Object.values(copiesOf((await secretRow('fingerprint')).wrapped))) gone.add(w);
    const rotation = await rotateFingerprintKeys(db(), both, { takeUpMs: 0 });
    // The key it replaced stays until the serving vault has held the new one a while (here: at once).
    expect(rotation.retired).toEqual([]);
    await takeUp(both);
    // Nothing referred to version 1 once the card was fingerprinted again: it is deleted.
    expect((await fingerprintUpkeep(v.runtime.deps, 0)).retired).toEqual([1]);
    gone.add(copiesOf((await secretRow('fingerprint.2')).wrapped).k1);
    v = await v.reopen({ vaultKeys: k2 });
    const kept = copiesOf((await secretRow('fingerprint.2')).wrapped);
    expect(Object.keys(kept)).toEqual(['k2']);
    await within10s(async () => {
      expect(await storageHolds('vault_secrets', [...gone])).toEqual([]);
    });
    // The scan sees what is stored: the copy under k2 is there.
    expect(await storageHolds('vault_secrets', [kept.k2])).toEqual([kept.k2]);
  });

  it('(a) makes every keyed hash written after the rotation with the new key: a card, a challenge, an import request, a sealed answer', async () => {
    await start(k1);
    const oldKey = await keyOf(ring1, 'fingerprint');
    await rotateFingerprintKeys(db(), ring1, { takeUpMs: 0 });
    await takeUp(ring1);
    const s = await openSession(v, { customer: 'erin' });
    const challenge = await passChallenge(s.secret);
    const importBody = { number: CARDS.amex, exp_month: 12, exp_year: NEXT_YEAR };
    expect((await v.api('POST', '/v1/customers/erin/cards', { body: importBody, headers: { 'idempotency-key': 'after-import' } })).status).toBe(201);
    expect((await v.api('POST', '/v1/sessions', { body: { amount: 700, currency: 'USD' }, headers: { 'idempotency-key': 'after-session' } })).status).toBe(201);
    const chl = await db().selectFrom('challenges').select('fingerprint').where('id', '=', challenge).executeTakeFirstOrThrow();
    expect(chl.fingerprint).toMatch(/^f2\./);
    expect(confirms(oldKey, group(), [versionOf(chl.fingerprint).rest])).toEqual([]);
    const imp = await db().selectFrom('idempotency_keys').selectAll().where('key', '=', 'after-import').executeTakeFirstOrThrow();
    expect(imp.request_hash).toMatch(/^f2\./);
    expect(versionOf(imp.request_hash).rest).not.toBe(requestDigest(oldKey, 'POST', '/v1/customers/erin/cards', JSON.stringify(importBody)));
    const ses = await db().selectFrom('idempotency_keys').selectAll().where('key', '=', 'after-session').executeTakeFirstOrThrow();
    expect(ses.response_body).toMatch(/^sealed:v1:f2\./);
    expect((await cardFingerprints()).every((f) => f.startsWith('f2.'))).toBe(true);
  });

  it('(a) leaves no card hashed under the old key when a vault had not taken the rotation up before the passes ended and the old key was deleted', async () => {
    await start(k1);
    const oldKey = await keyOf(ring1, 'fingerprint');
    expect((await importCard('alice', CARDS.visa)).status).toBe(201);
    // The serving vault's look at the keys is late (it failed once, or ran behind a long scrub).
    const giveBack = holdView();
    await rotateKeys(db(), both);
    const rotation = await rotateFingerprintKeys(db(), both, { takeUpMs: 0 });
    expect(rotation.retired).toEqual([]);
    // A customer saves a card on it just then: a card saved after the rotation.
    await saveCardFor(v, 'late', CARDS.mastercard);
    giveBack();
    await takeUp(ring1);
    // The scheduler's pass, a minute on (here: at once), moves that card and deletes the old key.
    expect(await fingerprintUpkeep(v.runtime.deps, 0)).toEqual({ moved: 1, retired: [1] });
    // The operator takes k1 out of the ring and restarts, as the README says to after a leak.
    v = await v.reopen({ vaultKeys: k2 });
    // The attacker's later copy: with the fingerprint key from the earlier one, the new card's number is confirmed.
    expect(confirms(oldKey, group(), await cardFingerprints())).toEqual([]);
    // Nor does the operator learn of it: keys status names no older version that still fingerprints a card.
    const held = v.runtime.deps.fingerprints;
    for (const f of await cardFingerprints()) expect(held.get(versionOf(f).version), 'a card fingerprinted under a deleted key').toBeDefined();
  });

  it('(a) does not wrap the newest fingerprint key under a retired key again when an instance starts with an older key ring', async () => {
    await start(k1);
    expect((await importCard('alice', CARDS.visa)).status).toBe(201);
    await rotateKeys(db(), both);
    await rotateFingerprintKeys(db(), both, { takeUpMs: 0 });
    // k1 leaked: the operator takes it out and restarts; the new key is then out of its reach.
    v = await v.reopen({ vaultKeys: k2 });
    const row = await secretRow('fingerprint.2');
    expect(() => openSecret(ring1, row)).toThrow();
    // An instance starts with the configuration it had before (k1 still in its VAULT_KEYS): a stale
    // container, an autoscaler's template not yet updated.
    v = await v.reopen({ vaultKeys: `${k1},${k2}` });
    // A card saved from now on, by any instance.
    expect((await importCard('bob', CARDS.amex)).status).toBe(201);
    // The attacker with k1 and a copy taken now.
    const later = await secretRow('fingerprint.2');
    let opened: Buffer | undefined;
    try {
      opened = openSecret(ring1, later);
    } catch {
      opened = undefined;
    }
    expect(Object.keys(copiesOf(later.wrapped)), 'key versions the newest fingerprint key is wrapped under').not.toContain('k1');
    expect(
      opened
        ? confirms(
            opened,
            group(),
            (await cardFingerprints()).map((f) => versionOf(f).rest),
          )
        : [],
    ).toEqual([]);
  });

  // ---------------------------------------------------------------------------------------------
  // (b) Mis-matching a card
  // ---------------------------------------------------------------------------------------------

  it('(b) never lets a 3-D Secure challenge passed before or after a rotation vouch for another card', async () => {
    await start(k1);
    const s = await openSession(v, { customer: 'carol' });
    const before = await passChallenge(s.secret);
    await rotateFingerprintKeys(db(), ring1, { takeUpMs: 0 });
    await takeUp(ring1);
    const swapped = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), challenge: before });
    expect(swapped.status).toBe(402);
    expect(swapped.body.error.code).toBe('authentication_required');
    // One passed under the new key, in another session: it vouches neither for another card nor in the first session.
    const s2 = await openSession(v, { customer: 'carol' });
    const after = await passChallenge(s2.secret);
    expect((await db().selectFrom('challenges').select('fingerprint').where('id', '=', after).executeTakeFirstOrThrow()).fingerprint).toMatch(/^f2\./);
    const swapped2 = await v.frame('/frame/v1/confirm', s2.secret, { card: newCard(CARDS.mastercard), challenge: after });
    expect(swapped2.body.error?.code).toBe('authentication_required');
    const elsewhere = await v.frame('/frame/v1/confirm', s2.secret, { card: newCard(CARDS.challenge), challenge: before });
    expect(elsewhere.body.error?.code).toBe('authentication_required');
    // The card it was passed for still pays, on either side of the rotation.
    expect((await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge), challenge: before })).body.status).toBe('succeeded');
    expect((await v.frame('/frame/v1/confirm', s2.secret, { card: newCard(CARDS.challenge), challenge: after })).body.status).toBe('succeeded');
  });

  it('(b) finds, under any key version, only the same customer’s card with the same number in the same group', async () => {
    await start(k1);
    const alice = (await importCard('alice', CARDS.visa)).body.token as string;
    const bob = (await importCard('bob', CARDS.mastercard)).body.token as string;
    // An idempotency record keeps version 1 held beside version 2.
    await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD' }, headers: { 'idempotency-key': 'keep-v1' } });
    await rotateFingerprintKeys(db(), ring1, { takeUpMs: 0 });
    await takeUp(ring1);
    expect(v.runtime.deps.fingerprints.versions).toEqual([1, 2]);
    const bobVisa = await importCard('bob', CARDS.visa);
    expect(bobVisa.status).toBe(201);
    expect(bobVisa.body.token).not.toBe(alice);
    const aliceMc = await importCard('alice', CARDS.mastercard);
    expect(aliceMc.status).toBe(201);
    expect(aliceMc.body.token).not.toBe(bob);
    expect((await importCard('alice', CARDS.visa)).body.token).toBe(alice);
    // A merchant of another group, the same customer id and number.
    const other = await v.newMerchant();
    await v.api('POST', '/v1/merchant', { key: other.secret_key, body: { rate_limit: 0 } });
    const theirs = await importCard('alice', CARDS.visa, {}, other.secret_key);
    expect(theirs.status).toBe(201);
    expect(theirs.body.token).not.toBe(alice);
  });

  it('(b) refuses an Idempotency-Key from before a rotation with another body, whatever the key or the body begins with', async () => {
    await start(k1);
    const key = `f2.${crypto.randomBytes(8).toString('hex')}`;
    const body = { amount: 1200, currency: 'USD' };
    const first = await v.api('POST', '/v1/sessions', { body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    const importBody = { number: CARDS.visa, exp_month: 12, exp_year: NEXT_YEAR };
    const imported = await v.api('POST', '/v1/customers/ivy/cards', { body: importBody, headers: { 'idempotency-key': 'f1.import' } });
    expect(imported.status).toBe(201);
    await rotateFingerprintKeys(db(), ring1, { takeUpMs: 0 });
    await takeUp(ring1);
    const headers = { 'content-type': 'application/json', 'idempotency-key': key };
    // A body that is not JSON is refused before the key is looked at (400); one that is, as the key's reuse (409). Neither replays.
    for (const raw of [`f2.${JSON.stringify(body)}`, 'f2.', `f2.${first.text}`, JSON.stringify({ ...body, amount: 1 })]) {
      const other = await v.api('POST', '/v1/sessions', { raw, headers });
      expect([400, 409]).toContain(other.status);
      expect(other.headers.get('idempotent-replayed')).toBeNull();
      expect(other.text).not.toContain(first.body.client_secret);
    }
    const reused = await v.api('POST', '/v1/sessions', { raw: JSON.stringify({ ...body, amount: 2 }), headers });
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    const replay = await v.api('POST', '/v1/sessions', { body, headers: { 'idempotency-key': key } });
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(first.text);
    // The import's key, with another number in the body.
    const swapped = await v.api('POST', '/v1/customers/ivy/cards', {
      body: { ...importBody, number: CARDS.mastercard },
      headers: { 'idempotency-key': 'f1.import' },
    });
    expect(swapped.status).toBe(409);
    const again = await v.api('POST', '/v1/customers/ivy/cards', { body: importBody, headers: { 'idempotency-key': 'f1.import' } });
    expect(again.status).toBe(201);
    expect(again.body.token).toBe(imported.body.token);
  });

  // ---------------------------------------------------------------------------------------------
  // (c) Operator mistakes
  // ---------------------------------------------------------------------------------------------

  it('(c) survives two rotations in a row: what was made before both still serves, and the unused version goes', async () => {
    await start(k1);
    const alice = (await importCard('alice', CARDS.visa)).body.token as string;
    const body = { amount: 4321, currency: 'USD' };
    const first = await v.api('POST', '/v1/sessions', { body, headers: { 'idempotency-key': 'twice' } });
    const s = await openSession(v, { customer: 'carol' });
    const challenge = await passChallenge(s.secret);
    expect((await rotateFingerprintKeys(db(), ring1, { takeUpMs: 0 })).version).toBe(2);
    await takeUp(ring1);
    const second = await rotateFingerprintKeys(db(), ring1, { takeUpMs: 0 });
    expect(second.version).toBe(3);
    await takeUp(ring1);
    // Version 2, which nothing refers to, goes with the scheduler's pass; version 1 is still referred to.
    expect((await fingerprintUpkeep(v.runtime.deps, 0)).retired).toEqual([2]);
    expect(v.runtime.deps.fingerprints.versions).toEqual([1, 3]);
    expect((await cardFingerprints()).every((f) => f.startsWith('f3.'))).toBe(true);
    const replay = await v.api('POST', '/v1/sessions', { body, headers: { 'idempotency-key': 'twice' } });
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(first.text);
    expect((await importCard('alice', CARDS.visa)).body.token).toBe(alice);
    const paid = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge), challenge });
    expect(paid.body.status).toBe('succeeded');
  });

  it('(c) leaves every card fingerprinted under a stored key when two rotations overlap', async () => {
    await start(k1);
    const alice = (await importCard('alice', CARDS.visa)).body.token as string;
    expect((await importCard('bob', CARDS.amex)).status).toBe(201);
    // Operator A's `keys rotate` stores version 2 and waits its 6 seconds…
    const a = (await loadFingerprintKeys(db(), ring1)).keys;
    expect((await addFingerprintKey(db(), ring1, a)).version).toBe(2);
    // …while a second `keys rotate` (another operator, a deploy hook on another host) runs to its end.
    const b = await rotateFingerprintKeys(db(), ring1, { takeUpMs: 0 });
    expect(b.version).toBe(3);
    // Then A's passes and retirement.
    await refingerprintCards(db(), ring1, a);
    await retireFingerprintKeys(db(), a);
    await takeUp(ring1);
    const held = v.runtime.deps.fingerprints;
    for (const f of await cardFingerprints())
      expect(held.get(versionOf(f).version), `a card fingerprinted under version ${versionOf(f).version}`).toBeDefined();
    // The number saved again finds its card instead of making a second one.
    expect((await importCard('alice', CARDS.visa)).body.token).toBe(alice);
  });

  it('(c) after a rotation cut short, the vault serves on, counts what is left under the old key, and the next rotation finishes', async () => {
    await start(k1);
    const alice = (await importCard('alice', CARDS.visa)).body.token as string;
    // The command stores version 2 and dies before its passes.
    const cut = (await loadFingerprintKeys(db(), ring1)).keys;
    await addFingerprintKey(db(), ring1, cut);
    v = await v.reopen({ vaultKeys: k1 });
    expect(v.runtime.deps.fingerprints.current.version).toBe(2);
    expect((await importCard('alice', CARDS.visa)).body.token).toBe(alice);
    expect((await importCard('bob', CARDS.amex)).status).toBe(201);
    expect(await fingerprintKeyUsage(db(), v.runtime.deps.fingerprints)).toEqual([{ version: 1, cards: 1, other: 0 }]);
    const next = await rotateFingerprintKeys(db(), ring1, { takeUpMs: 0 });
    expect(next).toMatchObject({ version: 3, retired: [1], kept: [] });
    expect((await cardFingerprints()).every((f) => f.startsWith('f3.'))).toBe(true);
    await takeUp(ring1);
    expect((await fingerprintUpkeep(v.runtime.deps, 0)).retired).toEqual([2]);
  });

  it('(c) deleting cards while the re-fingerprint pass runs leaves neither their fingerprints nor their challenges', async () => {
    await start(k1);
    const tokens: Array<[string, string]> = [];
    for (let i = 0; i < 8; i++) tokens.push([`del-${i}`, (await importCard(`del-${i}`, i % 2 ? CARDS.visa : CARDS.mastercard)).body.token]);
    // A card saved after a challenge: the challenge holds its number's hash under version 1.
    const s = await openSession(v, { customer: 'del-chl' });
    const challenge = await passChallenge(s.secret);
    const paid = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge), challenge, save: true });
    tokens.push(['del-chl', paid.body.card.token]);
    const keys = (await loadFingerprintKeys(db(), ring1)).keys;
    await addFingerprintKey(db(), ring1, keys);
    await takeUp(ring1);
    const doomed = tokens.filter((_, i) => i % 2 === 0 || i === tokens.length - 1);
    await Promise.all([
      refingerprintCards(db(), ring1, keys, { batch: 1 }),
      ...doomed.map(async ([customer, token]) => expect((await v.api('DELETE', `/v1/customers/${customer}/cards/${token}`)).status).toBe(200)),
    ]);
    const rows = await db().selectFrom('cards').select(['token', 'fingerprint']).execute();
    for (const [, token] of doomed) expect(rows.find((r) => r.token === token)?.fingerprint).toBeNull();
    expect(await db().selectFrom('challenges').select('id').where('id', '=', challenge).execute()).toEqual([]);
    // A second pass, as the command makes, leaves every live card under version 2.
    await refingerprintCards(db(), ring1, keys);
    expect((await cardFingerprints()).every((f) => f.startsWith('f2.'))).toBe(true);
  });

  it('(c) a vault that takes a rotation up after the old key was deleted still answers the retries and finds the cards it saved meanwhile', async () => {
    await start(k1);
    const giveBack = holdView();
    await rotateFingerprintKeys(db(), ring1, { takeUpMs: 0 });
    // The late vault writes with version 1, which the command has just deleted.
    const body = { amount: 1500, currency: 'USD' };
    const first = await v.api('POST', '/v1/sessions', { body, headers: { 'idempotency-key': 'late-retry' } });
    expect(first.status).toBe(201);
    const token = await saveCardFor(v, 'late', CARDS.mastercard);
    giveBack();
    await takeUp(ring1);
    const replay = await v.api('POST', '/v1/sessions', { body, headers: { 'idempotency-key': 'late-retry' } });
    expect(replay.status, replay.text).toBe(201);
    expect(replay.text).toBe(first.text);
    expect((await importCard('late', CARDS.mastercard)).body.token).toBe(token);
  });

  it('(c) a retry reaching an instance that has not yet taken the new key up (its 5 seconds) gets its answer, not a 409 or a 500', async () => {
    await start(k1);
    const stale = new FingerprintKeys([{ version: 1, key: await keyOf(ring1, 'fingerprint') }]);
    // `keys rotate` has stored version 2; this instance (A) has taken it up, another (B) not yet.
    const cut = (await loadFingerprintKeys(db(), ring1)).keys;
    await addFingerprintKey(db(), ring1, cut);
    await takeUp(ring1);
    const body = { amount: 2500, currency: 'USD' };
    const onA = await v.api('POST', '/v1/sessions', { body, headers: { 'idempotency-key': 'window-1' } });
    const onA2 = await v.api('POST', '/v1/sessions', { body, headers: { 'idempotency-key': 'window-2' } });
    expect([onA.status, onA2.status]).toEqual([201, 201]);
    // window-2 began on an instance that took the key up while it ran: its digest under version 1, its answer sealed under 2.
    const digest = (k: Buffer) => requestDigest(k, 'POST', '/v1/sessions', JSON.stringify(body));
    await db()
      .updateTable('idempotency_keys')
      .set({ request_hash: stale.make(digest) })
      .where('key', '=', 'window-2')
      .execute();
    const live = v.runtime.deps.fingerprints;
    v.runtime.deps.fingerprints = stale;
    try {
      const onB = await v.api('POST', '/v1/sessions', { body, headers: { 'idempotency-key': 'window-1' } });
      const onB2 = await v.api('POST', '/v1/sessions', { body, headers: { 'idempotency-key': 'window-2' } });
      expect([onB.status, onB2.status], `${onB.text} ${onB2.text}`).toEqual([201, 201]);
      expect([onB.text, onB2.text]).toEqual([onA.text, onA2.text]);
    } finally {
      v.runtime.deps.fingerprints = live;
    }
  });

  it('(c) a card deleted on an instance that has not yet taken the new key up takes its challenges made under the new key along', async () => {
    await start(k1);
    const token = (await importCard('dan', CARDS.challenge)).body.token as string;
    const stale = new FingerprintKeys([{ version: 1, key: await keyOf(ring1, 'fingerprint') }]);
    const cut = (await loadFingerprintKeys(db(), ring1)).keys;
    await addFingerprintKey(db(), ring1, cut);
    await takeUp(ring1);
    // On instance A (version 2): dan types the same number in a checkout, which asks for 3-D Secure.
    const s = await openSession(v, { customer: 'dan' });
    const asked = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge) });
    expect(asked.body.status).toBe('requires_action');
    const held = () => db().selectFrom('challenges').select('fingerprint').where('session_id', '=', s.id).execute();
    expect((await held())[0].fingerprint).toMatch(/^f2\./);
    // On instance B (version 1 only), within its 5 seconds: the card is deleted.
    const live = v.runtime.deps.fingerprints;
    v.runtime.deps.fingerprints = stale;
    try {
      expect((await v.api('DELETE', `/v1/customers/dan/cards/${token}`)).status).toBe(200);
    } finally {
      v.runtime.deps.fingerprints = live;
    }
    expect(await held(), 'a keyed hash of the deleted card’s number').toEqual([]);
  });

  it('(c) `keys status` changes nothing, and names the older version still held', async () => {
    await start();
    expect((await importCard('alice', CARDS.visa)).status).toBe(201);
    expect((await v.api('POST', '/v1/sessions', { body: { amount: 10, currency: 'USD' }, headers: { 'idempotency-key': 'status-1' } })).status).toBe(201);
    const ring = addKeyToFile(v.keyFile);
    await rotateKeys(db(), ring);
    await rotateFingerprintKeys(db(), ring, { takeUpMs: 0 });
    const snapshot = async () => ({
      secrets: await db().selectFrom('vault_secrets').selectAll().orderBy('name').execute(),
      cards: await db().selectFrom('cards').selectAll().orderBy('token').execute(),
      challenges: await db().selectFrom('challenges').selectAll().orderBy('id').execute(),
      requests: await db().selectFrom('idempotency_keys').selectAll().orderBy('key').execute(),
    });
    const before = await snapshot();
    const status = await runCli(v, 'server/cli/keys.ts', ['status']);
    expect(status.code, status.err).toBe(0);
    expect(status.out).toContain('fingerprint key: version 2; older still held: 1 (0 cards, 1 other records)');
    expect(await snapshot()).toEqual(before);
  });

  it('(c) `keys rotate` leaves no row version of the fingerprint key it deleted in storage when it ends', async () => {
    await start();
    expect((await importCard('alice', CARDS.visa)).status).toBe(201);
    const first = Object.values(copiesOf((await secretRow('fingerprint')).wrapped));
    const rotated = await runCli(v, 'server/cli/keys.ts', ['rotate']);
    expect(rotated.code, rotated.err).toBe(0);
    // The key it replaced is the serving vault's to delete, once it has held the new one a while.
    expect(rotated.out).toContain('deleted by the serving vault a minute after it took the new one up');
    expect(await fingerprintUpkeep(v.runtime.deps, 0)).toMatchObject({ retired: [1] });
    expect(await db().selectFrom('vault_secrets').select('name').where('name', '=', 'fingerprint').execute()).toEqual([]);
    // The ring the command used opens the new key, as the vault's does.
    expect(openSecret(loadKeyRing({ keyFile: v.keyFile, generate: false }), await secretRow('fingerprint.2'))).toHaveLength(32);
    await within10s(async () => expect(await storageHolds('vault_secrets', first)).toEqual([]));
    if (target === 'postgres') {
      // No row version of the deleted key (named `fingerprint`, wrapped under the ring) is left in vault_secrets' pages.
      await within10s(async () => {
        const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from generate_series(0, (pg_relation_size('vault_secrets') / current_setting('block_size')::int)::int - 1) as page,
          heap_page_items(get_raw_page('vault_secrets', page)) as item
        where item.t_data is not null and position(convert_to('fingerprint', 'UTF8') in item.t_data) > 0
          and position(convert_to('fingerprint.', 'UTF8') in item.t_data) = 0`.execute(db());
        expect(rows[0].n, 'row versions of the deleted fingerprint key').toBe(0);
      });
    }
  }, 30_000);
});
