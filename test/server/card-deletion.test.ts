// A deleted card is gone for good: within 10 seconds of the answer nothing in the vault's storage
// opens it, not even with the key ring, and a copy of the data directory holds no key at all.
// Tested as the attacker would: read every byte of the data files (or every PostgreSQL row), take
// everything that looks like a wrapped key and try to unwrap it for the deleted cards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../server/env.ts';
import { createLogger } from '../../server/logger.ts';
import { createRuntime } from '../../server/vault-runtime.ts';
import { unwrapKey } from '../../server/keys/envelope.ts';
import { parseKeyRing, type KeyRing } from '../../server/keys/key-ring.ts';
import { addKeyToFile, rotateKeys } from '../../server/keys/rotate-keys.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, saveCardFor, startTestVault, VAULT, type TestVault } from '../helpers/test-vault.ts';

interface Stored {
  token: string;
  group_id: string;
  key_version: string;
  wrapped_key: string;
  pan_ct: string;
  meta_ct: string;
  fingerprint: string;
}

/** Everything the vault's storage holds, as an attacker with a copy of it reads it. */
async function storageText(v: TestVault): Promise<string> {
  if (v.runtime.deps.dbKind === 'sqlite') {
    return fs
      .readdirSync(v.dataDir)
      .map((f) => fs.readFileSync(path.join(v.dataDir, f)).toString('latin1'))
      .join('\n');
  }
  // PostgreSQL's files are not the vault's to read: every row of every table stands in for them.
  const db = v.runtime.deps.db;
  const tables = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(db);
  const dumps = await Promise.all(
    tables.rows.map(async ({ tablename }) => JSON.stringify((await sql`select * from ${sql.table(tablename)}`.execute(db)).rows)),
  );
  return dumps.join('\n');
}

/** Every base64 run long enough to hold a wrapped data key. */
const candidates = (text: string) => [...new Set(text.match(/[A-Za-z0-9+/=]{80,}/g) ?? [])];

/** A wrapped data key in base64: 12 bytes of nonce, 16 of tag, 32 of key. */
const WRAPPED_LENGTH = 80;

/**
 * The data keys an attacker with the key ring can unwrap for these cards from anything in `text`:
 * every 80-character window of every base64 run (stored columns run into each other), under every
 * key version. A wrapped key is bound to its card, and the token and group stay in the deleted row.
 */
function unwrappable(ring: KeyRing, text: string, cards: Pick<Stored, 'token' | 'group_id'>[]): Record<string, number> {
  const opened: Record<string, number> = Object.fromEntries(cards.map((c) => [c.token, 0]));
  for (const run of candidates(text)) {
    for (let i = 0; i + WRAPPED_LENGTH <= run.length; i++) {
      const blob = run.slice(i, i + WRAPPED_LENGTH);
      for (const card of cards) {
        for (const version of ring.ids) {
          try {
            unwrapKey(ring, blob, version, `dek|${card.token}|${card.group_id}`);
            opened[card.token]++;
          } catch {
            /* not this card's key under this version */
          }
        }
      }
    }
  }
  return opened;
}

/** Which of a card's stored secrets, or any 16-character piece of one, the text still holds. */
function remnants(text: string, card: Stored): string[] {
  const found: string[] = [];
  for (const field of ['wrapped_key', 'pan_ct', 'meta_ct', 'fingerprint'] as const) {
    const value = card[field];
    for (let i = 0; i + 16 <= value.length; i++) {
      if (text.includes(value.slice(i, i + 16))) {
        found.push(`${card.token} ${field}`);
        break;
      }
    }
  }
  return found;
}

/** The number in clear, plain or split by any single separator. */
const inClear = (text: string, number: string) => new RegExp(number.split('').join('[^0-9A-Za-z]?')).test(text);

const readRing = (v: TestVault) => parseKeyRing(fs.readFileSync(v.keyFile, 'utf8'));

async function storedCard(v: TestVault, token: string): Promise<Stored> {
  return (await v.runtime.deps.db.selectFrom('cards').selectAll().where('token', '=', token).executeTakeFirstOrThrow()) as Stored;
}

