// Forwarding a saved card to another provider: the endpoints the operator registers for a merchant
// (their credential headers only ever sealed under the key ring), and on a session the request its
// confirmation forwards with the CVC still in memory, and what the provider answered (masked).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('forward_destinations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // JSON string[]: the registered headers' names, so that a listing needs nothing opened.
    .addColumn('header_names', 'text', (c) => c.notNull())
    // JSON { key_version, wrapped }: the headers' names and values, sealed; null when there are none.
    .addColumn('headers_sealed', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('forward_destinations_name').on('forward_destinations').columns(['merchant_id', 'name']).unique().execute();

  // JSON { destination, request }: the template, placeholders unfilled (never a card number).
  await db.schema.alterTable('sessions').addColumn('forward', 'text').execute();
  // JSON { status, body, error? }: the provider's answer, card numbers masked.
  await db.schema.alterTable('sessions').addColumn('forward_result', 'text').execute();
}
