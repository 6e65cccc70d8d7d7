// An idempotency key carries its holder, a fencing token: a request that was taken over (its
// instance stalled) never stores its answer over the newer one's. Expired keys are purged by age.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('holder', 'text').execute();
  await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
}
