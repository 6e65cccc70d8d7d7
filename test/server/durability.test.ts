// What reaches the disk before a write resolves on SQLite: a durable write waits for the sync of the
// write-ahead log (which the commits made meanwhile share), a relaxed one does not, and nothing is
// answered about a commit before its sync. The sync itself (fdatasync) is the operating system's: the
// tests gate it to watch the order, and one test runs the real one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, relaxed, settled, type DbHandle } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrations.ts';
import { KeptWalFile, WalReplaced } from '../../server/db/sqlite-group-commit.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault } from '../helpers/test-vault.ts';
import { useMigratedDatabase } from '../helpers/migrated-database.ts';

/** A sync that, once held, waits for the test to release it (each release lets the waiting syncs through); counts the calls. */
function gatedSync() {
  const calls: string[] = [];
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  let failNext: Error | undefined;
  const close = () => (gate = new Promise<void>((resolve) => (open = resolve)));
  return {
    calls,
    sync: async (walPath: string) => {
      calls.push(walPath);
      if (gate) await gate;
      if (failNext) {
        const err = failNext;
        failNext = undefined;
        throw err;
      }
    },
    /** From now on every sync waits for release(). */
    hold: close,
    release() {
      open();
      close();
    },
    /** Syncs go through at once again. */
    free() {
      open();
      gate = undefined;
    },
    failOnce(err: Error) {
      failNext = err;
    },
  };
}

/** Whether `promise` has settled after the event loop has had a few turns. */
async function isDone(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
}

const lease = (name: string) => ({ name, holder: 'h', until: new Date().toISOString() });

