// The hot paths' reads on one pipelined PostgreSQL connection. Through a pool, every statement goes to a
// server process of its own, which sleeps between statements; on a machine where PostgreSQL shares the
// cores with the vault, waking it costs each statement about what answering the request costs. Sent on
// one connection in pipeline mode (node-postgres' `pipeline`: each query is written at once, without
// waiting for the answers before it; https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-PIPELINING),
// the reads of concurrent requests keep one server process busy instead, and their answers come back
// several to a read. Measured on the cards list's floor (bench/floor-hono.ts) on a 2-core machine:
// 4,400 to 7,000 requests a second through a pool of ten, 8,700 to 13,200 through one pipelined connection.
//
// Only a named plain SELECT comes here, outside any transaction: a read takes no row lock, so nothing
// it waits for can wait on a request queued behind it on this connection. A write could wait for a row
// that a transaction holds while that transaction's own request waits for a read queued behind the
// write: a deadlock PostgreSQL could not see. Past `maxInFlight` reads at once, the next go through
// the pool as before, so one server process is never all that serves them.
import pg from 'pg';

/**
 * A plain SELECT: no row lock (FOR UPDATE, FOR SHARE…), no advisory lock in any spelling, no sequence
 * moved, no session setting changed (which on a shared session would hold for every request). A second
 * guard: only queries the query builder made as SELECTs are offered (prepared-query.ts).
 */
export function isPlainRead(text: string): boolean {
  return /^select\b/i.test(text) && !/\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b|advisory|nextval|setval|set_config|\block\b|dblink/i.test(text);
}

/**
 * How long a read here waits for a lock before it goes through the pool instead. A plain read waits for
 * no row, only for a lock on its table that a migration holds or has asked for; meanwhile every read
 * behind it on this connection would wait too, and one of them may be what lets that lock go (a
 * transaction's request reading another table).
 */
export const LOCK_TIMEOUT_MS = 50;
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Whether the connection may be kept after `err`: only the server's own error about the statement (a
 * bad value, a constraint). Not after the server ended the session (FATAL: terminated, shutting down),
 * nor after anything the driver raised (the socket, a closed client, or a value it could not send after
 * marking the statement's name as sent on that connection).
 */
function keepsConnection(err: unknown): boolean {
  const severity = (err as { severity?: unknown } | null)?.severity;
  return typeof severity === 'string' && severity !== 'FATAL' && severity !== 'PANIC';
}

/**
 * Whether the read was cut off by its connection's end without being run: the driver's own error (the
 * socket, a closed client), not the server's. Being a plain read it may be sent again. The read the
 * server was running when it ended the session gets the server's FATAL instead, and is not run again:
 * an operator may have ended it on purpose.
 */
function cutOffUnrun(err: unknown): boolean {
  const { severity, code, message } = (err ?? {}) as { severity?: unknown; code?: unknown; message?: unknown };
  if (typeof severity === 'string') return false;
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || /terminated|not queryable|closed|connection/i.test(String(message ?? ''));
}

export interface ReadPipelineOptions {
  /** The pool's own settings (the connection string, the type parsers): the pipelined connection is made alike. */
  config: pg.ClientConfig;
  /** Told of the connection's failures while no read is waiting on it; unset, they are dropped. */
  onError?: (err: Error) => void;
  /** A statement this connection cannot use any more (see pg-named-statements.ts): the pool's connections planned theirs before the same change. */
  onStale?: () => void;
  /** Whether `err` means the statement was planned for other columns or is gone on the server. */
  isStale?: (err: unknown) => boolean;
  maxInFlight?: number;
}

export class ReadPipeline {
  private client?: Promise<pg.Client>;
  private inFlight = 0;
  private closed = false;
  /** Whether the connection's writes are held for the rest of this turn of the event loop. */
  private held = false;
  private readonly maxInFlight: number;

  constructor(private readonly options: ReadPipelineOptions) {
    this.maxInFlight = options.maxInFlight ?? 32;
  }

  /** Whether another read may be sent here now. */
  get open(): boolean {
    return !this.closed && this.inFlight < this.maxInFlight;
  }

  /**
   * Runs the named read. A statement found stale is planned afresh on a new connection and read again
   * there. A read queued behind the one the server was running when it ended the session (a terminated
   * backend, a failover) is sent once more on a new connection, being a plain read. One that waited for
   * a lock longer than LOCK_TIMEOUT_MS (a migration's) is handed to `elsewhere` (the pool), where it
   * waits on a server process of its own, not ahead of every read queued behind it here.
   */
  async query(name: string, text: string, values?: unknown[], elsewhere?: () => Promise<pg.QueryResult>): Promise<pg.QueryResult> {
    this.inFlight++;
    try {
      return await this.send(name, text, values).catch((err) => {
        if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE && elsewhere) return elsewhere();
        if (this.options.isStale?.(err)) this.options.onStale?.();
        else if (!cutOffUnrun(err)) throw err;
        return this.send(name, text, values);
      });
    } finally {
      this.inFlight--;
    }
  }

  /** Ends the connection once the reads on it are answered. */
  async end(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.then((c) => c.end()).catch(() => undefined);
  }

  /** Forgets the connection (its statements are stale, or it failed): the next read opens another. */
  reset(): void {
    const client = this.client;
    this.client = undefined;
    void client?.then((c) => c.end()).catch(() => undefined);
  }

  private async send(name: string, text: string, values?: unknown[]): Promise<pg.QueryResult> {
    const connection = this.connection();
    const client = await connection;
    try {
      this.holdWrites(client);
      return await client.query({ name, text, values });
    } catch (err) {
      if ((!keepsConnection(err) || this.options.isStale?.(err)) && this.client === connection) this.reset();
      throw err;
    }
  }

  /**
   * Holds the connection's writes until this turn of the event loop has run its I/O callbacks: the reads
   * of every request that arrived in it then go out in one write instead of one each (node-postgres
   * corks the socket around each query's messages; a cork already held keeps them buffered until
   * released). Without the socket node-postgres keeps (an internal of its Connection), each read is
   * written at once, as before.
   */
  private holdWrites(client: pg.Client): void {
    if (this.held) return;
    const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
    if (!stream?.cork || !stream.uncork) return;
    stream.cork();
    this.held = true;
    setImmediate(() => {
      this.held = false;
      stream.uncork!();
    });
  }

  private connection(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('the read pipeline is closed'));
    if (this.client) return this.client;
    // Named in pg_stat_activity, for an operator counting connections (a connection string's own name wins).
    const client = new pg.Client({ application_name: 'card-vault reads', ...this.options.config, pipeline: true } as pg.ClientConfig);
    // Sent before any read, in order on the one connection: a read that waits for a lock gives up soon.
    const connecting = client
      .connect()
      .then(() => client.query(`SET lock_timeout = '${LOCK_TIMEOUT_MS}ms'`))
      .then(() => client);
    this.client = connecting;
    client.on('error', (err) => {
      this.options.onError?.(err);
      if (this.client === connecting) this.client = undefined;
    });
    client.on('end', () => {
      if (this.client === connecting) this.client = undefined;
    });
    connecting.catch(() => {
      if (this.client === connecting) this.client = undefined;
    });
    return connecting;
  }
}
