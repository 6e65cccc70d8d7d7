// Real processors and live mode: a merchant's mode and its processor account (credentials sealed
// under the key ring), the provider's own ids beside the vault's references, a provider's 3-D Secure
// redirect kept on its challenge, the connectors' reference→payment ledger, disputes, and the
// provider notifications already handled.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('merchants')
    .addColumn('livemode', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // JSON { type, key_last4, sealed?: { key_version, wrapped } }: the credentials only ever sealed.
  await db.schema.alterTable('merchants').addColumn('processor', 'text').execute();

  await db.schema.alterTable('charges').addColumn('processor_id', 'text').execute();
  await db.schema.alterTable('charges').addColumn('processor_response', 'text').execute();
  await db.schema.createIndex('charges_processor_id').on('charges').column('processor_id').execute();
  await db.schema.alterTable('refunds').addColumn('processor_id', 'text').execute();
  await db.schema.alterTable('refunds').addColumn('failure_reason', 'text').execute();

  // code: the simulated issuer's code form; redirect: a provider's issuer page, then its return.
  await db.schema
    .alterTable('challenges')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('code'))
    .execute();
  await db.schema.alterTable('challenges').addColumn('processor_ref', 'text').execute();
  await db.schema.alterTable('challenges').addColumn('processor_id', 'text').execute();
  await db.schema.alterTable('challenges').addColumn('action', 'text').execute();
  await db.schema.alterTable('challenges').addColumn('result', 'text').execute();

  await db.schema
    .createTable('processor_operations')
    .addColumn('reference', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('disputes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('processor_dispute_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('disputes_processor').on('disputes').columns(['merchant_id', 'processor_dispute_id']).unique().execute();

  await db.schema
    .createTable('processor_notifications')
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('processor_notifications_pk', ['merchant_id', 'id'])
    .execute();
}
