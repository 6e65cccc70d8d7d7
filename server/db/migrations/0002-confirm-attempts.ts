// A confirmation in flight remembers its processor reference and what it was doing (masked, never
// the number or CVC), so that a vault that died mid-payment can settle it instead of charging twice.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('attempt', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('processing_since', 'text').execute();
  // A refund is written as pending with its processor reference before the processor is asked.
  await db.schema.alterTable('refunds').addColumn('processor_ref', 'text').execute();
  await db.schema.createIndex('refunds_processor_ref').on('refunds').column('processor_ref').unique().execute();
}
