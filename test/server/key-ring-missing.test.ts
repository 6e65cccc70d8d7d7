// A key version that leaves the ring before `npm run keys -- rotate` moved everything off it does not
// stop the vault: it starts, serves every card it can open, answers card_key_unavailable for the
// others wherever they are used, and says in its log and in `keys status` which version is missing
// and how many cards it still wraps.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const root = path.resolve(import.meta.dirname, '../..');
const key = () => crypto.randomBytes(32).toString('base64');
const nextYear = new Date().getUTCFullYear() + 1;

/** `npm run keys -- status` as the operator runs it, against the vault's storage. */
async function keysStatus(v: TestVault, vaultKeys: string): Promise<string> {
  const env = { ...process.env, DATA_DIR: v.dataDir, KEY_FILE: v.keyFile, VAULT_KEYS: vaultKeys, DATABASE_URL: v.databaseUrl ?? '' };
  const { stdout } = await promisify(execFile)(path.join(root, 'node_modules/.bin/tsx'), ['server/cli/keys.ts', 'status'], { cwd: root, env });
  return stdout;
}

const unavailable = { error: { type: 'api_error', code: 'card_key_unavailable', message: expect.stringContaining('key') } };

describeEachDb('a key version missing from the ring', (target) => {
  const k1 = `1:${key()}`;
  const k2 = `2:${key()}`;
  let v: TestVault;
  let old: string;
  let oldImported: string;
  let oldMandate: string;
  let fresh: string;

  beforeAll(async () => {
    v = await startTestVault(target, { vaultKeys: k1 });
    await v.api('POST', '/v1/merchant', { body: { one_click_after: 0 } });
    // Under key 1: a card saved in the fields, and an imported one with its agreement.
    old = await saveCardFor(v, 'kr', CARDS.visa);
    const imported = await v.api('POST', '/v1/customers/kr/cards', { body: { number: CARDS.amex, exp_month: 12, exp_year: nextYear + 1 } });
    oldImported = imported.body.token;
    const mandate = await v.api('POST', '/v1/customers/kr/mandates', {
      body: {
        card: oldImported,
        min_amount: 100,
        max_amount: 10_000,
        currency: 'USD',
        frequency_days: 0,
        end_date: `${nextYear}-12-31`,
        consent: { text: 'Agreed by phone', accepted_at: '2024-01-01T00:00:00Z' },
      },
    });
    expect(mandate.status).toBe(201);
    oldMandate = mandate.body.id;

    // Key 2 joins the ring: the vault's own secrets move under it at this start, cards stay under 1.
    v = await v.reopen({ vaultKeys: `${k1},${k2}` });
    expect(v.logs.some((l) => l.includes("re-wrapped 1 of the vault's own secrets under the ring's key versions 1, 2 (newest 2)"))).toBe(true);
    fresh = await saveCardFor(v, 'kr', CARDS.mastercard);

    // Key 1 leaves the ring without a rotation.
    v = await v.reopen({ vaultKeys: k2 });
  });
  afterAll(() => v.close());

  it('starts, and its log names the missing version and how many cards it still wraps', () => {
    const line = v.logs.map((l) => JSON.parse(l)).find((l) => l.key_version === '1' && l.cards !== undefined);
    expect(line).toMatchObject({ level: 50, key_version: '1', cards: 2 });
    expect(line.msg).toContain('key version 1 is not in the key ring but still wraps 2 saved card(s)');
    expect(v.logs.some((l) => l.includes('key version 2 is not in the key ring'))).toBe(false);
  });

  it('keeps its own secrets under the keys of the ring only: the retired key no longer opens them', async () => {
    const row = await v.runtime.deps.db.selectFrom('vault_secrets').selectAll().where('name', '=', 'fingerprint').executeTakeFirstOrThrow();
    expect(row.key_version).toBe('2');
    expect(Object.keys(JSON.parse(row.wrapped))).toEqual(['2']);
  });

  it('says the same in `npm run keys -- status`', async () => {
    const out = await keysStatus(v, k2);
    expect(out).toContain('missing: key version 1 is not in the key ring but still wraps 2 saved card(s)');
    expect(out).toContain('key usage: {');
    expect(out).toMatch(/"2":2\b/);
  }, 30_000);

  it('pays one-click with the card under the key it has', async () => {
    const s = await openSession(v, { customer: 'kr' });
    const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: fresh, cvc: '123' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', card: { last4: '4444' } });
  });

  it('lists every card, flagging those it cannot open, instead of failing the list', async () => {
    const res = await v.api('GET', '/v1/customers/kr/cards');
    expect(res.status).toBe(200);
    const byToken = Object.fromEntries(res.body.data.map((c: any) => [c.token, c]));
    expect(Object.keys(byToken).sort()).toEqual([old, oldImported, fresh].sort());
    expect(byToken[fresh]).toMatchObject({ last4: '4444', active: true, exp_year: expect.any(Number) });
    expect(byToken[fresh]).not.toHaveProperty('key_unavailable');
    for (const t of [old, oldImported]) expect(byToken[t]).toMatchObject({ key_unavailable: true, active: false, expiring_soon: false });
    expect(byToken[old]).toMatchObject({ last4: '4242', brand: 'visa' });
  });

  it('offers the fields only the cards it can charge', async () => {
    const s = await openSession(v, { customer: 'kr' });
    const res = await v.frame('/frame/v1/session', s.secret);
    expect(res.status).toBe(200);
    expect(res.body.cards.map((c: any) => c.token)).toEqual([fresh]);
  });

  it('answers card_key_unavailable for a one-click payment with a card under the missing key', async () => {
    const s = await openSession(v, { customer: 'kr' });
    const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: old, cvc: '123' } });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject(unavailable);
    // Not the customer's fault: it does not count as a failed attempt, and another card still pays.
    expect((await v.frame('/frame/v1/session', s.secret)).body.failed_attempts).toBe(0);
    const again = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: fresh, cvc: '123' } });
    expect(again.status).toBe(200);
  });

  it('answers card_key_unavailable for a merchant-initiated charge on such a card, and records no charge', async () => {
    const res = await v.api('POST', '/v1/charges', {
      body: { customer: 'kr', card: oldImported, mandate: oldMandate, amount: 500, currency: 'USD' },
      headers: { 'idempotency-key': `mit-${target}` },
    });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject(unavailable);
    const charges = await v.api('GET', '/v1/charges?customer=kr');
    expect(charges.body.data.filter((c: any) => c.card === oldImported)).toEqual([]);
  });

  it('makes such a card usable again when the customer types its number once more', async () => {
    const s = await openSession(v, { customer: 'kr' });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
    expect(res.status).toBe(200);
    // The fingerprint key was re-wrapped under key 2 in time: the same number finds the same card.
    expect(res.body.card.token).toBe(old);
    const s2 = await openSession(v, { customer: 'kr' });
    expect((await v.frame('/frame/v1/confirm', s2.secret, { saved_card: { token: old, cvc: '123' } })).status).toBe(200);
  });

  it('still deletes a card it cannot open', async () => {
    const res = await v.api('DELETE', `/v1/customers/kr/cards/${oldImported}`);
    expect(res.body).toEqual({ token: oldImported, deleted: true });
  });
});