describe('SQLite commit durability (group commit)', () => {
  let dir: string;
  let handle: DbHandle;
  const open = async (syncWal?: (walPath: string) => Promise<void>) => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-durability-'));
    handle = openDatabase({ dataDir: dir, syncWal });
    await migrate(handle.db);
  };
  afterEach(async () => {
    await handle?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resolves a durable write only after the log is synced, and a relaxed one without waiting', async () => {
    const disk = gatedSync();
    await open(disk.sync);
    disk.hold();

    const durable = handle.db.insertInto('leases').values(lease('durable')).execute();
    expect(await isDone(durable)).toBe(false);
    expect(disk.calls.at(-1)).toBe(path.join(dir, 'vault.db-wal'));

    const quick = relaxed(handle.db, (q) => q.insertInto('leases').values(lease('relaxed')).execute());
    expect(await isDone(quick)).toBe(true);

    disk.release();
    await durable;
  });

  it('waits for the sync after a transaction that wrote, not after reads', async () => {
    const disk = gatedSync();
    await open(disk.sync);
    disk.hold();
    const before = disk.calls.length;

    const read = handle.db.selectFrom('leases').selectAll().execute();
    expect(await isDone(read)).toBe(true);
    const trx = handle.db.transaction().execute(async (t) => {
      await t.insertInto('leases').values(lease('in-trx')).execute();
      return 'committed';
    });
    expect(await isDone(trx)).toBe(false);
    disk.release();
    expect(await trx).toBe('committed');
    expect(disk.calls.length).toBe(before + 1);
  });

  it('lets other statements run while a commit waits for the disk; a second sync starts at once, and the next serves the rest', async () => {
    const disk = gatedSync();
    await open(disk.sync);
    disk.hold();
    const before = disk.calls.length;

    const first = handle.db.insertInto('leases').values(lease('a')).execute();
    expect(await isDone(first)).toBe(false);
    // The connection is free while `first` waits: these run now. The first of them starts a second
    // sync beside the first one; the other nine, made while two syncs run, wait to share a third.
    const rest = Array.from({ length: 10 }, (_, i) =>
      handle.db
        .insertInto('leases')
        .values(lease(`b${i}`))
        .execute(),
    );
    const rows = await handle.db.selectFrom('leases').select('name').execute();
    expect(rows.length).toBe(11);
    expect(disk.calls.length - before).toBe(2);
    disk.release();
    await first;
    disk.release();
    await Promise.all(rest);
    expect(disk.calls.length - before).toBe(3);
  });

  /** Two durable writes, each waiting for a sync of its own that the test ends (resolves or fails) by hand. */
  async function twoWritesOnTwoSyncs() {
    const syncs: Array<{ release: () => void; fail: (err: Error) => void }> = [];
    let holding = false;
    await open(() => (holding ? new Promise<void>((resolve, reject) => syncs.push({ release: resolve, fail: reject })) : Promise.resolve()));
    holding = true;
    const a = handle.db.insertInto('leases').values(lease('a')).execute();
    expect(await isDone(a)).toBe(false);
    const b = handle.db.insertInto('leases').values(lease('b')).execute();
    expect(await isDone(b)).toBe(false);
    expect(syncs.length).toBe(2);
    return { a, b, syncs };
  }

  it('answers a commit only after a sync that began after it was written, whichever of two syncs ends first', async () => {
    const { a, b, syncs } = await twoWritesOnTwoSyncs();
    // The second sync ends first: it began after `b` was written, so `b` is durable, and so is `a`,
    // which it covers as well; the vault still waits for the sync that `a` asked for.
    syncs[1].release();
    expect(await isDone(b)).toBe(true);
    expect(await isDone(a)).toBe(false);
    syncs[0].release();
    await a;
  });

  it('settled() waits for commits that others made, so no answer runs ahead of the disk', async () => {
    const disk = gatedSync();
    await open(disk.sync);
    disk.hold();

    const write = handle.db.insertInto('leases').values(lease('w')).execute();
    expect(await isDone(write)).toBe(false);
    const answer = settled(handle.db);
    expect(await isDone(answer)).toBe(false);
    disk.release();
    await Promise.all([write, answer]);
    expect(await isDone(settled(handle.db))).toBe(true);
  });

  it('once a sync fails, answers nothing as durable: that write, a later one and settled() all fail, and the failure is told once', async () => {
    const disk = gatedSync();
    const failures: Error[] = [];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-durability-'));
    handle = openDatabase({ dataDir: dir, syncWal: disk.sync, onSyncFailure: (err) => failures.push(err) });
    await migrate(handle.db);
    disk.hold();

    disk.failOnce(new Error('EIO: the disk failed'));
    const failed = handle.db.insertInto('leases').values(lease('x')).execute();
    expect(await isDone(failed)).toBe(false);
    disk.release();
    await expect(failed).rejects.toThrow('EIO');
    // The next sync would succeed (Linux marked the lost pages clean), and prove nothing.
    disk.free();
    await expect(handle.db.insertInto('leases').values(lease('y')).execute()).rejects.toThrow('EIO');
    await expect(settled(handle.db)).rejects.toThrow('EIO');
    expect(failures.map((e) => e.message)).toEqual(['EIO: the disk failed']);
  });

  it('fails a commit whose own sync succeeded beside one that failed', async () => {
    const { a, b, syncs } = await twoWritesOnTwoSyncs();
    // The earlier sync fails: the write-back error may have been the later one's pages as well.
    syncs[0].fail(new Error('EIO: the disk failed'));
    syncs[1].release();
    await expect(a).rejects.toThrow('EIO');
    await expect(b).rejects.toThrow('EIO');
  });

  it('answers a rolled-back transaction and a failed insert at once: they committed nothing to sync', async () => {
    const disk = gatedSync();
    await open(disk.sync);
    await handle.db.insertInto('leases').values(lease('taken')).execute();
    disk.hold();
    const before = disk.calls.length;

    const rolledBack = handle.db.transaction().execute(async (t) => {
      await t.insertInto('leases').values(lease('undone')).execute();
      throw new Error('refused by the caller');
    });
    expect(await isDone(rolledBack)).toBe(true);
    await expect(rolledBack).rejects.toThrow('refused by the caller');
    // A unique violation, outside a transaction: its own error, not a sync's, and at once.
    const duplicate = handle.db.insertInto('leases').values(lease('taken')).execute();
    expect(await isDone(duplicate)).toBe(true);
    await expect(duplicate).rejects.toThrow(/UNIQUE/);
    expect(disk.calls.length).toBe(before);
    disk.free();
  });

  it('syncs the real write-ahead log file', async () => {
    const synced: string[] = [];
    const kept = new KeptWalFile();
    await open(async (walPath) => {
      await kept.sync(walPath);
      synced.push(walPath);
    });
    await handle.db.insertInto('leases').values(lease('real')).execute();
    kept.close();
    expect(synced.at(-1)).toBe(path.join(dir, 'vault.db-wal'));
    expect(fs.existsSync(synced.at(-1)!)).toBe(true);
    const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(handle.db);
    // NORMAL: the sync is the vault's own, off the event loop.
    expect(rows[0].synchronous).toBe(1);
  });
});

