// The floor of the cards list: bare Hono answering one customer's saved cards from the vault's own
// database with the list's one query and nothing else (no key, no rate limit, no validation, no
// headers, no views), through the bare driver (on PostgreSQL, through the vault's own read pipeline).
// What no implementation of the list can beat on this machine; the bench prints its ratio beside the
// vault's.
import path from 'node:path';
import { serve } from '@hono/node-server';
import SQLite from 'better-sqlite3';
import { Hono } from 'hono';
import { ReadPipeline } from '../server/db/pg-read-pipeline.ts';

// The columns the vault's list reads (server/cards/card-store.ts), in the order it reads them.
const COLUMNS = [
  'cards.token, cards.group_id, bin, last4, pan_length, brand, issuer, country, key_version, wrapped_key, meta_ct,',
  'successful_payments, source, cards.created_at, customers.default_card',
].join(' ');
const FROM =
  'from cards left join customers on customers.group_id = cards.group_id and customers.customer = cards.customer ' +
  'where cards.group_id = $1 and cards.customer = $2 and cards.deleted_at is null';

type Read = () => Promise<unknown[]>;

async function openRead(customer: string): Promise<Read> {
  const url = process.env.DATABASE_URL;
  if (url) {
    // Through the vault's own read pipeline (server/db/pg-read-pipeline.ts): the floor sends the query
    // no worse than the vault does.
    const reads = new ReadPipeline({ config: { connectionString: url } });
    const { rows } = await reads.query('floor-group', 'select group_id from cards where customer = $1 limit 1', [customer]);
    const values = [rows[0].group_id, customer];
    // Named, as the vault's prepared queries are: parsed and planned once per connection.
    return async () => (await reads.query('floor-cards', `select ${COLUMNS} ${FROM}`, values)).rows;
  }
  const db = new SQLite(path.join(process.env.DATA_DIR!, 'vault.db'), { readonly: true });
  const { group_id } = db.prepare('select group_id from cards where customer = ? limit 1').get(customer) as { group_id: string };
  const statement = db.prepare(`select ${COLUMNS} ${FROM.replace(/\$\d/g, '?')}`);
  return async () => statement.all(group_id, customer);
}

const read = await openRead(process.env.FLOOR_CUSTOMER!);
const app = new Hono();
app.get('/', async (c) => c.json({ data: await read() }));

const port = Number(process.env.PORT);
const hostname = process.env.HOST ?? '127.0.0.1';
const server = serve({ fetch: app.fetch, port, hostname }, () => process.stdout.write(`floor listening on http://${hostname}:${port}\n`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
