// The hot paths' queries, built and compiled once per database engine and then run with new values.
// Kysely builds a query's tree and compiles it to SQL at every call; on a merchant-initiated charge that
// was about a sixth of the vault's time. A prepared query is written with the query builder as usual,
// its arguments used only as values (never to choose what the query is), so the one compiled text
// serves every call.
import { createQueryId, type CompiledQuery, type Compilable, type QueryResult } from 'kysely';
import { readNow, type Queryable } from './database.ts';
import { nameStatement } from './pg-named-statements.ts';

// A value no caller sends: kysely passes each argument through unchanged as a parameter, so the marks
// show where each argument goes.
const MARK = '\u0000prepared-argument:';

type Slot = { arg: string } | { value: unknown };
interface Plan {
  sql: string;
  query: CompiledQuery['query'];
  slots: Slot[];
}

type Prepared<Args, Row> = ((q: Queryable, args: Args) => Promise<QueryResult<Row>>) & {
  /** The query with these values, not run: for a batch of writes (write-batch.ts). */
  compiled(q: Queryable, args: Args): CompiledQuery<Row>;
};

export function prepared<Args extends object, Row>(build: (q: Queryable, args: Args) => Compilable<Row>): Prepared<Args, Row> {
  // Per engine: the adapter is shared by a database handle and every transaction on it.
  const plans = new WeakMap<object, Plan>();
  const compiled = (q: Queryable, args: Args): CompiledQuery<Row> => {
    const executor = q.getExecutor();
    let plan = plans.get(executor.adapter);
    if (!plan) {
      plan = compile(q, build);
      plans.set(executor.adapter, plan);
    }
    const parameters = plan.slots.map((slot) => ('arg' in slot ? (args as Record<string, unknown>)[slot.arg] : slot.value));
    return { sql: plan.sql, query: plan.query, parameters, queryId: createQueryId() };
  };
  const run = async (q: Queryable, args: Args): Promise<QueryResult<Row>> => {
    const query = compiled(q, args);
    const rows = query.query.kind === 'SelectQueryNode' ? readNow(q, query.sql, query.parameters) : undefined;
    return rows ? { rows: (await rows) as Row[] } : q.executeQuery<Row>(query);
  };
  return Object.assign(run, { compiled });
}

function compile<Args extends object, Row>(q: Queryable, build: (q: Queryable, args: Args) => Compilable<Row>): Plan {
  const used = new Set<string>();
  const marks = new Proxy({} as Args, {
    get: (_target, name) => {
      used.add(String(name));
      return `${MARK}${String(name)}`;
    },
  });
  const compiled = build(q, marks).compile();
  const slots: Slot[] = compiled.parameters.map((value) =>
    typeof value === 'string' && value.startsWith(MARK) ? { arg: value.slice(MARK.length) } : { value },
  );
  const placed = new Set(slots.flatMap((slot) => ('arg' in slot ? [slot.arg] : [])));
  const misplaced = [...used].filter((name) => !placed.has(name));
  // An argument read but not sent as a value chose the query's shape: one compiled text cannot serve it.
  if (misplaced.length || compiled.sql.includes(MARK)) {
    throw new Error(`a prepared query uses ${misplaced.join(', ') || 'an argument'} other than as a value: ${compiled.sql}`);
  }
  // On PostgreSQL the one text is sent as a named statement: parsed and planned once per connection; a
  // SELECT may go through the read pipeline (pg-read-pipeline.ts).
  nameStatement(compiled.sql, { read: compiled.query.kind === 'SelectQueryNode' });
  return { sql: compiled.sql, query: compiled.query, slots };
}

/** A row of `columns` taken from the arguments: a prepared INSERT's values. */
export function columnsOf<Args extends object>(args: Args, columns: readonly (keyof Args & string)[]): Args {
  return Object.fromEntries(columns.map((column) => [column, args[column]])) as Args;
}
