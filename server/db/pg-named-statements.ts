// PostgreSQL parses and plans a query's text every time it arrives unnamed, which is how kysely sends
// every query. The hot paths' prepared queries (prepared-query.ts) have one text each, so they are sent
// as named statements instead: each connection parses and plans one once, then only binds values
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY). Measured on the
// cards list: about 80 µs of the server's CPU per query instead of 200, and 100 µs of the vault's
// instead of 130. Only registered texts are named, so a connection holds a bounded set of statements.
//
// A named statement outlives a change of its tables: after another instance's migration adds a
// column, PostgreSQL refuses a `select *` it planned before ("cached plan must not change result
// type", https://www.postgresql.org/docs/current/sql-prepare.html), and node-postgres would send the
// name alone forever after. Such a connection is therefore closed when it goes back to the pool (its
// replacement plans afresh), and a query outside a transaction runs again at once, unnamed.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { isPlainRead, ReadPipeline } from './pg-read-pipeline.ts';

const names = new Map<string, string>();
/** The named texts the query builder made as plain SELECTs: the ones the read pipeline may carry. */
const reads = new Set<string>();

/** Names `sql` for every PostgreSQL connection from now on: a fixed text that is run often. `read`: the query builder made it as a SELECT. */
export function nameStatement(sql: string, options: { read?: boolean } = {}): void {
  if (!names.has(sql)) names.set(sql, `cv_${crypto.createHash('sha256').update(sql).digest('base64url').slice(0, 24)}`);
  if (options.read && isPlainRead(sql)) reads.add(sql);
}

/** Whether `sql` is one of the named texts. */
export function isNamedStatement(sql: string): boolean {
  return names.has(sql);
}

/** A named statement this connection can no longer use: planned for other columns, or lost. */
function staleStatement(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  return code === '26000' || (code === '0A000' && /cached plan must not change result type/.test(message ?? ''));
}

/** Whether PostgreSQL answered with an error (rather than the driver failing before or while sending). */
const fromServer = (err: unknown) => typeof (err as { severity?: unknown } | null)?.severity === 'string';

export interface NamingPoolOptions {
  /** false: every query passes through as it is (for a pooler that cannot keep named statements); nothing is pipelined either. */
  named?: boolean;
  /** Run once on each new connection of the pool before its first query (a session setting). */
  prepareClient?: (client: pg.PoolClient) => Promise<void>;
  /** How the pool's connections are made: the hot paths' reads go through one pipelined connection made alike (pg-read-pipeline.ts). */
  pipelineConfig?: pg.ClientConfig;
  onError?: (err: Error) => void;
}

/** A pool for kysely, and the hot paths' direct way to the read pipeline. */
export interface NamingPool extends PostgresPool {
  /**
   * A named plain read's rows, outside kysely's connection handling, as one query on a fresh connection
   * of this pool would get them (through the read pipeline, or a pooled connection when the pipeline
   * cannot take it); undefined for a text the pipeline never carries.
   */
  read(text: string, values: readonly unknown[]): Promise<unknown[]> | undefined;
}

/**
 * The pool kysely is given: the same connections, each one's query() sending a registered text as a
 * named statement (node-postgres prepares it on that connection the first time). kysely is handed a
 * connection that takes one of the pool's only when it first needs one: a named plain read outside a
 * transaction goes through the read pipeline instead (pg-read-pipeline.ts), and never holds a pooled
 * connection; anything else (a BEGIN first of all) takes one and keeps it until kysely releases it.
 */
