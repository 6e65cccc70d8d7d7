// A PostgreSQL database of the bench's own (`vault_bench_<random>`), created fresh and dropped at the
// end however the run ends, so that no earlier run's rows slow this one down and none are left behind.
import crypto from 'node:crypto';
import pg from 'pg';
import { onAsyncCleanup } from './processes.ts';

export interface BenchDatabase {
  /** The new database's URL, for the vault's DATABASE_URL. */
  url: string;
  name: string;
  /** Drops it (once; later calls wait for the first). */
  drop(): Promise<void>;
}

async function onAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the database on the server of `adminUrl`; throws (with PostgreSQL's reason) when it cannot. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `vault_bench_${crypto.randomBytes(5).toString('hex')}`;
  await onAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const drop = onAsyncCleanup(() =>
    onAdmin(adminUrl, async (c) => {
      // FORCE (PostgreSQL 13+) ends the connections a killed vault may have left behind.
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop };
}

/** The admin URL without its password, for messages. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}
