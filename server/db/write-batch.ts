// One commit's writes sent as one statement. On PostgreSQL every statement is a round trip, and on this
// kind of machine a round trip costs the vault about 90 µs of CPU whatever the statement does: a
// merchant-initiated charge's record (BEGIN, the lease's fenced delete, the charge, the mandate's date,
// the card's count, the event, the idempotency answer, COMMIT) was eight of them. Here the writes are
// queued while the caller decides them, then sent together as one data-modifying WITH
// (https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING): one statement is
// atomic by itself, so without reads it needs no BEGIN or COMMIT either. A write that must change
// exactly one row (a fence, a state move) is checked inside that statement by vault_expect_rows()
// (migration 0014), which raises and so undoes the whole statement. On SQLite, which has no such WITH
// and no round trips, the same writes run one by one in a transaction, each checked as it runs.
import { CompiledQuery, PostgresAdapter, type ControlledTransaction } from 'kysely';
import type { Db, Queryable } from './database.ts';
import type { Database } from './schema.ts';
import { isNamedStatement, nameStatement } from './pg-named-statements.ts';

export interface WriteOptions {
  /** The write must change exactly one row; otherwise nothing of the batch is kept and this is thrown. */
  expectOne?: () => Error;
  /** Told how many rows the write changed, once the batch has run (and, in a transaction, before it commits). */
  counted?: (rows: number) => void;
}

export interface Atomic {
  /** The database, to compile queued queries for (not to run them on). */
  readonly db: Db;
  /**
   * Queues a write (INSERT, UPDATE or DELETE without RETURNING): made with the others after the callback.
   * The writes of a batch must not depend on each other: PostgreSQL runs them on one snapshot, where an
   * UPDATE does not see a row the same statement inserted and of two UPDATEs of a row only one lands.
   * So a table may be written twice in a batch only by INSERTs; anything else is refused here, on
   * both engines, as is a text that cannot be combined safely.
   */
  write(query: CompiledQuery, options?: WriteOptions): void;
  /**
   * The transaction the batch commits in, for reads and writes whose answer decides what comes next.
   * On PostgreSQL it is begun at the first call; a batch that never asks for it is one statement.
   */
  tx(): Promise<Queryable>;
}

interface Queued {
  query: CompiledQuery;
  options: WriteOptions;
}

/** What a write's text is, once checked: its kind, the table it writes, and how many placeholders it has. */
const shapes = new Map<string, { kind: string; table: string; placeholders: number }>();

function enqueue(queued: Queued[], query: CompiledQuery, options: WriteOptions): void {
  const shape = shapeOf(query);
  const clash = queued.find((w) => {
    const other = shapeOf(w.query);
    return other.table === shape.table && (other.kind !== 'insert' || shape.kind !== 'insert');
  });
  if (clash) throw new Error(`a batch writes "${shape.table}" twice other than by INSERTs, and its writes would see each other differently per engine`);
  queued.push({ query, options });
}

/**
 * Refuses a text that could not be combined safely: anything but one INSERT, UPDATE or DELETE of a
 * quoted table, a RETURNING, a literal, a comment or a second statement (in which a `$n` might not
 * be a parameter, or which could swallow what is appended), or placeholders that do not match its values.
 */