export function namingPool(pool: pg.Pool, options: NamingPoolOptions = {}): NamingPool {
  const named = options.named ?? true;
  const wrappers = new WeakMap<pg.PoolClient, { wrapper: PostgresPoolClient; epoch: number }>();
  // Raised when any connection finds a statement that no longer fits its tables: the others planned
  // theirs before the same change, so each is closed when next taken rather than failing in turn.
  let epoch = 0;
  // The epoch the pipelined connection's statements were planned in.
  let pipelineEpoch = 0;
  const pipeline =
    named && options.pipelineConfig
      ? new ReadPipeline({
          config: options.pipelineConfig,
          onError: options.onError ?? (() => {}),
          isStale: staleStatement,
          // The pipeline has already replaced its own connection; the pool's go when next taken.
          onStale: () => {
            pipelineEpoch = ++epoch;
          },
        })
      : undefined;
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    // Kysely opens and ends its transactions with these texts on the connection it holds.
    let inTransaction = false;
    // Set when the connection holds a statement it cannot use, or has failed: it is closed on release.
    let broken: Error | undefined;
    // The pool listens for a connection's failure only while it is idle: PostgreSQL ending the session
    // of a transaction between its statements (a restart, a terminated backend) would otherwise be an
    // error nobody hears, which ends the process.
    client.on('error', (err) => {
      broken = err;
      options.onError?.(err);
    });
    const run = async (name: string, text: string, values?: unknown[]) => {
      try {
        return await client.query({ name, text, values });
      } catch (err) {
        // A driver failure (a value it could not convert) can leave the name marked as prepared
        // while the server never kept it: that connection is not trusted with it again.
        if (!staleStatement(err) && fromServer(err)) throw err;
        broken = err as Error;
        if (staleStatement(err)) epoch++;
        // In a transaction the error has already aborted it: the caller's retry gets a fresh connection.
        if (!staleStatement(err) || inTransaction) throw err;
        return client.query(text, values);
      }
    };
    // A cursor (not a text) passes through as it is, and so does its result.
    const query = (text: unknown, values?: unknown[]) => {
      if (typeof text !== 'string') return client.query(text as string, values);
      if (/^(begin|start transaction)\b/i.test(text)) inTransaction = true;
      else if (/^(commit|rollback)$/i.test(text)) inTransaction = false;
      const name = named ? names.get(text) : undefined;
      return name ? run(name, text, values) : client.query(text, values);
    };
    return {
      query: query as unknown as PostgresPoolClient['query'],
      release: () => {
        const err = broken;
        broken = undefined;
        inTransaction = false;
        // With an error, the pool closes the connection instead of keeping it.
        client.release(err);
        if (err) wrappers.delete(client);
      },
    };
  };
  /** One of the pool's connections, wrapped: made afresh when its statements were planned before a change of their tables. */
  const take = async (): Promise<PostgresPoolClient> => {
    for (;;) {
      const client = await pool.connect();
      const known = wrappers.get(client);
      if (!known) {
        try {
          await options.prepareClient?.(client);
        } catch (err) {
          client.release(err as Error);
          throw err;
        }
        const wrapper = wrap(client);
        wrappers.set(client, { wrapper, epoch });
        return wrapper;
      }
      if (known.epoch === epoch) return known.wrapper;
      wrappers.delete(client);
      client.release(new Error('its named statements were planned before a change of their tables'));
    }
  };
  /** What kysely holds between taking a connection and releasing it: a pooled one only once a query needs it. */
  const lazy = (): PostgresPoolClient => {
    let held: Promise<PostgresPoolClient> | undefined;
    const query = (text: unknown, values?: unknown[]) => {
      const pooled = () => {
        held ??= take();
        return held.then((client) => client.query(text as string, values as unknown[]));
      };
      if (held || !pipeline || typeof text !== 'string' || !reads.has(text) || !pipeline.open) return pooled();
      // The pipelined connection planned its statements before a change another connection found.
      if (pipelineEpoch !== epoch) {
        pipelineEpoch = epoch;
        pipeline.reset();
      }
      return pipeline.query(names.get(text)!, text, values, pooled as () => Promise<pg.QueryResult>);
    };
    return {
      query: query as unknown as PostgresPoolClient['query'],
      release: () => {
        const taken = held;
        held = undefined;
        void taken?.then((client) => client.release()).catch(() => undefined);
      },
    };
  };
  /** A pooled connection for one query, released after it: where a read goes when the pipeline cannot take it. */
  const pooledQuery = async (text: string, values: unknown[]): Promise<pg.QueryResult> => {
    const client = await take();
    try {
      return (await client.query(text, values)) as unknown as pg.QueryResult;
    } finally {
      client.release();
    }
  };
  // What a lazy connection does for one named read, without building one (a hot path's every read comes here).
  const read = async (piped: ReadPipeline, text: string, values: unknown[]): Promise<unknown[]> => {
    if (!piped.open) return (await pooledQuery(text, values)).rows;
    // The pipelined connection planned its statements before a change another connection found.
    if (pipelineEpoch !== epoch) {
      pipelineEpoch = epoch;
      piped.reset();
    }
    return (await piped.query(names.get(text)!, text, values, () => pooledQuery(text, values))).rows;
  };
  return {
    connect: async () => lazy(),
    read: (text, values) => (pipeline && reads.has(text) ? read(pipeline, text, values as unknown[]) : undefined),
    end: async () => {
      await pipeline?.end();
      await pool.end();
    },
  };
}
