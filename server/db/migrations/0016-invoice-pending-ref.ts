// The processor reference of an invoice's attempt whose outcome is not recorded yet (null: none). A pass
// that claims the invoice on a later day takes this reference up instead of charging under a new one:
// the attempt may still be at the processor (a pass from before midnight), or its answer may have been
// lost, and only the same reference is answered with that attempt's result rather than charged again.
// An open invoice whose last attempt left no failure is such an attempt from before this column: its
// reference is the one that day's pass used.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoices').addColumn('pending_ref', 'text').execute();
  await backfillPendingRefs(db);
}

/** The references of the attempts left pending before the column existed. */
export async function backfillPendingRefs(db: Kysely<any>): Promise<void> {
  await db
    .updateTable('invoices')
    .set({ pending_ref: sql`'invoice:' || id || ':' || last_attempt_on` })
    .where('status', '=', 'open')
    .where('last_attempt_on', 'is not', null)
    .where('failure_code', 'is', null)
    .execute();
}
