// A mandate holds the currency the customer agreed to: consent to "RUB 1.00–5,000.00" is no consent to
// a USD charge. Earlier mandates take the currency of the session that created them, else of their
// first charge; one with neither stays null and allows no merchant-initiated charge until recorded again.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mandates').addColumn('currency', 'text').execute();
  await backfillMandateCurrency(db);
}

/** Dates every mandate whose currency is null from its session, else its earliest charge; the rest stay null. */
export async function backfillMandateCurrency(db: Kysely<any>): Promise<void> {
  await db
    .updateTable('mandates')
    .set((eb: any) => ({
      currency: eb.fn.coalesce(
        eb
          .selectFrom('sessions')
          .select('sessions.currency')
          .whereRef('sessions.mandate_id', '=', 'mandates.id')
          .where('sessions.currency', 'is not', null)
          .limit(1),
        eb
          .selectFrom('charges')
          .select('charges.currency')
          .whereRef('charges.mandate_id', '=', 'mandates.id')
          .orderBy('charges.created_at')
          .orderBy('charges.id')
          .limit(1),
      ),
    }))
    .where('currency', 'is', null)
    .execute();
}
