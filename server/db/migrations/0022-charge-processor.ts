// Which processor took a charge (its type: simulated, stripe, adyen), so that a refund goes to that
// processor and to no other. A shop may change processor, and the new one never took the earlier
// payments: a live provider refuses such a refund, and the simulated one would record it without the
// provider that holds the money. NULL for a charge recorded before this column: which processor took it
// is not known, and it is refunded through the shop's processor of the moment, as before.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('charges').addColumn('processor', 'text').execute();
}
