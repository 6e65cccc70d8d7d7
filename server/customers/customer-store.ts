// Customers of a merchant group: status, contact, limits and default card.
import type { Transaction } from 'kysely';
import type { CustomerView } from '../../protocol/api.ts';
import type { Db } from '../db/database.ts';
import type { CustomerTable, Database } from '../db/schema.ts';

type Q = Db | Transaction<Database>;

export async function getCustomer(q: Q, groupId: string, customer: string): Promise<CustomerTable | undefined> {
  return q.selectFrom('customers').selectAll().where('group_id', '=', groupId).where('customer', '=', customer).executeTakeFirst();
}

/** The customer's row, created with status `none` on first sight. */
export async function ensureCustomer(q: Q, groupId: string, customer: string, now: Date): Promise<CustomerTable> {
  await q.insertInto('customers')
    .values({ group_id: groupId, customer, status: 'none', email: null, phone: null, limit_daily: null, limit_weekly: null, default_card: null, created_at: now.toISOString(), updated_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['group_id', 'customer']).doNothing())
    .execute();
  return (await getCustomer(q, groupId, customer))!;
}

/** A customer becomes a member when a card is first saved; the first card becomes the default. */
export async function noteCardSaved(q: Q, row: CustomerTable, token: string, now: Date): Promise<void> {
  await q.updateTable('customers')
    .set({ status: row.status === 'deny' ? 'deny' : 'member', default_card: row.default_card ?? token, updated_at: now.toISOString() })
    .where('group_id', '=', row.group_id).where('customer', '=', row.customer)
    .execute();
}

export function toCustomerView(customer: string, row: CustomerTable | undefined): CustomerView {
  const view: CustomerView = { customer, status: (row?.status as CustomerView['status']) ?? 'none', limits: {} };
  if (row?.email) view.email = row.email;
  if (row?.phone) view.phone = row.phone;
  if (row?.limit_daily != null) view.limits.daily = row.limit_daily;
  if (row?.limit_weekly != null) view.limits.weekly = row.limit_weekly;
  if (row?.default_card) view.default_card = row.default_card;
  return view;
}
