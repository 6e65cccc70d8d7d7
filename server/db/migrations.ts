// One ordered set of migrations for both databases, run at every start before the server listens.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { processors } from './migrations/0009-processors.ts';
import { forwardDestinations } from './migrations/0010-forward-destinations.ts';

const initial: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('merchant_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('merchants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('group_id', 'text', (c) => c.notNull().references('merchant_groups.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('secret_key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('publishable_key', 'text', (c) => c.notNull().unique())
      .addColumn('allowed_origins', 'text', (c) => c.notNull())
      .addColumn('webhook_url', 'text')
      .addColumn('webhook_secret', 'text', (c) => c.notNull())
      .addColumn('auto_pay_days', 'integer', (c) => c.notNull())
      .addColumn('need_cvc', 'integer', (c) => c.notNull())
      .addColumn('three_d_secure', 'text', (c) => c.notNull())
      .addColumn('one_click_after', 'integer', (c) => c.notNull())
      .addColumn('rate_limit', 'integer', (c) => c.notNull())
      .addColumn('frame_limit_per_address', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('vault_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('wrapped', 'text', (c) => c.notNull())
      .addColumn('key_version', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('customers')
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('customer', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('phone', 'text')
      .addColumn('limit_daily', 'bigint')
      .addColumn('limit_weekly', 'bigint')
      .addColumn('default_card', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('customers_pk', ['group_id', 'customer'])
      .execute();

    await db.schema
      .createTable('cards')
      .addColumn('token', 'text', (c) => c.primaryKey())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('customer', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text')
      .addColumn('bin', 'text', (c) => c.notNull())
      .addColumn('last4', 'text', (c) => c.notNull())
      .addColumn('brand', 'text', (c) => c.notNull())
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('key_version', 'text')
      .addColumn('wrapped_key', 'text')
      .addColumn('pan_ct', 'text')
      .addColumn('meta_ct', 'text')
      .addColumn('network_transaction_id', 'text')
      .addColumn('successful_payments', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('expiring_notified', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('deleted_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('cards_customer').on('cards').columns(['group_id', 'customer']).execute();
    // One live card per number per customer: a re-saved number finds its card by fingerprint.
    await db.schema.createIndex('cards_fingerprint').on('cards').columns(['group_id', 'customer', 'fingerprint']).unique().execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('merchant_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('client_secret_hash', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint')
      .addColumn('currency', 'text')
      .addColumn('customer', 'text')
      .addColumn('order_ref', 'text')
      .addColumn('save_card', 'text', (c) => c.notNull())
      .addColumn('recurring', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('charge_id', 'text')
      .addColumn('card_token', 'text')
      .addColumn('card_masked', 'text')
      .addColumn('mandate_id', 'text')
      .addColumn('saved', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('completed_at', 'text')
      .execute();

    await db.schema
      .createTable('challenges')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('charges')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('merchant_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('customer', 'text')
      .addColumn('card_token', 'text')
      .addColumn('card_masked', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('order_ref', 'text')
      .addColumn('initiator', 'text', (c) => c.notNull())
      .addColumn('mandate_id', 'text')
      .addColumn('session_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('network_transaction_id', 'text')
      .addColumn('failure_code', 'text')
      .addColumn('failure_message', 'text')
      .addColumn('decline_code', 'text')
      .addColumn('amount_refunded', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('processor_ref', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('charges_customer').on('charges').columns(['group_id', 'customer', 'created_at']).execute();

    await db.schema
      .createTable('refunds')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('charge_id', 'text', (c) => c.notNull())
      .addColumn('merchant_id', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('idempotency_keys')
      .addColumn('merchant_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('response_status', 'integer')
      .addColumn('response_body', 'text')
      .addColumn('locked_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_pk', ['merchant_id', 'key'])
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('merchant_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_merchant').on('events').columns(['merchant_id', 'created_at']).execute();

    await db.schema
      .createTable('simulated_operations')
      .addColumn('reference', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};

// A confirmation in flight remembers its processor reference and what it was doing (masked, never
// the number or CVC), so that a vault that died mid-payment can settle it instead of charging twice.
const confirmAttempts: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('sessions').addColumn('attempt', 'text').execute();
    await db.schema.alterTable('sessions').addColumn('processing_since', 'text').execute();
    // A refund is written as pending with its processor reference before the processor is asked.
    await db.schema.alterTable('refunds').addColumn('processor_ref', 'text').execute();
    await db.schema.createIndex('refunds_processor_ref').on('refunds').column('processor_ref').unique().execute();
  },
};

// The card-on-file lifecycle: agreements, invoices paid automatically, webhook delivery, and the
// messages sent to customers.
const cardOnFile: Migration = {
  async up(db: Kysely<any>) {
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
    await db.schema.alterTable('events').addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
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
  },
};

// A merchant-initiated charge holds a lease on its customer from its checks to its record, so that
// concurrent charges (on any instance) never pass a limit or a mandate's frequency together. A lease,
// not a row lock: the processor call in between must not hold a database connection or transaction
// (the simulated processor writes its ledger through the same database).
const chargeLeases: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('until', 'text', (c) => c.notNull())
      .execute();
  },
};

// A recorded mandate (an agreement given elsewhere) is allowed only on a card this very merchant
// imported: not on one a sister shop imported, nor on one saved through the fields. Earlier imports are
// attributed from their card.saved / card.updated events, which name the importing merchant.
const cardImports: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('card_imports')
      .addColumn('card_token', 'text', (c) => c.notNull())
      .addColumn('merchant_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('card_imports_pk', ['card_token', 'merchant_id'])
      .execute();
    const events = await db.selectFrom('events').select(['merchant_id', 'data', 'created_at'])
      .where('type', 'in', ['card.saved', 'card.updated']).where('data', 'like', '%"source":"import"%').execute();
    for (const e of events) {
      const card = (JSON.parse(e.data) as { card?: string }).card;
      if (!card) continue;
      await db.insertInto('card_imports').values({ card_token: card, merchant_id: e.merchant_id, created_at: e.created_at })
        .onConflict((oc) => oc.columns(['card_token', 'merchant_id']).doNothing()).execute();
    }
  },
};

// An idempotency key carries its holder, a fencing token: a request that was taken over (its
// instance stalled) never stores its answer over the newer one's. Expired keys are purged by age.
const idempotencyHolders: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('idempotency_keys').addColumn('holder', 'text').execute();
    await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
  },
};

// A mandate holds the currency the customer agreed to: consent to "RUB 1.00–5,000.00" is no consent to
// a USD charge. Earlier mandates take the currency of the session that created them, else of their
// first charge; one with neither stays null and allows no merchant-initiated charge until recorded again.
const mandateCurrency: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('mandates').addColumn('currency', 'text').execute();
    await backfillMandateCurrency(db);
  },
};

/** Dates every mandate whose currency is null from its session, else its earliest charge; the rest stay null. */
export async function backfillMandateCurrency(db: Kysely<any>): Promise<void> {
  await db.updateTable('mandates').set((eb: any) => ({
    currency: eb.fn.coalesce(
      eb.selectFrom('sessions').select('sessions.currency')
        .whereRef('sessions.mandate_id', '=', 'mandates.id').where('sessions.currency', 'is not', null).limit(1),
      eb.selectFrom('charges').select('charges.currency')
        .whereRef('charges.mandate_id', '=', 'mandates.id').orderBy('charges.created_at').orderBy('charges.id').limit(1),
    ),
  })).where('currency', 'is', null).execute();
}

// A saved card's wrong security codes are counted across sessions: the CVC is what proves a customer
// holds a saved card (a recurring agreement, a sister shop's first one-click), and five tries per
// session would let a merchant that opens session after session guess all thousand codes.
const cardCvcFailures: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('cards').addColumn('cvc_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('cards').addColumn('cvc_failed_at', 'text').execute();
  },
};

const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_confirm_attempts': confirmAttempts,
  '0003_card_on_file': cardOnFile,
  '0004_charge_leases': chargeLeases,
  '0005_card_imports': cardImports,
  '0006_idempotency_holders': idempotencyHolders,
  '0007_mandate_currency': mandateCurrency,
  '0008_card_cvc_failures': cardCvcFailures,
  '0009_processors': processors,
  '0010_forward_destinations': forwardDestinations,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; safe to call from several instances at once (kysely locks). */
export async function migrate(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}
