// The floor of the new-card confirmation on PostgreSQL: bare Hono parsing the JSON body and sending the
// four statements a guest confirmation sends (bench/confirm-statements.ts: the session's read, its
// claim, the simulated processor's record, the outcome as one statement), named, the read through one
// pipelined connection and the writes through pools as the vault sends them, on the vault's own
// database, through the bare driver, and nothing else (no frame auth, no card checks,
// no fingerprint, no views, no headers). What no implementation of the confirmation that makes those
// four statements can beat on this machine; the bench prints its ratio beside the vault's.
import crypto from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';
import { ReadPipeline } from '../server/db/pg-read-pipeline.ts';
import {
  CHARGE_COLUMNS,
  CLAIM_SESSION,
  COMPLETED_SESSION_COLUMNS,
  EVENT_COLUMNS,
  outcomeStatement,
  READ_SESSION,
  RECORD_OPERATION,
} from './confirm-statements.ts';

const url = process.env.DATABASE_URL!;
const durable = new pg.Pool({ connectionString: url, max: 10 });
// The session's read through the vault's own read pipeline (server/db/pg-read-pipeline.ts).
const reads = new ReadPipeline({ config: { connectionString: url } });
// The claim and the processor's record are relaxed in the vault too (server/db/database.ts).
const relaxed = new pg.Pool({ connectionString: url, max: 10 });
relaxed.on('connect', (client) => void client.query('SET synchronous_commit = off'));

type Values = Record<string, unknown>;
const named = (pool: pg.Pool, name: string, text: string, values: unknown[]) => pool.query({ name, text, values });

/** Open sessions copied from the bench's own guest session, one per confirmation: the vault's pool opens them through its API. */
async function openSessions(count: number): Promise<string> {
  const { rows } = await durable.query(`select * from sessions where mode = 'payment' and customer is null order by created_at desc limit 1`);
  if (!rows[0]) throw new Error('no guest payment session to copy');
  const prefix = `cs_floor${crypto.randomBytes(4).toString('hex')}_`;
  const fresh: Values = { id: '$1 || g', status: `'open'`, expires_at: '$2', failed_attempts: '0' };
  const cleared = ['charge_id', 'card_token', 'card_masked', 'mandate_id', 'completed_at', 'attempt', 'processing_since'];
  const list = Object.keys(rows[0]);
  const select = list.map((c) => (fresh[c] as string | undefined) ?? (cleared.includes(c) ? 'null' : `"${c}"`));
  await durable.query(
    `insert into sessions (${list.map((c) => `"${c}"`).join(', ')}) select ${select.join(', ')} from sessions, generate_series(1, ${count}) g where id = $3`,
    [prefix, new Date(Date.now() + 86_400_000).toISOString(), rows[0].id],
  );
  return prefix;
}

const prefix = await openSessions(Number(process.env.FLOOR_SESSIONS ?? 50_000));
let taken = 0;
const id = (kind: string) => `${kind}_${crypto.randomBytes(12).toString('base64url')}`;
const OUTCOME = outcomeStatement();

const app = new Hono();
app.get('/', (c) => c.text('ready'));
app.post('/', async (c) => {
  const { card } = await c.req.json();
  const sessionId = `${prefix}${++taken}`;
  const session = (await reads.query('floor-read', READ_SESSION, [sessionId])).rows[0];
  const now = new Date().toISOString();
  const reference = `${sessionId}:${crypto.randomBytes(9).toString('base64url')}`;
  const masked = JSON.stringify({
    brand: 'visa',
    bin: card.number.slice(0, 6),
    last4: card.number.slice(-4),
    exp_month: card.exp_month,
    exp_year: card.exp_year,
  });
  const attempt = JSON.stringify({ ref: reference, card: masked });
  const claimed = await named(relaxed, 'floor-claim', CLAIM_SESSION, [attempt, now, 'processing', sessionId, 'open', 5, now]);
  if (claimed.rowCount !== 1) return c.json({ error: 'the session was not open' }, 409);
  const result = { outcome: 'approved', processor_id: id('sim'), network_transaction_id: id('ntid') };
  await named(relaxed, 'floor-record', RECORD_OPERATION, [reference, 'authorize', JSON.stringify(result), now]);

  const chargeId = id('ch');
  const { merchant_id, group_id, amount, currency } = session;
  const charge: Values = {
    id: chargeId,
    merchant_id,
    group_id,
    card_masked: masked,
    amount,
    currency,
    initiator: 'customer',
    session_id: sessionId,
    status: 'succeeded',
    network_transaction_id: result.network_transaction_id,
    amount_refunded: 0,
    processor_ref: reference,
    created_at: now,
    processor_id: result.processor_id,
    processor: 'simulated',
  };
  const event = (type: string, data: object): Values => ({
    id: id('evt'),
    merchant_id,
    group_id,
    type,
    data: JSON.stringify(data),
    created_at: now,
    delivery: 'none',
    attempts: 0,
  });
  const paid = event('charge.succeeded', { charge: chargeId, session: sessionId, amount, currency, customer: null });
  const completed = event('session.completed', { session: sessionId, charge: chargeId, card: null, saved: false, order: null, mandate: null });
  const update: Values = { charge_id: chargeId, card_masked: masked, saved: 0, completed_at: now, status: 'complete' };
  const values = (row: Values, columns: string[]) => columns.map((c) => row[c] ?? null);
  const eventValues = (e: Values) => [...values(e, EVENT_COLUMNS.slice(0, 7)), merchant_id, e.attempts];
  await named(durable, 'floor-outcome', OUTCOME, [
    ...values(charge, CHARGE_COLUMNS),
    ...eventValues(paid),
    ...values(update, COMPLETED_SESSION_COLUMNS),
    sessionId,
    'processing',
    ...eventValues(completed),
  ]);
  return c.json({ status: 'succeeded', session: sessionId, charge: chargeId, card: JSON.parse(masked), saved: false });
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' }, () =>
  process.stdout.write('confirm floor listening\n'),
);
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