function shapeOf(query: CompiledQuery): { kind: string; table: string } {
  let shape = shapes.get(query.sql);
  if (!shape) {
    const text = query.sql;
    const head = /^\s*(insert into|update|delete from)\s+"([a-z_]+)"/i.exec(text);
    if (!head || /'|\$\w*\$|--|\/\*|;|\breturning\b/i.test(text)) throw new Error(`not a batchable write: ${text}`);
    // PostgreSQL numbers its placeholders ($1, $2…); SQLite's are all `?`.
    const numbered = [...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    const placeholders = numbered.length ? Math.max(...numbered) : (text.match(/\?/g)?.length ?? 0);
    shape = { kind: head[1].split(' ')[0].toLowerCase(), table: head[2], placeholders };
    shapes.set(text, shape);
  }
  // Fewer values than placeholders would take the next write's values once renumbered.
  if (shape.placeholders !== query.parameters.length) throw new Error(`not a batchable write: ${query.sql} (with ${query.parameters.length} values)`);
  return shape;
}

/** Raised by vault_expect_rows(): 'VX' is a class of SQLSTATE that PostgreSQL leaves to applications. */
const EXPECT_FAILED = 'VX001';

/**
 * Runs `fn`, then makes the writes it queued, all or none, together with whatever it did through
 * `tx()`; returns `fn`'s result once they are committed. A write's `expectOne` error is what throws
 * when its row was not there to change.
 */
export async function atomically<T>(db: Db, fn: (a: Atomic) => Promise<T>): Promise<T> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    // SQLite: in process, a statement costs microseconds; the transaction holds the one connection anyway.
    return db.transaction().execute(async (trx) => {
      const queued: Queued[] = [];
      const result = await fn({ db, write: (query, options = {}) => enqueue(queued, query, options), tx: async () => trx });
      const rows: number[] = [];
      for (const w of queued) rows.push(checked(w, Number((await trx.executeQuery(w.query)).numAffectedRows ?? 0)));
      tell(queued, rows);
      return result;
    });
  }
  const queued: Queued[] = [];
  let begun: Promise<ControlledTransaction<Database>> | undefined;
  const atomic: Atomic = {
    db,
    write: (query, options = {}) => enqueue(queued, query, options),
    tx: () => (begun ??= db.startTransaction().execute()),
  };
  try {
    const result = await fn(atomic);
    const trx = await begun;
    await runBatch(trx ?? db, queued);
    await trx?.commit().execute();
    return result;
  } catch (err) {
    await begun?.then((trx) => trx.rollback().execute()).catch(() => undefined);
    throw err;
  }
}

/** Throws the write's own error when it changed other than the one row it must. */
function checked(w: Queued, rows: number): number {
  if (w.options.expectOne && rows !== 1) throw w.options.expectOne();
  return rows;
}

/** Once every write has run and passed its check: nobody is told of a write that is then undone by the next one's. */
function tell(queued: Queued[], rows: number[]): void {
  for (const [i, w] of queued.entries()) w.options.counted?.(rows[i]);
}

/** The queued writes as one statement (or the one write as itself), checked and counted. */
async function runBatch(q: Queryable, queued: Queued[]): Promise<void> {
  if (queued.length === 0) return;
  if (queued.length === 1) {
    // Alone, a write that changed no row changed nothing: checking after it is the same as within it.
    tell(queued, [checked(queued[0], Number((await q.executeQuery(queued[0].query)).numAffectedRows ?? 0))]);
    return;
  }
  const { text, parameters } = combine(queued);
  let rows: Record<string, number>;
  try {
    rows = (await q.executeQuery<Record<string, number>>(CompiledQuery.raw(text, parameters))).rows[0];
  } catch (err) {
    const failed = (err as { code?: string; message?: string }).code === EXPECT_FAILED ? Number(/write (\d+)/.exec((err as Error).message)?.[1]) : NaN;
    const expect = queued[failed]?.options.expectOne;
    throw expect ? expect() : err;
  }
  tell(
    queued,
    queued.map((w, i) => checked(w, Number(rows[`w${i}`]))),
  );
}

/** Texts already combined, by the texts they combine: a commit's shape recurs, so its statement is named once. */
const combined = new Map<string, string>();

/**
 * `WITH w0 AS (… RETURNING 1), w1 AS (…) SELECT count(w0), count(w1)`, each write's parameters
 * renumbered after the previous ones'. Writes compiled by kysely hold every value as a parameter, and
 * shapeOf() has refused any text in which a `$n` could be something else.
 */
function combine(queued: Queued[]): { text: string; parameters: unknown[] } {
  const key = queued.map((w) => `${w.options.expectOne ? '!' : ''}${w.query.sql}`).join('\u0000');
  const parameters = queued.flatMap((w) => w.query.parameters);
  let text = combined.get(key);
  if (!text) {
    let offset = 0;
    const parts = queued.map((w, i) => {
      const { sql: one, parameters: own } = w.query;
      const renumbered = one.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
      offset += own.length;
      return `w${i} as (${renumbered} returning 1)`;
    });
    const counts = queued.map((w, i) =>
      w.options.expectOne ? `vault_expect_rows((select count(*) from w${i}), 1, 'write ${i}') as w${i}` : `(select count(*) from w${i}) as w${i}`,
    );
    text = `with ${parts.join(', ')} select ${counts.join(', ')}`;
    combined.set(key, text);
    // Named only when every part is a fixed text (a prepared query's): then the combinations are few.
    if (queued.every((w) => isNamedStatement(w.query.sql))) nameStatement(text);
  }
  return { text, parameters };
}
