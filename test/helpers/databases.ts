// Which databases the storage and API tests run on: always SQLite; PostgreSQL when TEST_DATABASE_URL
// is set (each test file in a database of its own, dropped after). PG=required makes its absence fail.
import crypto from 'node:crypto';
import { describe } from 'vitest';
import pg from 'pg';

export type DbTarget = 'sqlite' | 'postgres';

const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl && process.env.PG === 'required') {
  throw new Error('PG=required but TEST_DATABASE_URL is not set: the PostgreSQL tests cannot run');
}

export const targets: DbTarget[] = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/** Runs the suite once per database; without PostgreSQL it says so in the report instead of hiding it. */
export function describeEachDb(name: string, suite: (target: DbTarget) => void): void {
  for (const target of targets) describe(`${name} [${target}]`, () => suite(target));
  // The suite's own tests, registered as skipped: the report counts them (test/skipped-reporter.ts).
  if (!pgUrl) describe.skip(`${name} [postgres] skipped: TEST_DATABASE_URL is not set`, () => suite('postgres'));
}

/** Creates a fresh PostgreSQL database and returns its URL and a function that drops it. */
export async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!pgUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `vault_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
