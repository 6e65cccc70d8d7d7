// Opens the one query layer: kysely over the embedded SQLite file, or over PostgreSQL when a URL is given.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { Scrubber } from './scrubber.ts';
import { namingPool } from './pg-named-statements.ts';
import { GroupCommitConnection, GroupCommitDialect, WalSyncer, type SyncFile } from './sqlite-group-commit.ts';

export type Db = Kysely<Database>;
/** The database or a transaction on it: what a function that writes as part of its caller's work takes. */
export type Queryable = Db | Transaction<Database>;
export type DbKind = 'sqlite' | 'postgres';

export interface DbHandle {
  db: Db;
  kind: DbKind;
  /** Rewrites destroyed data out of the database's storage now (see scrubber.ts); false when it must be retried. */
  scrub(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string;
  dataDir: string;
  onError?: (err: Error) => void;
  /** Told how each scrub after a deletion went: how long it took, or why it must be retried. */
  onScrub?: (report: { ok: boolean; ms: number; error?: Error }) => void;
  /** SQLite: how the write-ahead log is synced for durable commits (tests gate it to watch the order). */
  syncWal?: SyncFile;
  /**
   * SQLite: told once when a sync of the log fails. From then on every durable write and every answer
   * that waits for the disk fails (sqlite-group-commit.ts, WalSyncer.waitFor): the vault must restart.
   */
  onSyncFailure?: (err: Error) => void;
  /** PostgreSQL: whether the hot paths' queries go out as named statements (pg-named-statements.ts); yes by default. */
  namedStatements?: boolean;
}

const scrubbers = new WeakMap<Db, Scrubber>();
const relaxers = new WeakMap<Db, <T>(fn: (conn: Db) => Promise<T>) => Promise<T>>();
const syncers = new WeakMap<Db, WalSyncer>();
type DirectRead = (sql: string, parameters: readonly unknown[]) => unknown[] | Promise<unknown[]> | undefined;
const readers = new WeakMap<Db, DirectRead>();

/**
 * A prepared read's rows without kysely's connection handling, where the engine has a direct way:
 * SQLite's one connection when no transaction is open on it, at once (sqlite-group-commit.ts);
 * PostgreSQL's read pipeline (pg-named-statements.ts). Undefined otherwise, and always for a
 * transaction's own reads (`q` is then not the database itself), which run in the transaction as usual.
 */
export function readNow(q: Queryable, sql: string, parameters: readonly unknown[]): unknown[] | Promise<unknown[]> | undefined {
  return readers.get(q as Db)?.(sql, parameters);
}

/**
 * Runs `fn`'s writes without waiting for the disk at each commit. Only for writes whose loss in a power
 * cut (never in a crash of the vault: they are in the operating system's hands) costs nothing: a lease,
 * an open session, the simulated processor's own record. What the ledger holds is committed durably,
 * and a durable commit carries every earlier one to disk with it (SQLite's write-ahead log and
 * PostgreSQL's alike are written in order), so a relaxed write never outlives a later durable one.
 * On SQLite a durable commit waits for the log's sync (sqlite-group-commit.ts) and a relaxed one does
 * not; on PostgreSQL a durable commit waits for its WAL flush (synchronous_commit=on) and a relaxed one
 * runs on a connection with synchronous_commit=off. `fn` must use only the connection it is given. With
 * `when` false, `fn` runs durably as usual.
 */
export function relaxed<T>(db: Db, fn: (conn: Db) => Promise<T>, when = true): Promise<T> {
  const relax = when && relaxers.get(db);
  return relax ? relax(fn) : fn(db);
}

/**
 * Resolves once every commit made so far is on disk. Whatever tells the world what it read (an answer,
 * a webhook) waits for this first: on SQLite a commit is visible before its sync completes.
 */
export function settled(db: Db): Promise<void> {
  return syncers.get(db)?.settled() ?? Promise.resolve();
}

/**
 * Asks for the storage of destroyed card data to be rewritten soon (well within the contract's 10
 * seconds), after the transaction that destroyed it has committed. `tables` names what was deleted
 * from, for PostgreSQL's VACUUM; SQLite rewrites the whole file.
 */
export function scheduleScrub(db: Db, tables: ScrubTable[] = ['cards']): void {
  scrubbers.get(db)?.schedule(tables);
}

/**
 * The tables whose old row versions can hold something that opens or finds a card: its sealed data,
 * its fingerprint, an import's keyed request hash, a vault secret wrapped under a retired key; or that
 * opens a merchant's processor credentials or forwarding headers under a retired key.
 */
export type ScrubTable = 'cards' | 'challenges' | 'idempotency_keys' | 'vault_secrets' | 'merchants' | 'forward_destinations';

export function openDatabase(options: DbOptions): DbHandle {
  const handle = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.onError, options.namedStatements)
    : openSqlite(options.dataDir, options.syncWal, options.onSyncFailure);
  if (handle.relax) relaxers.set(handle.db, handle.relax);
  if (handle.syncer) syncers.set(handle.db, handle.syncer);
  if (handle.readNow) readers.set(handle.db, handle.readNow);
  const scrubber = new Scrubber((tables) => handle.run(tables), options.onScrub);
  scrubbers.set(handle.db, scrubber);
  return {
    db: handle.db,
    kind: handle.kind,
    scrub: () => scrubber.runNow(),
    close: async () => {
      // A deletion just before the stop is scrubbed before the database closes.
      await scrubber.stop();
      await handle.stop?.();
      await handle.db.destroy();
    },
  };
}

