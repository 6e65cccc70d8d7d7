// The card-on-file lifecycle: agreements, invoices paid automatically, webhook delivery, and the
// messages sent to customers.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mandates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('card_token', 'text', (c) => c.notNull())
    .addColumn('min_amount', 'bigint', (c) => c.notNull())
    .addColumn('max_amount', 'bigint', (c) => c.notNull())
    .addColumn('frequency_days', 'integer', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('network_transaction_id', 'text')
    .addColumn('consent', 'text', (c) => c.notNull())
    .addColumn('last_charge_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('mandates_customer').on('mandates').columns(['group_id', 'customer']).execute();
  await db.schema.createIndex('mandates_card').on('mandates').column('card_token').execute();

  await db.schema
    .createTable('invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('auto_pay', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_attempt_on', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('charge_id', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('paid_at', 'text')
    .execute();
  await db.schema.createIndex('invoices_due').on('invoices').columns(['status', 'due_date']).execute();

  // Delivery state of each event (the events table is the outbox): a lease keeps two instances
  // from sending one event at once.
  await db.schema.alterTable('events').addColumn('delivery', 'text').execute(); // pending | delivered | failed | none
  await db.schema
    .alterTable('events')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('events').addColumn('next_attempt_at', 'text').execute();
  await db.schema.alterTable('events').addColumn('lease_until', 'text').execute();
  await db.schema.createIndex('events_delivery').on('events').columns(['delivery', 'next_attempt_at']).execute();
  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_attempts_event').on('webhook_attempts').column('event_id').execute();
  // A rotated signing secret stays valid (and signed with) until this time.
  await db.schema.alterTable('merchants').addColumn('previous_webhook_secret', 'text').execute();
  await db.schema.alterTable('merchants').addColumn('previous_webhook_secret_until', 'text').execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull()) // email | sms
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('transport', 'text', (c) => c.notNull()) // outbox | smtp | provider name
    .addColumn('status', 'text', (c) => c.notNull()) // queued | sent | failed
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_customer').on('messages').columns(['merchant_id', 'customer', 'created_at']).execute();
  await db.schema.alterTable('customers').addColumn('locale', 'text').execute();
}
