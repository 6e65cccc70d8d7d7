// What reaches the disk at each commit on SQLite: the ledger waits for it (synchronous=FULL), and only
// the writes marked relaxed() skip the wait, without leaving the connection relaxed for the next one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, relaxed, type DbHandle } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrations.ts';

const synchronous = async (q: DbHandle['db']) => (await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(q)).rows[0].synchronous;

describe('SQLite commit durability', () => {
  let dir: string;
  let handle: DbHandle;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-durability-'));
    handle = openDatabase({ dataDir: dir });
    await migrate(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('commits durably by default (FULL), relaxed writes at NORMAL, and FULL again right after them', async () => {
    expect(await synchronous(handle.db)).toBe(2);
    const inside = await relaxed(handle.db, async (q) => {
      await q.insertInto('leases').values({ name: 'durability-test', holder: 'h', until: new Date().toISOString() }).execute();
      return synchronous(q);
    });
    expect(inside).toBe(1);
    expect(await synchronous(handle.db)).toBe(2);
  });

  it('restores FULL when a relaxed write fails', async () => {
    await expect(
      relaxed(handle.db, async (q) => {
        await q.insertInto('leases').values({ name: 'durability-test', holder: 'h', until: new Date().toISOString() }).execute();
      }),
    ).rejects.toThrow();
    expect(await synchronous(handle.db)).toBe(2);
  });

  it('runs a transaction begun meanwhile at FULL: relaxed writes hold the one connection', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = relaxed(handle.db, async (q) => {
      await gate;
      return synchronous(q);
    });
    const trx = handle.db.transaction().execute(async (t) => synchronous(t));
    release();
    expect(await held).toBe(1);
    expect(await trx).toBe(2);
  });
});
