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
import fs from 'node:fs/promises';
import type SQLite from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, type SqliteDatabase, type SqliteStatement } from 'kysely';

/** Makes what was written to `walPath` durable: fdatasync, on the thread pool. Replaceable in tests only. */
export type SyncFile = (walPath: string) => Promise<void>;

export const datasyncFile: SyncFile = async (walPath) => {
  // Opened for each sync: fsync on any descriptor flushes the file, and a fresh one can never point
  // at a log file that SQLite has since replaced.
  const file = await fs.open(walPath, 'r');
  try {
    await file.datasync();
  } finally {
    await file.close();
  }
};

/** Numbers the commits that must reach the disk and syncs the log for them, one sync for all that wait. */
export class WalSyncer {
  private written = 0;
  private synced = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly walPath: string,
    private readonly sync: SyncFile = datasyncFile,
  ) {}

  /** A commit to make durable: its number, for waitFor(). */
  noteCommit(): number {
    return ++this.written;
  }

  /** Resolves once commit `seq` and every one before it is on disk; rejects if the sync failed. */
  async waitFor(seq: number): Promise<void> {
    while (this.synced < seq) {
      this.running ??= this.syncOnce().finally(() => {
        this.running = undefined;
      });
      await this.running;
    }
  }

  /** Resolves once every commit made so far is on disk. */
  settled(): Promise<void> {
    return this.synced >= this.written ? Promise.resolve() : this.waitFor(this.written);
  }

  private async syncOnce(): Promise<void> {
    // Commits noted while this sync runs wait for the next one: their frames may come after its start.
    const target = this.written;
    await this.sync(this.walPath);
    this.synced = Math.max(this.synced, target);
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
