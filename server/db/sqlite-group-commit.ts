// Durable commits on SQLite without stopping the event loop: group commit.
//
// better-sqlite3 runs on the event loop, so at synchronous=FULL every commit stops the whole vault while
// the write-ahead log goes to disk. Here SQLite commits at synchronous=NORMAL (the log is written, not
// yet synced) and the caller then waits, off the event loop, for an fdatasync of the log: exactly the
// one sync that FULL adds to a commit in WAL mode (https://www.sqlite.org/pragma.html#pragma_synchronous),
// except that the commits made while one sync runs share the next one. A durable write still resolves
// only once it is on disk; the log is written in order, so a sync also carries every earlier commit,
// relaxed or not. Whatever acts on what it read (an answer, a webhook) first waits for settled(), so
// nothing leaves the vault about a commit that a power cut could still take back.
import fs from 'node:fs';
import type SQLite from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, type SqliteDatabase, type SqliteStatement } from 'kysely';

/** Makes what was written to `walPath` durable: fdatasync, on the thread pool. Replaceable in tests only. */
export type SyncFile = (walPath: string) => Promise<void>;

/** The log file at its path is no longer the one SQLite writes: a sync of either would prove nothing. */
export class WalReplaced extends Error {
  constructor(walPath: string) {
    super(`the write-ahead log ${walPath} was replaced or removed while the database was open`);
    this.name = 'WalReplaced';
  }
}

/**
 * The log's syncs through descriptors kept open for the life of the database, one per sync that may
 * run at once. Opening and closing a descriptor for each sync cost two more trips to the thread pool,
 * which under load took as long as the sync itself.
 *
 * Each sync that runs beside another has a descriptor of its own, from its own open(), not a dup():
 * Linux reports a failed write-back once per open file, to whichever sync on it asks first, so two
 * syncs sharing one could hand the error to the later one while the earlier one, whose pages were
 * lost, returns success. Kept open from their first sync to the close, every descriptor is told of
 * every error after it was opened, and of any no one had been told of before.
 *
 * SQLite writes through a descriptor of its own, opened once: should the file at the path ever be
 * another (replaced, or removed), syncing it would cover nothing SQLite wrote, so the sync fails with
 * WalReplaced instead (one stat of a cached entry, a few microseconds, before each sync).
 */
export class KeptWalFile {
  private readonly slots: Array<{ fd: number; busy: boolean }> = [];
  private identity: { dev: number; ino: number } | undefined;
  private closing = false;

  readonly sync: SyncFile = async (walPath) => {
    if (this.closing) throw new Error('the database is closed');
    const slot = this.freeSlot(walPath);
    slot.busy = true;
    try {
      await new Promise<void>((resolve, reject) => fs.fdatasync(slot.fd, (err) => (err ? reject(err) : resolve())));
    } finally {
      slot.busy = false;
      if (this.closing) this.closeIdle();
    }
  };

  /** Closes the descriptors; one a sync is using is closed when that sync ends. */
  close(): void {
    this.closing = true;
    this.closeIdle();
  }

  private freeSlot(walPath: string): { fd: number; busy: boolean } {
    this.checkIdentity(fs.statSync(walPath), walPath);
    const free = this.slots.find((slot) => !slot.busy);
    if (free) return free;
    const fd = fs.openSync(walPath, 'r');
    try {
      // What was opened, not what the path named a moment before.
      this.checkIdentity(fs.fstatSync(fd), walPath);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    const slot = { fd, busy: false };
    this.slots.push(slot);
    return slot;
  }

  private checkIdentity(stat: fs.Stats, walPath: string): void {
    this.identity ??= { dev: stat.dev, ino: stat.ino };
    if (stat.dev !== this.identity.dev || stat.ino !== this.identity.ino) throw new WalReplaced(walPath);
  }

  private closeIdle(): void {
    // A descriptor closed while a sync runs on it could be reused by another open and synced instead.
    for (const slot of this.slots.filter((s) => !s.busy)) {
      this.slots.splice(this.slots.indexOf(slot), 1);
      try {
        fs.closeSync(slot.fd);
      } catch {
        // Already gone: nothing more to let go of.
      }
    }
  }
}

/** Syncs in flight at once: a commit made during a sync starts the next at once instead of waiting for it. */
const MAX_IN_FLIGHT = 2;

interface Flight {
  /** Every commit up to this number was written before the sync began. */
  target: number;
  done: Promise<void>;
}

/**
 * Numbers the commits that must reach the disk and syncs the log for them, one sync for all that wait.
 * fdatasync makes durable everything written to the file before it was called, so a sync that began
 * after commit N was written covers N, whichever of two overlapping syncs ends first.
 */
export class WalSyncer {
  private written = 0;
  private synced = 0;
  private readonly flights = new Set<Flight>();
  private readonly kept: KeptWalFile | undefined;
  private readonly sync: SyncFile;
  /** The first failed sync: from then on nothing more is durable, and nothing is answered as if it were. */
  private failure: Error | undefined;
  private closed = false;

