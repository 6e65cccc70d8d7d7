// The day a pass last asked the processor about a past-due invoice's pending attempt (null: never).
// That daily question used to be claimed in last_attempt_on, which the API and the dashboard show as
// the day of the invoice's last payment attempt: a past-due invoice seemed to be tried every day.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoices').addColumn('pending_checked_on', 'text').execute();
}
