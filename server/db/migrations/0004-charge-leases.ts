// A merchant-initiated charge holds a lease on its customer from its checks to its record, so that
// concurrent charges (on any instance) never pass a limit or a mandate's frequency together. A lease,
// not a row lock: the processor call in between must not hold a database connection or transaction
// (the simulated processor writes its ledger through the same database).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .execute();
}
