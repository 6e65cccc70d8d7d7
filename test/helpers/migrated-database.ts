// A migrated database of the file's own on the target engine: a temporary SQLite data directory, or a
// fresh PostgreSQL database; removed again after the suite.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DbHandle } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrations.ts';
import { createPgDatabase, type DbTarget } from './databases.ts';

export interface MigratedDatabase {
  handle: DbHandle;
  /** Closes the handle and deletes the database. */
  remove(): Promise<void>;
}

export async function openMigratedDatabase(target: DbTarget): Promise<MigratedDatabase> {
  let handle: DbHandle;
  let drop: () => Promise<void>;
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
  return {
    handle,
    remove: async () => {
      await handle.close();
      await drop();
    },
  };
}
