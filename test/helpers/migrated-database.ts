// A migrated database of the suite's own on the target engine: a temporary SQLite data directory, or a
// fresh PostgreSQL database; opened before the suite's tests and removed after them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Db, type DbHandle } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrations.ts';
import pg from 'pg';
import { createPgDatabase, type DbTarget } from './databases.ts';

/** Call in a describe block; read `.db` inside its hooks and tests. */
export function useMigratedDatabase(target: DbTarget): { readonly db: Db } {
  let handle: DbHandle | undefined;
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    if (target === 'postgres') {
      const pg = await createPgDatabase();
      handle = openDatabase({ databaseUrl: pg.url, dataDir: '' });
      drop = pg.drop;
    } else {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-test-db-'));
      handle = openDatabase({ dataDir });
      drop = async () => fs.rmSync(dataDir, { recursive: true, force: true });
    }
    await migrate(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
    await drop();
  });
  return {
    get db() {
      if (!handle) throw new Error('the database opens in beforeAll: read .db inside a hook or a test');
      return handle.db;
    },
  };
}

export interface MigratedPostgres {
  /** The database's URL and name. */
  url: string;
  name: string;
  /** Opened as the vault opens it (pools, relaxed pool, read pipeline). */
  handle: DbHandle;
  /** A connection of the test's own beside the vault's, to watch pg_stat_activity or act as another session. */
  admin: pg.Client;
  close(): Promise<void>;
}

/** A fresh PostgreSQL database, migrated, opened as the vault opens it, with a connection of the test's own beside it. */
export async function openMigratedPostgres(): Promise<MigratedPostgres> {
  const database = await createPgDatabase();
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  const migrating = openDatabase({ databaseUrl: database.url, dataDir: '' });
  await migrate(migrating.db);
  await migrating.close();
  const handle = openDatabase({ databaseUrl: database.url, dataDir: '' });
  return {
    url: database.url,
    name: new URL(database.url).pathname.slice(1),
    handle,
    admin,
    close: async () => {
      await handle.close();
      await admin.end();
      await database.drop();
    },
  };
}