describeEachDb("the fingerprint key's own key missing from the ring", (target) => {
  let v: TestVault;
  let old: string;
  beforeAll(async () => {
    v = await startTestVault(target, { vaultKeys: `1:${key()}` });
    await v.api('POST', '/v1/merchant', { body: { one_click_after: 0 } });
    old = await saveCardFor(v, 'fp', CARDS.visa);
    // Straight from key 1 to key 2: the vault never ran with both, so nothing moved to key 2.
    v = await v.reopen({ vaultKeys: `2:${key()}` });
  });
  afterAll(() => v.close());

  it('starts with a new fingerprint key and says what that costs', () => {
    const line = v.logs.find((l) => l.includes('the fingerprint key was wrapped by key version 1'));
    expect(line).toContain('becomes a second card');
    expect(v.logs.some((l) => l.includes('key version 1 is not in the key ring but still wraps 1 saved card(s)'))).toBe(true);
  });

  it('serves new cards, and a number saved under the missing key becomes a second card', async () => {
    const again = await saveCardFor(v, 'fp', CARDS.visa);
    expect(again).not.toBe(old);
    const list = await v.api('GET', '/v1/customers/fp/cards');
    expect(list.status).toBe(200);
    expect(list.body.data.map((c: any) => [c.token, c.key_unavailable ?? false]).sort()).toEqual(
      [
        [again, false],
        [old, true],
      ].sort(),
    );
    // And the new card is found again by its number: the new fingerprint key is kept.
    v = await v.reopen();
    expect(await saveCardFor(v, 'fp', CARDS.visa)).toBe(again);
  });
});

describeEachDb('an instance that was not given the newest key yet', (target) => {
  const k1 = `1:${key()}`;
  let v: TestVault;
  afterAll(() => v.close());

  it('still opens the fingerprint key another instance re-wrapped, and replaces nothing', async () => {
    v = await startTestVault(target, { vaultKeys: k1 });
    const token = await saveCardFor(v, 'rolling', CARDS.visa);
    // One instance restarts with the new key appended; another, not yet changed, restarts with the old ring.
    v = await v.reopen({ vaultKeys: `${k1},2:${key()}` });
    v = await v.reopen({ vaultKeys: k1 });
    expect(v.logs.some((l) => l.includes('fingerprint key was wrapped'))).toBe(false);
    // The same number still finds the same card: the fingerprint key is the one it always was.
    expect(await saveCardFor(v, 'rolling', CARDS.visa)).toBe(token);
  });
});
