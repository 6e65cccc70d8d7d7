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

/**
 * The log's syncs through one descriptor kept open: opening and closing a descriptor for each sync
 * cost two more trips to the thread pool, which under load took as long as the sync itself. Before
 * each sync the descriptor is checked against the path (one stat of a cached entry, a few microseconds):
 * should SQLite ever replace the log file, the new one is opened, so a sync never flushes a stale file.
 */
export class KeptWalFile {
  private fd: number | undefined;
  private ino = -1;
  private running = 0;
  private closing = false;
  private readonly retired: number[] = [];

  readonly sync: SyncFile = async (walPath) => {
    if (this.closing) throw new Error('the database is closed');
    const fd = this.current(walPath);
    this.running++;
    try {
      await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    } finally {
      this.running--;
      this.closeRetired();
    }
  };

  /** Closes the descriptor once no sync is using it. */
  close(): void {
    this.closing = true;
    if (this.fd !== undefined) this.retired.push(this.fd);
    this.fd = undefined;
    this.closeRetired();
  }

  private current(walPath: string): number {
    const ino = fs.statSync(walPath).ino;
    if (this.fd !== undefined && ino === this.ino) return this.fd;
    if (this.fd !== undefined) this.retired.push(this.fd);
    this.fd = fs.openSync(walPath, 'r');
    // The inode of what was opened, not of what the path named a moment before.
    this.ino = fs.fstatSync(this.fd).ino;
    return this.fd;
  }

  private closeRetired(): void {
    // A descriptor closed while a sync runs on it could be reused by another open and synced instead.
    if (this.running > 0) return;
    for (const fd of this.retired.splice(0)) fs.closeSync(fd);
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

  constructor(
    private readonly walPath: string,
    sync?: SyncFile,
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

  /** Resolves once commit `seq` and every one before it is on disk; rejects if the sync that covers it failed. */
  async waitFor(seq: number): Promise<void> {
    while (this.synced < seq) {
      const covering = this.covering(seq);
      if (covering) await covering.done;
      else if (this.flights.size < MAX_IN_FLIGHT) await this.start().done;
      else await Promise.race([...this.flights].map((flight) => flight.done.catch(() => {})));
    }
  }

  /** Resolves once every commit made so far is on disk. */
  settled(): Promise<void> {
    return this.synced >= this.written ? Promise.resolve() : this.waitFor(this.written);
  }

  /** Lets go of the log's descriptor (after the syncs in flight). */
  close(): void {
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
        .then(() => {
          this.synced = Math.max(this.synced, target);
        })
        .finally(() => this.flights.delete(flight)),
    };
    this.flights.add(flight);
    return flight;
  }
}

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
    const after = () => this.afterStatement(statement.readonly);
    const rows = statement.reader ? rowReader(statement) : undefined;
    // Kysely runs a statement to completion before the next one starts, so one prepared statement serves every call.
    const wrapped: SqliteStatement = {
      reader: statement.reader,
      all: (parameters) => {
        try {
          return rows ? rows.all(parameters as unknown[]) : statement.all(parameters as unknown[]);
        } finally {
          after();
        }
      },
      run: (parameters) => {
        try {
          return statement.run(parameters as unknown[]);
        } finally {
          after();
        }
      },
      iterate: (parameters) => (rows ? rows.iterate(parameters as unknown[]) : statement.iterate(parameters as unknown[])),
    };
    if (this.cache.size < 1000) this.cache.set(sql, wrapped);
    return wrapped;
  }

  /** The commit number the current holder must wait for (0: none), cleared for the next holder. */
  takePending(): number {
    const seq = this.pending;
    this.pending = 0;
    return seq;
  }

  private afterStatement(readonly: boolean): void {
    // BEGIN and COMMIT count as read-only: a transaction is dirty from its first write to its commit.
    if (!readonly) this.dirty = true;
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
  let names = statement.columns().map((column) => column.name);
  const rawStatement = statement.raw(true);
  const toRow = (values: unknown[]) => {
    // SQLite prepares the statement again after a schema change (another process's migration): a
    // `select *` then has other columns, and their names are read again.
    if (values.length !== names.length) names = rawStatement.columns().map((column) => column.name);
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i]] = values[i];
    return row;
  };
  return {
    all: (parameters: unknown[]) => (rawStatement.all(parameters) as unknown[][]).map(toRow),
    *iterate(parameters: unknown[]) {
      for (const values of rawStatement.iterate(parameters) as IterableIterator<unknown[]>) yield toRow(values);
    },
  };
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