  constructor(
    private readonly walPath: string,
    sync?: SyncFile,
    /** Told once, at the first failed sync (the vault logs it and stops; see failure). */
    private readonly onFailure: (err: Error) => void = () => {},
  ) {
    // The vault's own syncs go through the kept descriptor; a test passes a sync it controls.
    if (sync) this.sync = sync;
    else {
      this.kept = new KeptWalFile();
      this.sync = this.kept.sync;
    }
  }

  /** A commit to make durable: its number, for waitFor(). */
  noteCommit(): number {
    return ++this.written;
  }

  /**
   * Resolves once commit `seq` and every one before it is on disk. Rejects once any sync has failed,
   * whichever commit it was for: after a failed write-back Linux marks the lost pages clean, so the
   * next sync succeeds without them, and SQLite's recovery stops at the first frame missing from the
   * log, taking every later commit with it. As PostgreSQL does after a failed fsync, the vault then
   * treats nothing as durable until it restarts and SQLite recovers what reached the disk.
   */
  async waitFor(seq: number): Promise<void> {
    while (this.synced < seq) {
      if (this.failure) throw this.failure;
      const covering = this.covering(seq);
      if (covering) await covering.done;
      else if (this.flights.size < MAX_IN_FLIGHT) await this.start().done;
      else await Promise.race([...this.flights].map((flight) => flight.done.catch(() => {})));
    }
  }

  /** Resolves once every commit made so far is on disk. */
  settled(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.synced >= this.written ? Promise.resolve() : this.waitFor(this.written);
  }

  /** Lets go of the log's descriptor (after the syncs in flight). */
  close(): void {
    this.closed = true;
    this.kept?.close();
  }

  private covering(seq: number): Flight | undefined {
    for (const flight of this.flights) if (flight.target >= seq) return flight;
    return undefined;
  }

  private start(): Flight {
    // Commits noted while this sync runs wait for a later one: their frames may come after its start.
    const target = this.written;
    const flight: Flight = {
      target,
      done: this.sync(this.walPath)
        .then(
          () => {
            // A sync that succeeds beside one that failed proves nothing about the lost pages.
            if (this.failure) throw this.failure;
            this.synced = Math.max(this.synced, target);
          },
          (err: Error) => {
            if (!this.failure) {
              this.failure = err;
              // A sync refused because the database was closed is the close's doing, not the disk's.
              if (!this.closed) this.onFailure(err);
            }
            throw this.failure;
          },
        )
        .finally(() => this.flights.delete(flight)),
    };
    this.flights.add(flight);
    return flight;
  }
}

/** A whole transaction's ROLLBACK (kysely's), not a ROLLBACK TO a savepoint, which stays in the transaction. */
const ROLLBACK = /^\s*rollback(\s+transaction)?\s*;?\s*$/i;
type StatementKind = 'read' | 'write' | 'rollback';

/**
 * The one better-sqlite3 connection as kysely sees it: statements prepared once per SQL text, and every
 * commit that wrote something (a transaction's, or a single statement's) noted for the log's sync,
 * unless the connection is relaxed. Kysely holds the connection from acquire to release, so the note
 * taken in between belongs to the caller that releases it.
 */
export class GroupCommitConnection implements SqliteDatabase {
  private readonly cache = new Map<string, SqliteStatement>();
  private dirty = false;
  private pending = 0;
  /** Streamed reads still open: the connection runs nothing else meanwhile. */
  private streaming = 0;
  /** Set by relaxed() while it holds the connection: its commits are not waited for. */
  relaxed = false;

  constructor(
    private readonly database: SQLite.Database,
    readonly syncer: WalSyncer,
  ) {}

  close(): void {
    this.database.close();
    this.syncer.close();
  }

  prepare(sql: string): SqliteStatement {
    const hit = this.cache.get(sql);
    if (hit) return hit;
    const statement = this.database.prepare(sql);
    const kind: StatementKind = ROLLBACK.test(sql) ? 'rollback' : statement.readonly ? 'read' : 'write';
    const rows = statement.reader ? rowReader(statement) : undefined;
    // Kysely runs a statement to completion before the next one starts, so one prepared statement serves every call.
    const wrapped: SqliteStatement = {
      reader: statement.reader,
      all: (parameters) => {
        let ok = false;
        try {
          const result = rows ? rows.all(parameters as unknown[]) : statement.all(parameters as unknown[]);
          ok = true;
          return result;
        } finally {
          this.afterStatement(kind, ok);
        }
      },
      run: (parameters) => {
        let ok = false;
        try {
          const result = statement.run(parameters as unknown[]);
          ok = true;
          return result;
        } finally {
          this.afterStatement(kind, ok);
        }
      },
      iterate: (parameters) => {
        // A streamed write would commit with no note for the log's sync: only reads are streamed (kysely's
        // SQLite driver streams only SELECTs today; this keeps it so should that change).
        if (kind !== 'read') throw new Error('only a reading statement can be streamed');
        return this.counted(rows ? rows.iterate(parameters as unknown[]) : statement.iterate(parameters as unknown[]));
      },
    };
    if (this.cache.size < 1000) this.cache.set(sql, wrapped);
    return wrapped;
  }

