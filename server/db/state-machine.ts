// A status machine: the statuses a row is created in, which status may follow which, and the one
// conditional UPDATE that moves rows (`… SET status = :to WHERE id = :id AND status = :from`), so a
// transition that lost a race to another request changes nothing and its caller sees that it did not move.
import type { Expression, ExpressionBuilder, Kysely, SqlBool, UpdateObject } from 'kysely';
import type { Queryable } from './database.ts';
import type { Database } from './schema.ts';

/** For each status, the statuses it may move to (none: a final status). */
export type Transitions<S extends string> = { readonly [F in S]: readonly S[] };

/** Where a status can go from `F`; `never` (so nothing compiles) from a final status. */
export type Targets<T, F extends string> = F extends keyof T ? (T[F] extends readonly (infer To)[] ? To : never) : never;

/** Compile-time equality of two types, for checks such as `Assert<Equal<ApiStatus, StoredStatus>>`. */
export type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
export type Assert<T extends true> = T;

/** A move the machine's table does not allow: a bug in the caller, never a customer's doing. */
export class IllegalTransition extends Error {
  constructor(
    readonly machine: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`${machine}: no transition from ${from} to ${to}`);
    this.name = 'IllegalTransition';
  }
}

export interface Machine<S extends string, T extends Transitions<S>> {
  readonly name: string;
  /** Every status, in the table's order. */
  readonly statuses: readonly S[];
  /** The statuses a row may be inserted in. */
  readonly initial: readonly S[];
  readonly transitions: T;
  allows(from: S, to: S): boolean;
  /** Throws IllegalTransition unless every `from` may move to `to`; with literals, a wrong pair does not compile. */
  check<F extends S>(from: F | readonly F[], to: Targets<T, F>): void;
}

/** The table is written `{ … } as const satisfies Transitions<XStatus>`: every status a key, nothing else. */
export function defineMachine<S extends string, T extends Transitions<S>>(name: string, initial: readonly S[], transitions: T): Machine<S, T> {
  const statuses = Object.keys(transitions) as S[];
  const allows = (from: S, to: S) => Object.hasOwn(transitions, from) && (transitions[from] as readonly S[]).includes(to);
  return {
    name,
    statuses,
    initial,
    transitions,
    allows,
    check(from, to) {
      for (const f of typeof from === 'string' ? [from] : from) if (!allows(f, to as S)) throw new IllegalTransition(name, f, to as S);
    },
  };
}

/** The tables with a status machine: each has an `id` and a `status`. */
export type StatusTable = 'sessions' | 'charges' | 'refunds' | 'mandates' | 'invoices' | 'challenges' | 'disputes' | 'messages';
export type RowFilter<TB extends StatusTable> = (eb: ExpressionBuilder<Database, TB>) => Expression<SqlBool>;

export interface Move<TB extends StatusTable, S extends string, T extends Transitions<S>, F extends S> {
  /** One row by its id, or every row a filter picks (a transition of many rows at once). */
  rows: string | RowFilter<TB>;
  from: F | readonly F[];
  to: Targets<T, F>;
  /** The other columns the transition writes (status is set here), or a function of kysely's expression builder. */
  set?: UpdateObject<Database, TB> | ((eb: ExpressionBuilder<Database, TB>) => UpdateObject<Database, TB>);
  /** Conditions the row must also meet to move. */
  also?: RowFilter<TB>;
}

/** The conditional UPDATE of a move, checked against the machine; kysely cannot follow a table name that is a type parameter. */
function moveUpdate<TB extends StatusTable, S extends Database[TB]['status'], T extends Transitions<S>, F extends S>(
  q: Queryable,
  table: TB,
  machine: Machine<S, T>,
  move: Move<TB, S, T, F>,
): any {
  const { rows, from, to, set, also } = move;
  machine.check(from, to);
  let update: any = (q as unknown as Kysely<any>).updateTable(table).set((eb: any) => ({ ...(typeof set === 'function' ? set(eb) : set), status: to }) as any);
  update = typeof rows === 'string' ? update.where('id', '=', rows) : update.where(rows);
  update = typeof from === 'string' ? update.where('status', '=', from) : update.where('status', 'in', from);
  return also ? update.where(also) : update;
}

/**
 * Moves rows from `from` to `to` in one conditional UPDATE, in the given transaction or on the
 * database. Returns how many rows moved: 0 when none was (still) in `from`.
 */
export async function moveRows<TB extends StatusTable, S extends Database[TB]['status'], T extends Transitions<S>, F extends S>(
  q: Queryable,
  table: TB,
  machine: Machine<S, T>,
  move: Move<TB, S, T, F>,
): Promise<number> {
  return Number((await moveUpdate(q, table, machine, move).executeTakeFirst()).numUpdatedRows);
}

/** The same move, answering the rows it moved with these columns (RETURNING, on both engines), by id. */
export async function movedRows<
  TB extends StatusTable,
  S extends Database[TB]['status'],
  T extends Transitions<S>,
  F extends S,
  C extends keyof Database[TB] & string,
>(q: Queryable, table: TB, machine: Machine<S, T>, move: Move<TB, S, T, F>, columns: readonly C[]): Promise<Pick<Database[TB], C | 'id'>[]> {
  const rows: Pick<Database[TB], C | 'id'>[] = await moveUpdate(q, table, machine, move)
    .returning(['id', ...columns])
    .execute();
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