/** What this process's open descriptors point at, as the kernel names them (" (deleted)" once unlinked). */
function openFiles(): string[] {
  return fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [fs.readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

describe.runIf(fs.existsSync('/proc/self/fd'))("the log's syncs through one kept descriptor", () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps one descriptor across syncs, one more for a sync beside it, and closes them with the database', async () => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vault-kept-wal-')));
    const wal = path.join(dir, 'vault.db-wal');
    fs.writeFileSync(wal, 'the log');
    const kept = new KeptWalFile();
    await kept.sync(wal);
    await kept.sync(wal);
    expect(openFiles().filter((f) => f.startsWith(wal))).toEqual([wal]);
    // Two at once: each on a descriptor of its own (an open file reports a failed write-back once).
    await Promise.all([kept.sync(wal), kept.sync(wal)]);
    expect(openFiles().filter((f) => f.startsWith(wal))).toEqual([wal, wal]);

    kept.close();
    expect(openFiles().filter((f) => f.startsWith(wal))).toEqual([]);
    await expect(kept.sync(wal)).rejects.toThrow('closed');
  });

  it('fails the sync when the file at the path is no longer the log it synced (replaced or removed)', async () => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vault-kept-wal-')));
    const wal = path.join(dir, 'vault.db-wal');
    fs.writeFileSync(wal, 'first log');
    const kept = new KeptWalFile();
    await kept.sync(wal);
    // SQLite would go on writing the old file through its own descriptor: syncing the new one proves nothing.
    fs.writeFileSync(`${wal}.new`, 'second log');
    fs.renameSync(`${wal}.new`, wal);
    await expect(kept.sync(wal)).rejects.toThrow(WalReplaced);
    fs.rmSync(wal);
    await expect(kept.sync(wal)).rejects.toThrow(/ENOENT/);
    kept.close();
    expect(openFiles().filter((f) => f.startsWith(wal))).toEqual([]);
  });

  it("syncs the vault's real log through it, and lets go of it when the database closes", async () => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vault-kept-wal-')));
    const handle = openDatabase({ dataDir: dir });
    await migrate(handle.db);
    const wal = path.join(dir, 'vault.db-wal');
    await handle.db.insertInto('leases').values(lease('kept')).execute();
    await handle.db.insertInto('leases').values(lease('kept-2')).execute();
    // SQLite's own descriptor and the syncer's.
    expect(openFiles().filter((f) => f === wal).length).toBe(2);
    await handle.close();
    expect(openFiles().filter((f) => f.startsWith(wal))).toEqual([]);
  });
});

describeEachDb('relaxed writes commit without waiting for the disk; the rest wait', (target) => {
  const handle = useMigratedDatabase(target);

  it.runIf(target === 'postgres')('PostgreSQL: relaxed writes run with synchronous_commit off, every other one with it on', async () => {
    const setting = async (q: DbHandle['db']) => (await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(q)).rows[0].synchronous_commit;
    expect(await setting(handle.db)).toBe('on');
    const inside = await relaxed(handle.db, async (q) => {
      await q.insertInto('leases').values(lease('relaxed-pg')).execute();
      return setting(q);
    });
    expect(inside).toBe('off');
    expect(await setting(handle.db)).toBe('on');
    // What a relaxed write committed is there for the durable connections at once.
    expect(await handle.db.selectFrom('leases').select('name').where('name', '=', 'relaxed-pg').executeTakeFirst()).toEqual({ name: 'relaxed-pg' });
    // A durable write inside relaxed(…, when = false) stays durable.
    expect(await relaxed(handle.db, (q) => setting(q), false)).toBe('on');
  });

  it.runIf(target === 'sqlite')('SQLite: a relaxed write resolves without a sync', async () => {
    const before = await handle.db.selectFrom('leases').select('name').execute();
    await relaxed(handle.db, (q) => q.insertInto('leases').values(lease('relaxed-lite')).execute());
    expect((await handle.db.selectFrom('leases').select('name').execute()).length).toBe(before.length + 1);
  });
});

describe('the vault answers only what is on disk (SQLite)', () => {
  it('after a failed sync, answers no write and no read as if it were on disk, and says so once', async () => {
    const disk = gatedSync();
    const failures: Error[] = [];
    const v = await startTestVault('sqlite', { syncWal: disk.sync, onSyncFailure: (err) => failures.push(err) });
    try {
      disk.failOnce(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      const write = await v.api('POST', '/v1/customers/lost-1', { body: { email: 'a@example.com' } });
      expect(write.status).toBe(500);
      // The customer is committed in SQLite, but its frames may never reach the disk: no read reports it.
      const read = await v.api('GET', '/v1/customers/lost-1');
      expect(read.status).toBe(500);
      expect(read.text).not.toContain('a@example.com');
      expect(failures).toHaveLength(1);
      expect(v.logs.some((line) => line.includes('"level":60') && line.includes('write-ahead log could not be synced'))).toBe(true);
    } finally {
      disk.free();
      await v.close();
    }
  });

  it('holds the answer to a durable write, and to a read made meanwhile, until the log is synced', async () => {
    const disk = gatedSync();
    const v = await startTestVault('sqlite', { syncWal: disk.sync });
    try {
      disk.hold();
      const write = v.api('POST', '/v1/customers/durable-1', { body: { email: 'a@example.com' } });
      expect(await isDone(write)).toBe(false);
      // The customer is committed, not yet synced: a read sees it, and its answer waits as well.
      const read = v.api('GET', '/v1/customers/durable-1');
      expect(await isDone(read)).toBe(false);
      disk.release();
      expect((await write).status).toBe(200);
      const answer = await read;
      expect(answer.status).toBe(200);
      expect(answer.body.email).toBe('a@example.com');
      // With nothing waiting for the disk, a read answers at once.
      expect(await isDone(v.api('GET', '/v1/customers/durable-1'))).toBe(true);
    } finally {
      disk.free();
      await v.close();
    }
  });
});
