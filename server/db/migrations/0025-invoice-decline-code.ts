// Why an invoice's last automatic attempt was declined, beside its failure_code (`card_declined`):
// the processor's decline code, or test mode's `test_mode_live_card`. A merchant deciding whether to
// wait for the next pass (insufficient funds) or to ask the customer for another card (expired, lost)
// needed the invoice.payment_failed event to tell. Failures recorded before this column keep NULL.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoices').addColumn('decline_code', 'text').execute();
}
