// The charges' customer and order indexes hold only the charges that have a customer or an order
// (migration 0021): a guest's checkout writes two index pages fewer. Every query that names a customer
// or an order must still be able to use them, on both engines, with its values sent as parameters.
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { Db } from '../../server/db/database.ts';
import type { ChargeTable } from '../../server/db/schema.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { useMigratedDatabase } from '../helpers/migrated-database.ts';

function charge(i: number, customer: string | null, order: string | null): ChargeTable {
  return {
    id: `ch_idx_${i}`,
    merchant_id: 'mer_idx',
    group_id: 'grp_idx',
    customer,
    card_masked: '424242******4242',
    amount: 100 + i,
    currency: 'USD',
    order_ref: order,
    initiator: 'customer',
    status: 'succeeded',
    amount_refunded: 0,
    card_token: null,
    mandate_id: null,
    session_id: null,
    network_transaction_id: null,
    failure_code: null,
    failure_message: null,
    decline_code: null,
    processor_id: null,
    processor_response: null,
    processor: 'simulated',
    processor_ref: `ref_idx_${i}`,
    created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  };
}

// The queries as the vault sends them: a customer's spending for its limits, a merchant's charges for an order.
const byCustomer = (db: Db) =>
  db
    .selectFrom('charges')
    .select((eb) => eb.fn.sum<number>('amount').as('total'))
    .where('group_id', '=', 'grp_idx')
    .where('customer', '=', 'cus_3')
    .where('status', '=', 'succeeded')
    .where('created_at', '>=', '2026-01-01T00:00:00.000Z')
    .compile();
const byOrder = (db: Db) => db.selectFrom('charges').selectAll().where('merchant_id', '=', 'mer_idx').where('order_ref', '=', 'order-3').compile();

describeEachDb('charge indexes', (target) => {
  const handle = useMigratedDatabase(target);

  beforeAll(async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => charge(i, i % 10 === 0 ? `cus_${(i / 10) % 7}` : null, i % 20 === 0 ? `order-${i % 40}` : null));
    for (let i = 0; i < rows.length; i += 250)
      await handle.db
        .insertInto('charges')
        .values(rows.slice(i, i + 250))
        .execute();
    if (target === 'postgres') await sql`ANALYZE charges`.execute(handle.db);
  });

  it('keeps only charges with a customer, or an order, in those indexes', async () => {
    if (target === 'sqlite') {
      const { rows } = await sql<{ name: string; partial: number }>`PRAGMA index_list(charges)`.execute(handle.db);
      const partial = Object.fromEntries(rows.map((r) => [r.name, r.partial]));
      expect(partial).toMatchObject({ charges_customer: 1, charges_merchant_order: 1 });
    } else {
      const { rows } = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where tablename = 'charges'`.execute(
        handle.db,
      );
      const defs = Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]));
      expect(defs.charges_customer).toMatch(/WHERE \(customer IS NOT NULL\)/);
      expect(defs.charges_merchant_order).toMatch(/WHERE \(order_ref IS NOT NULL\)/);
    }
  });

  it('answers a customer or an order through its index, with the values as parameters', async () => {
    for (const [query, index] of [
      [byCustomer(handle.db), 'charges_customer'],
      [byOrder(handle.db), 'charges_merchant_order'],
    ] as const) {
      let plan: string;
      if (target === 'sqlite') {
        const { rows } = await handle.db.executeQuery<{ detail: string }>({ ...query, sql: `EXPLAIN QUERY PLAN ${query.sql}` });
        plan = rows.map((r) => r.detail).join('\n');
      } else {
        // A generic plan, as PostgreSQL may use for the vault's named statements after a few runs: it
        // must prove from `customer = $2` alone that the row is in the index.
        plan = await handle.db.connection().execute(async (conn) => {
          await sql`SET plan_cache_mode = force_generic_plan`.execute(conn);
          await sql`SET enable_seqscan = off`.execute(conn);
          try {
            await conn.executeQuery({ ...query, sql: `PREPARE idx_plan AS ${query.sql}`, parameters: [] });
            const values = query.parameters.map((p) => `'${String(p)}'`).join(', ');
            const { rows } = await conn.executeQuery<{ 'QUERY PLAN': string }>({ ...query, sql: `EXPLAIN EXECUTE idx_plan(${values})`, parameters: [] });
            return rows.map((r) => r['QUERY PLAN']).join('\n');
          } finally {
            await sql`DEALLOCATE ALL`.execute(conn);
            await sql`RESET ALL`.execute(conn);
          }
        });
      }
      expect(plan, plan).toContain(index);
    }
    const total = await handle.db.executeQuery<{ total: number | string }>(byCustomer(handle.db));
    const expected = Array.from({ length: 3000 }, (_, i) => i)
      .filter((i) => i % 10 === 0 && (i / 10) % 7 === 3)
      .reduce((sum, i) => sum + 100 + i, 0);
    expect(expected).toBeGreaterThan(0);
    expect(Number(total.rows[0].total)).toBe(expected);
  });
});
