// The merchant's name as a session was opened with it. A recurring agreement's wording names the
// merchant, and the mandate records the wording the customer was shown: a merchant that renames itself
// while a customer is on the page must not have its new name recorded in words the customer never saw.
// Sessions opened before this column read the merchant's current name, as they did.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('merchant_name', 'text').execute();
}