interface OpenedDb {
  db: Db;
  kind: DbKind;
  run(tables: ScrubTable[]): Promise<boolean>;
  relax?: <T>(fn: (conn: Db) => Promise<T>) => Promise<T>;
  syncer?: WalSyncer;
  readNow?: DirectRead;
  /** Closes what the handle holds beside `db`. */
  stop?: () => Promise<void>;
}

function openSqlite(dataDir: string, syncWal?: SyncFile, onSyncFailure?: (err: Error) => void): OpenedDb {
  // Owner-only when the vault makes it: no other local user lists the directory or watches the database grow.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'vault.db');
  // Created owner-only before SQLite opens it: its -wal and -shm files inherit these permissions.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // A commit writes the log without syncing it; a durable one then waits for the log's sync, which
  // commits made meanwhile share (sqlite-group-commit.ts): a payment ledger survives a power cut.
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // A checkpoint runs inside the commit that crosses this many log pages, with two syncs: at 4000 pages
  // (16 MB) a page that every payment rewrites (an index's root, the leases) is copied once per
  // checkpoint instead of twenty times, which took about 90 µs off each commit against 200.
  database.pragma('wal_autocheckpoint = 4000');
  // Freed cells and pages are zeroed; what that misses (stale copies that b-tree rebalancing leaves
  // in a page's unused gap, old page images in the WAL) the scrub after a deletion removes.
  database.pragma('secure_delete = ON');
  const syncer = new WalSyncer(`${file}-wal`, syncWal, onSyncFailure);
  const connection = new GroupCommitConnection(database, syncer);
  const db = new Kysely<Database>({ dialect: new GroupCommitDialect(connection) });
  // Held on kysely's one connection, so no other statement (nor an open transaction) runs in between.
  const relax = <T>(fn: (conn: Db) => Promise<T>) =>
    db.connection().execute(async (conn) => {
      connection.relaxed = true;
      try {
        return await fn(conn);
      } finally {
        connection.relaxed = false;
      }
    });
  return { db, kind: 'sqlite', run: () => scrubSqlite(db), relax, syncer, readNow: (text, parameters) => connection.readNow(text, parameters) };
}

/**
 * VACUUM rebuilds the file from the live rows only, so no page keeps a copy of a destroyed value;
 * the TRUNCATE checkpoint then writes the WAL (which VACUUM filled with the new pages, and which held
 * the old ones) into the file and cuts it to zero bytes. Both run on the one connection between
 * queries; a short busy timeout makes another process's open read (`npm run keys`) a retry, not a
 * stall.
 */
async function scrubSqlite(db: Db): Promise<boolean> {
  return db.connection().execute(async (conn) => {
    await sql`PRAGMA busy_timeout = 200`.execute(conn);
    try {
      await sql`VACUUM`.execute(conn);
      const { rows } = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(conn);
      return rows[0]?.busy === 0;
    } finally {
      await sql`PRAGMA busy_timeout = 5000`.execute(conn);
    }
  });
}

function openPostgres(url: string, onError: (err: Error) => void = () => {}, named = true): OpenedDb {
  const config: pg.PoolConfig = {
    connectionString: url,
    // Sums of amounts come back as int8; they fit a JS number for any real ledger.
    types: { getTypeParser: (oid: number, format?: any) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) } as any,
  };
  const connect = (max: number) => {
    const pool = new pg.Pool({ ...config, max });
    // An idle connection that PostgreSQL ends (a restart, a failover) must not crash the vault: the
    // pool drops it and the next query opens a new one.
    pool.on('error', onError);
    return pool;
  };
  // The hot paths' reads share one pipelined connection (pg-read-pipeline.ts), made like the pool's.
  const pool = namingPool(connect(10), { named, pipelineConfig: config, onError });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Relaxed writes go through connections of their own that commit asynchronously: PostgreSQL then
  // answers before the commit's WAL is flushed, flushes it in order, and a later durable commit
  // flushes it too (https://www.postgresql.org/docs/current/wal-async-commit.html).
  const relaxedDb = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: namingPool(connect(10), {
        named,
        pipelineConfig: config,
        onError,
        prepareClient: async (client) => {
          await client.query('SET synchronous_commit = off');
        },
      }),
    }),
  });
  return {
    db,
    kind: 'postgres',
    run: (tables) => vacuumPostgres(db, tables),
    relax: (fn) => fn(relaxedDb),
    readNow: (text, parameters) => pool.read(text, parameters),
    stop: () => relaxedDb.destroy(),
  };
}

/**
 * VACUUM removes the dead row versions that still hold a destroyed key, and INDEX_CLEANUP ON makes it
 * clear their index entries too (PostgreSQL skips that when few rows died). Not VACUUM FULL: that
 * would lock the cards table against every payment while it copies it.
 */
async function vacuumPostgres(db: Db, tables: ScrubTable[]): Promise<boolean> {
  await sql`VACUUM (INDEX_CLEANUP ON) ${sql.join(tables.map((t) => sql.table(t)))}`.execute(db);
  return true;
}
