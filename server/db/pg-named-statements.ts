// PostgreSQL parses and plans a query's text every time it arrives unnamed, which is how kysely sends
// every query. The hot paths' prepared queries (prepared-query.ts) have one text each, so they are sent
// as named statements instead: each connection parses and plans one once, then only binds values
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY). Measured on the
// cards list: about 80 µs of the server's CPU per query instead of 200, and 100 µs of the vault's
// instead of 130. Only registered texts are named, so a connection holds a bounded set of statements.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

const names = new Map<string, string>();

/** Names `sql` for every PostgreSQL connection from now on: a fixed text that is run often. */
export function nameStatement(sql: string): void {
  if (!names.has(sql)) names.set(sql, `cv_${crypto.createHash('sha256').update(sql).digest('base64url').slice(0, 24)}`);
}

/**
 * The pool kysely is given: the same connections, each one's query() sending a registered text as a
 * named statement (node-postgres prepares it on that connection the first time). One wrapper per
 * connection, so kysely still recognises a connection it has seen (and runs onCreateConnection once).
 */
export function namingPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    // A cursor (not a text) passes through as it is, and so does its result.
    const query = (text: unknown, values?: unknown[]) => {
      const name = typeof text === 'string' ? names.get(text) : undefined;
      return name ? client.query({ name, text: text as string, values }) : client.query(text as string, values);
    };
    return { query: query as unknown as PostgresPoolClient['query'], release: () => client.release() };
  };
  return {
    connect: async () => {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = wrap(client)));
      return wrapper;
    },
    end: () => pool.end(),
  };
}
