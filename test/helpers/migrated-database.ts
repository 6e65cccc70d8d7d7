// A migrated database of the suite's own on the target engine: a temporary SQLite data directory, or a
// fresh PostgreSQL database; opened before the suite's tests and removed after them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Db, type DbHandle } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrations.ts';
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