/** Polls until `check` passes or 10 seconds after `since` have gone; answers the time it took. */
async function within10s(since: number, check: () => Promise<void>): Promise<number> {
  for (;;) {
    try {
      await check();
      return Date.now() - since;
    } catch (err) {
      if (Date.now() - since > 10_000) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** pageinspect, where the server has it (a superuser test database may create it): it reads a table's pages, dead rows included. */
async function withPageinspect(v: TestVault): Promise<boolean> {
  const db = v.runtime.deps.db;
  if ((await sql`select 1 from pg_available_extensions where name = 'pageinspect'`.execute(db)).rows.length === 0) return false;
  await sql`create extension if not exists pageinspect`.execute(db);
  return true;
}

/** How many row versions in the cards table's pages, live or dead, still hold one of `values`. */
async function deadVersionsHolding(v: TestVault, values: string[]): Promise<number> {
  const holdsValue = sql`exists (select 1 from unnest(${values}::text[]) as value where position(convert_to(value, 'UTF8') in item.t_data) > 0)`;
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from generate_series(0, (pg_relation_size('cards') / current_setting('block_size')::int)::int - 1) as page,
      heap_page_items(get_raw_page('cards', page)) as item
    where item.t_data is not null and ${holdsValue}`.execute(v.runtime.deps.db);
  return rows[0].n;
}

describeEachDb('deleting a card destroys it for good', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    // No VAULT_KEYS: the generated key file is the key ring, as on a default install.
    v = await startTestVault(target);
    await v.api('POST', '/v1/merchant', { body: { one_click_after: 0 } });
  });
  afterAll(() => v.close());

  it('leaves nothing in storage that opens a deleted card, even with the key ring, within 10 seconds', async () => {
    // A number each: a fingerprint is per number and group, and the kept card's must stay.
    const kept = await saveCardFor(v, 'keep', CARDS.visa);
    const checkout = await saveCardFor(v, 'gone-1', CARDS.declineAfterSave);
    const framed = await saveCardFor(v, 'gone-4', CARDS.amex);
    // A card saved after 3-D Secure: its challenge holds the number's fingerprint too.
    const s = await openSession(v, { customer: 'gone-2' });
    const asked = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge), save: true });
    const challenge = asked.body.next_action.challenge as string;
    expect((await v.frame(`/frame/v1/challenges/${challenge}`, s.secret, { code: '123456' })).body.status).toBe('passed');
    const passed = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge), save: true, challenge });
    expect(passed.status).toBe(200);
    const challenged = passed.body.card.token as string;
    // An import, with an Idempotency-Key: the stored request is a keyed hash of a body holding the number.
    const imported = await v.api('POST', '/v1/customers/gone-3/cards', {
      body: { number: CARDS.mastercard, exp_month: 7, exp_year: new Date().getUTCFullYear() + 2 },
      headers: { 'idempotency-key': 'import-gone-3' },
    });
    expect(imported.status).toBe(201);
    const importRequest = (
      await v.runtime.deps.db.selectFrom('idempotency_keys').select('request_hash').where('key', '=', 'import-gone-3').executeTakeFirstOrThrow()
    ).request_hash;

    const gone = await Promise.all([checkout, challenged, imported.body.token, framed].map((t) => storedCard(v, t)));
    const keptRow = await storedCard(v, kept);
    const ring = readRing(v);
    const before = await storageText(v);
    // The attack works on what is stored: every card opens from storage before its deletion.
    const openedBefore = unwrappable(ring, before, [...gone, keptRow]);
    for (const card of [...gone, keptRow]) expect(openedBefore[card.token], card.token).toBeGreaterThan(0);
    const challenges = () => v.runtime.deps.db.selectFrom('challenges').select('id').where('fingerprint', '=', gone[1].fingerprint).execute();
    expect(await challenges()).toHaveLength(1);

    const pageinspect = target === 'postgres' && (await withPageinspect(v));
    const pgNow = target === 'postgres' ? (await sql<{ now: Date }>`select now() as now`.execute(v.runtime.deps.db)).rows[0].now : undefined;
    for (const [customer, token] of [
      ['gone-1', checkout],
      ['gone-2', challenged],
      ['gone-3', imported.body.token],
    ]) {
      expect((await v.api('DELETE', `/v1/customers/${customer}/cards/${token}`)).body).toEqual({ token, deleted: true });
    }
    const fields = await openSession(v, { customer: 'gone-4' });
    expect((await v.frame('/frame/v1/cards/delete', fields.secret, { token: framed })).body).toEqual({ token: framed, deleted: true });
    const answered = Date.now();

    const took = await within10s(answered, async () => {
      const after = await storageText(v);
      for (const card of gone) expect(remnants(after, card)).toEqual([]);
      expect(after.includes(importRequest), "the import's keyed request hash is still stored").toBe(false);
      for (const number of [CARDS.declineAfterSave, CARDS.amex, CARDS.challenge, CARDS.mastercard]) expect(inClear(after, number)).toBe(false);
      if (target === 'postgres') {
        // The dead row versions that held the keys are vacuumed at once, not left for autovacuum.
        const stats = await sql<{ relname: string; last_vacuum: Date | null }>`
          select relname, last_vacuum from pg_stat_user_tables where relname in ('cards', 'challenges', 'idempotency_keys')`.execute(v.runtime.deps.db);
        expect(stats.rows).toHaveLength(3);
        for (const t of stats.rows) expect(t.last_vacuum?.getTime() ?? 0, `${t.relname} vacuumed`).toBeGreaterThanOrEqual(pgNow!.getTime());
        if (pageinspect)
          expect(
            await deadVersionsHolding(
              v,
              gone.map((c) => c.wrapped_key),
            ),
          ).toBe(0);
      }
    });
    expect(took).toBeLessThan(10_000);
    expect(await challenges()).toEqual([]);

    // The full attack on what is left: no deleted card opens; the card that was not deleted still
    // does (the attack is real), and still pays.
    const openedAfter = unwrappable(ring, await storageText(v), [...gone, keptRow]);
    expect(openedAfter).toEqual({ ...Object.fromEntries(gone.map((c) => [c.token, 0])), [kept]: openedAfter[kept] });
    expect(openedAfter[kept]).toBeGreaterThan(0);
    const pay = await openSession(v, { customer: 'keep' });
    expect((await v.frame('/frame/v1/confirm', pay.secret, { saved_card: { token: kept, cvc: '123' } })).status).toBe(200);
    // The import's Idempotency-Key is forgotten with the card: a retry imports the number anew.
    const retried = await v.api('POST', '/v1/customers/gone-3/cards', {
      body: { number: CARDS.mastercard, exp_month: 7, exp_year: new Date().getUTCFullYear() + 2 },
      headers: { 'idempotency-key': 'import-gone-3' },
    });
    expect(retried.status).toBe(201);
    expect(retried.body.token).not.toBe(imported.body.token);
  });

  it('leaves no data key wrapped by the old key in storage once a rotation re-wrapped it', async () => {
    const token = await saveCardFor(v, 'rotated', CARDS.mastercard);
    const old = await storedCard(v, token);
    const ring = addKeyToFile(v.keyFile);
    expect((await rotateKeys(v.runtime.deps.db, ring)).cards).toBeGreaterThan(0);
    const pageinspect = target === 'postgres' && (await withPageinspect(v));
    const started = Date.now();
    await within10s(started, async () => {
      expect((await storageText(v)).includes(old.wrapped_key), 'the old wrapped key is still stored').toBe(false);
      if (pageinspect) expect(await deadVersionsHolding(v, [old.wrapped_key])).toBe(0);
    });
    // Under the new key it still pays.
    const s = await openSession(v, { customer: 'rotated' });
    expect((await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } })).status).toBe(200);
  });

  it('keeps no keyed hash of a number from a refused import', async () => {
    const year = new Date().getUTCFullYear();
    const refused = await v.api('POST', '/v1/customers/refused-import/cards', {
      body: { number: CARDS.mastercard, exp_month: 1, exp_year: year - 1 },
      headers: { 'idempotency-key': 'imp-refused' },
    });
    expect(refused.status).toBe(400);
    const rows = await v.runtime.deps.db.selectFrom('idempotency_keys').select('key').where('key', '=', 'imp-refused').execute();
    expect(rows).toEqual([]);
    // The same key can then carry the corrected request.
    const fixed = await v.api('POST', '/v1/customers/refused-import/cards', {
      body: { number: CARDS.mastercard, exp_month: 12, exp_year: year + 2 },
      headers: { 'idempotency-key': 'imp-refused' },
    });
    expect(fixed.status).toBe(201);
  });

  it('scrubs at the next start what a vault that died right after a deletion left behind', async () => {
    if (target !== 'sqlite') return; // a crash snapshot of the data files; PostgreSQL's are the server's own
    const token = await saveCardFor(v, 'crashed', CARDS.amex);
    const stored = await storedCard(v, token);
    expect((await v.api('DELETE', `/v1/customers/crashed/cards/${token}`)).status).toBe(200);
    // The files as a kill -9 would leave them: before the scrub that was due a quarter of a second later.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-crashed-'));
    for (const f of fs.readdirSync(v.dataDir)) fs.copyFileSync(path.join(v.dataDir, f), path.join(copy, f));
    const files = () =>
      fs
        .readdirSync(copy)
        .map((f) => fs.readFileSync(path.join(copy, f)).toString('latin1'))
        .join('\n');
    expect(files().includes(stored.wrapped_key), 'the snapshot still holds the wrapped key').toBe(true);
    const keyFile = `${copy}.key`;
    fs.copyFileSync(v.keyFile, keyFile);
    const restarted = await createRuntime(
      { DATA_DIR: copy, KEY_FILE: keyFile, PUBLIC_URL: VAULT, LOG_LEVEL: 'silent' },
      { logger: createLogger({ level: 'silent' }) },
    );
    try {
      const started = Date.now();
      await within10s(started, async () => {
        expect(files().includes(stored.wrapped_key), 'the wrapped key is still stored').toBe(false);
      });
    } finally {
      await restarted.close();
      fs.rmSync(copy, { recursive: true, force: true });
      fs.rmSync(keyFile, { force: true });
    }
  });

  it('keeps the key out of the data directory: the stored data alone opens nothing', async () => {
    await saveCardFor(v, 'copied', CARDS.visa);
    expect(fs.existsSync(v.keyFile)).toBe(true);
    expect(path.relative(v.dataDir, v.keyFile).startsWith('..')).toBe(true);
    const key = fs
      .readFileSync(v.keyFile, 'utf8')
      .trim()
      .split(',')
      .map((e) => e.split(':')[1]);
    const stored = await storageText(v);
    for (const k of key) expect(stored).not.toContain(k);
    expect(fs.readdirSync(v.dataDir)).not.toContain('master.key');

    // An attacker's copy of the data directory (or the database), started without the key file.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-copy-'));
    if (target === 'sqlite') for (const f of fs.readdirSync(v.dataDir)) fs.copyFileSync(path.join(v.dataDir, f), path.join(copy, f));
    const logger = createLogger({ level: 'silent' });
    try {
      const attempt = createRuntime({ DATA_DIR: copy, DATABASE_URL: v.databaseUrl, PUBLIC_URL: VAULT, LOG_LEVEL: 'silent' }, { logger });
      await expect(attempt).rejects.toThrow(/key file .* does not exist, but the database holds data wrapped by key version\(s\) k\d/);
      // It did not make itself a new key in place of the missing one.
      expect(fs.existsSync(`${copy}.key`)).toBe(false);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('the key file (KEY_FILE) lives outside the data directory', () => {
  it('defaults to beside DATA_DIR and refuses a KEY_FILE inside it, naming the variable', () => {
    const env = parseEnv({ DATA_DIR: '/srv/vault/data' });
    expect(env.KEY_FILE).toBe('/srv/vault/data.key');
    expect(() => parseEnv({ DATA_DIR: '/srv/vault/data', KEY_FILE: '/srv/vault/data/keys/ring.key' })).toThrow(/KEY_FILE: must lie outside DATA_DIR/);
    expect(parseEnv({ DATA_DIR: '/srv/vault/data', KEY_FILE: '/etc/vault/ring.key' }).KEY_FILE).toBe('/etc/vault/ring.key');
  });

  describe('a key file that an earlier version generated inside DATA_DIR', () => {
    let v: TestVault;
    let token: string;
    beforeAll(async () => {
      v = await startTestVault('sqlite');
      await v.api('POST', '/v1/merchant', { body: { one_click_after: 0 } });
      token = await saveCardFor(v, 'legacy');
    });
    afterAll(() => v.close());

    it('is moved out to KEY_FILE at start, with a log line, and the saved cards still pay', async () => {
      const ring = fs.readFileSync(v.keyFile, 'utf8');
      // As an earlier version left it: DATA_DIR/master.key, and no KEY_FILE.
      fs.renameSync(v.keyFile, path.join(v.dataDir, 'master.key'));
      v = await v.reopen();
      expect(fs.readdirSync(v.dataDir)).not.toContain('master.key');
      expect(fs.readFileSync(v.keyFile, 'utf8')).toBe(ring);
      expect(fs.statSync(v.keyFile).mode & 0o777).toBe(0o600);
      expect(v.logs.find((l) => l.includes('moved the key file out of DATA_DIR'))).toContain(v.keyFile);
      const s = await openSession(v, { customer: 'legacy' });
      expect((await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } })).status).toBe(200);
    });

    it('stops the start when DATA_DIR/master.key and KEY_FILE hold different keys, and keeps both', async () => {
      const other = `k1:${Buffer.alloc(32, 7).toString('base64')}\n`;
      fs.writeFileSync(path.join(v.dataDir, 'master.key'), other, { mode: 0o600 });
      await expect(v.reopen()).rejects.toThrow(/hold different keys/);
      expect(fs.readFileSync(path.join(v.dataDir, 'master.key'), 'utf8')).toBe(other);
      expect(fs.existsSync(v.keyFile)).toBe(true);
      fs.rmSync(path.join(v.dataDir, 'master.key'));
      // The storage is still whole: reopen once more so that afterAll can close it.
      v = await v.reopen();
    });
  });
});
