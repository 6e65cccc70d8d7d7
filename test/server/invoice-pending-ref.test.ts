// Upgrading to pending references (migration 0016): an open invoice whose last attempt left no failure
// had an unknown outcome, and its next pass must take that day's reference up, not charge a new one.
import { expect, it } from 'vitest';
import { backfillPendingRefs } from '../../server/db/migrations.ts';
import type { InvoiceTable } from '../../server/db/schema.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { useMigratedDatabase } from '../helpers/migrated-database.ts';

const invoice = (id: string, over: Partial<InvoiceTable>): InvoiceTable => ({
  id,
  merchant_id: 'm_1',
  group_id: 'g_1',
  customer: 'c_1',
  amount: 1000,
  currency: 'USD',
  due_date: '2031-01-10',
  description: null,
  auto_pay: 1,
  status: 'open',
  last_attempt_on: null,
  pending_ref: null,
  pending_card: null,
  pending_checked_on: null,
  attempts: 0,
  charge_id: null,
  failure_code: null,
  decline_code: null,
  created_at: '2031-01-01T00:00:00.000Z',
  paid_at: null,
  ...over,
});

describeEachDb('invoice pending references after the upgrade', (target) => {
  const storage = useMigratedDatabase(target);

  it("names the last attempt's reference only where its outcome was never recorded", async () => {
    const { db } = storage;
    await db
      .insertInto('invoices')
      .values([
        invoice('inv_unknown', { last_attempt_on: '2031-01-05', attempts: 1 }),
        invoice('inv_declined', { last_attempt_on: '2031-01-05', attempts: 1, failure_code: 'card_declined' }),
        invoice('inv_untried', {}),
        invoice('inv_paid', { status: 'paid', last_attempt_on: '2031-01-05', attempts: 1, charge_id: 'ch_1', paid_at: '2031-01-05T10:00:00.000Z' }),
        invoice('inv_late', { status: 'past_due', last_attempt_on: '2031-01-05', attempts: 1 }),
      ])
      .execute();
    await backfillPendingRefs(db);
    const rows = await db.selectFrom('invoices').select(['id', 'pending_ref']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'inv_declined', pending_ref: null },
      { id: 'inv_late', pending_ref: null },
      { id: 'inv_paid', pending_ref: null },
      { id: 'inv_unknown', pending_ref: 'invoice:inv_unknown:2031-01-05' },
      { id: 'inv_untried', pending_ref: null },
    ]);
  });
});
