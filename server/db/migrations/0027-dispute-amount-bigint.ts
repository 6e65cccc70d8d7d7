// A dispute's amount as wide as its charge's: disputes.amount was PostgreSQL's 4-byte integer while
// charges.amount is bigint, so a chargeback past 2^31 minor units (IDR 30,000,000.00, VND 3,000,000,000)
// failed to insert, and the provider's notification was never recorded. SQLite's integer is 8 bytes
// already: nothing to change there.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`ALTER TABLE disputes ALTER COLUMN amount TYPE bigint`.execute(db);
}
