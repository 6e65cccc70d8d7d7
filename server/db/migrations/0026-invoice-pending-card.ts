// The card an invoice's pending attempt charged (pending_ref's card). Its answer may come back days
// later, when the customer has deleted that card or chosen another default: the money is recorded on the
// card it was taken from, not on whatever the default card is then, nor left unrecorded for want of one.
// Attempts pending before this column keep NULL and are recorded on the default card, as before.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoices').addColumn('pending_card', 'text').execute();
}
