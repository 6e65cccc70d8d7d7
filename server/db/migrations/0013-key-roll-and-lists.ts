// What the merchant's dashboard needs of /v1: a secret key that can be rolled (the previous key kept,
// only as a hash, until a time the merchant chose), and indexes for the lists it reads: customers by
// number (keyset pages and prefix search), charges by merchant and time (the overview and the list).
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('merchants').addColumn('previous_secret_key_hash', 'text').execute();
  await db.schema.alterTable('merchants').addColumn('previous_secret_key_until', 'text').execute();
  // A request's key is looked up among current and previous keys alike.
  await db.schema.createIndex('merchants_previous_secret_key').on('merchants').column('previous_secret_key_hash').execute();

  // Newest first, ties by id: the list's order is the index's, so a page reads only its own rows. It
  // also carries what the dashboard's overview sums (status, currency, amount, the decline's codes), so
  // a month of charges is read from the index alone, not row by row from the table.
  await db.schema
    .createIndex('charges_merchant_created')
    .on('charges')
    .columns(['merchant_id', 'created_at', 'id', 'status', 'currency', 'amount', 'decline_code', 'failure_code'])
    .execute();
  // An invoice's charges, found by the order reference the scheduler gives them (its id).
  await db.schema.createIndex('charges_merchant_order').on('charges').columns(['merchant_id', 'order_ref']).execute();
  await db.schema.createIndex('refunds_charge').on('refunds').columns(['charge_id', 'created_at']).execute();

  // Customers are listed by number in byte order on both databases: SQLite's primary key (group_id,
  // customer) already is; on PostgreSQL the database's collation may be a language's, whose order
  // would make a prefix no range, so the list reads customer COLLATE "C" from an index of its own.
  // With a status asked for, the pages come from (group_id, status, customer): a rare status among a
  // million customers is not found by reading them all.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create index customers_number on customers (group_id, customer collate "C")`.execute(db);
    await sql`create index customers_status on customers (group_id, status, customer collate "C")`.execute(db);
  } else {
    await db.schema.createIndex('customers_status').on('customers').columns(['group_id', 'status', 'customer']).execute();
  }
}
