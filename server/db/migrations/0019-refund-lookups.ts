// Refunds left pending (their answer lost, no retry) are settled by the scheduler's pass, every minute
// by default: the few pending ones are found through their own index, not by reading every refund, and
// `checked_at` says when one was last asked about in vain, so that it waits before it is asked again.
// A refund first asks whether its charge is disputed: by the charge.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refunds').addColumn('checked_at', 'text').execute();
  await db.schema.createIndex('refunds_pending').on('refunds').column('created_at').where(sql.ref('status'), '=', 'pending').execute();
  await db.schema.createIndex('disputes_charge').on('disputes').column('charge_id').execute();
}
