// Opens the one query layer: kysely over the embedded SQLite file, or over PostgreSQL when a URL is given.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type DbKind = 'sqlite' | 'postgres';

export interface DbHandle {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

export function openDatabase(options: { databaseUrl?: string; dataDir: string; onError?: (err: Error) => void }): DbHandle {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.onError);
  fs.mkdirSync(options.dataDir, { recursive: true });
  return openSqlite(path.join(options.dataDir, 'vault.db'));
}

function openSqlite(file: string): DbHandle {
  // Created owner-only before SQLite opens it: its -wal and -shm files inherit these permissions.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // The write-ahead log is checkpointed often so that a destroyed card key leaves the WAL soon.
  database.pragma('wal_autocheckpoint = 200');
  database.pragma('secure_delete = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { db, kind: 'sqlite', close: () => db.destroy() };
}

/**
 * kysely prepares every query anew; the vault runs the same few dozen shapes all day, so each is
 * prepared once. Safe because kysely runs a statement to completion before the next one starts.
 */
function withStatementCache(database: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (cache.size < 1000) cache.set(sql, statement);
      }
      return statement;
    },
  };
}

function openPostgres(url: string, onError: (err: Error) => void = () => {}): DbHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Sums of amounts come back as int8; they fit a JS number for any real ledger.
    types: { getTypeParser: (oid: number, format?: any) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) } as any,
  });
  // An idle connection that PostgreSQL ends (a restart, a failover) must not crash the vault: the
  // pool drops it and the next query opens a new one.
  pool.on('error', onError);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}