  /**
   * A read's rows at once, outside kysely's queue for the one connection, or undefined when it must wait
   * in that queue: while a transaction is open (its uncommitted rows would be read) or a streamed read is.
   * Between two statements of whoever holds the connection otherwise, a read sees only committed rows,
   * as it would after them. Saves a read the queue's turns: a few µs of each cheap request.
   */
  readNow(sql: string, parameters: readonly unknown[]): unknown[] | undefined {
    if (this.database.inTransaction || this.streaming > 0) return undefined;
    const statement = this.prepare(sql);
    return statement.reader ? (statement.all(parameters) as unknown[]) : undefined;
  }

  private *counted<T>(rows: IterableIterator<T>): IterableIterator<T> {
    this.streaming++;
    try {
      yield* rows;
    } finally {
      this.streaming--;
    }
  }

  /** The commit number the current holder must wait for (0: none), cleared for the next holder. */
  takePending(): number {
    const seq = this.pending;
    this.pending = 0;
    return seq;
  }

  private afterStatement(kind: StatementKind, ok: boolean): void {
    // A rolled-back transaction, or a write that failed outside one, committed nothing: no sync is
    // asked for, and its caller's error is not held behind (or replaced by) one.
    if (kind === 'rollback' && !this.database.inTransaction) this.dirty = false;
    // BEGIN and COMMIT count as read-only: a transaction is dirty from its first write to its commit.
    if (kind === 'write' && ok) this.dirty = true;
    if (!this.dirty || this.database.inTransaction) return;
    this.dirty = false;
    if (!this.relaxed) this.pending = this.syncer.noteCommit();
  }
}

/**
 * A reading statement's rows as objects, built here from better-sqlite3's arrays: better-sqlite3 names
 * each column of each row through V8's generic property path, which took a quarter of the cards list's
 * query time. The same objects: a later column of the same name wins, as in better-sqlite3's.
 */
function rowReader(statement: SQLite.Statement) {
  const rawStatement = statement.raw(true);
  let names: string[] = [];
  let toRow: (values: unknown[]) => Record<string, unknown> = () => ({});
  const learn = () => {
    names = rawStatement.columns().map((column) => column.name);
    toRow = rowBuilder(names);
  };
  learn();
  const row = (values: unknown[]) => {
    // SQLite prepares the statement again after a schema change (another process's migration): a
    // `select *` then has other columns, and their names are read again.
    if (values.length !== names.length) learn();
    return toRow(values);
  };
  return {
    all: (parameters: unknown[]) => (rawStatement.all(parameters) as unknown[][]).map(row),
    *iterate(parameters: unknown[]) {
      for (const values of rawStatement.iterate(parameters) as IterableIterator<unknown[]>) yield row(values);
    },
  };
}

/**
 * Builds a statement's rows as object literals of one shape, written once per statement from its
 * column names: every row then shares one hidden class, which the code that reads them (views, JSON)
 * handles faster than objects built key by key. A later column of a repeated name wins, as in better-sqlite3's.
 */
function rowBuilder(names: string[]): (values: unknown[]) => Record<string, unknown> {
  const last = new Map(names.map((name, i) => [name, i]));
  // A literal's "__proto__" differs from an assignment's: such a row is built key by key, as better-sqlite3 does.
  if (last.has('__proto__')) {
    return (values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) row[names[i]] = values[i];
      return row;
    };
  }
  const fields = [...last].map(([name, i]) => `${JSON.stringify(name)}: v[${i}]`);
  // The names are the statement's own columns (SQLite's answer), each written as a JSON string literal.
  return new Function('v', `return { ${fields.join(', ')} };`) as (values: unknown[]) => Record<string, unknown>;
}

/** Kysely's SQLite driver, except that releasing the connection waits for the sync of what it committed. */
class GroupCommitDriver extends SqliteDriver {
  constructor(private readonly connection: GroupCommitConnection) {
    super({ database: connection });
  }

  override async releaseConnection(): Promise<void> {
    const seq = this.connection.takePending();
    // Released first: the next caller runs its statements while this one waits for the disk.
    await super.releaseConnection();
    if (seq) await this.connection.syncer.waitFor(seq);
  }
}

export class GroupCommitDialect extends SqliteDialect {
  constructor(private readonly connection: GroupCommitConnection) {
    super({ database: connection });
  }

  override createDriver(): GroupCommitDriver {
    return new GroupCommitDriver(this.connection);
  }
}
