// Customers of a merchant group: status, contact, limits and default card.
import { prepared } from '../db/prepared-query.ts';
import { sql, type Updateable } from 'kysely';
import type { Db, DbKind, Queryable } from '../db/database.ts';
import type { CustomerListItem } from '../../protocol/api.ts';
import { cardMasks } from '../cards/card-store.ts';
import type { CustomerTable } from '../db/schema.ts';
import { toCustomerListItem } from './customer-view.ts';

export async function getCustomer(q: Queryable, groupId: string, customer: string): Promise<CustomerTable | undefined> {
  return (await selectCustomer(q, { groupId, customer })).rows[0];
}

const selectCustomer = prepared((q, a: { groupId: string; customer: string }) =>
  q.selectFrom('customers').selectAll().where('group_id', '=', a.groupId).where('customer', '=', a.customer),
);

/** The customer's row, created with status `none` on first sight. */
export async function ensureCustomer(q: Queryable, groupId: string, customer: string, now: Date): Promise<CustomerTable> {
  await q
    .insertInto('customers')
    .values({
      group_id: groupId,
      customer,
      status: 'none',
      email: null,
      phone: null,
      limit_daily: null,
      limit_weekly: null,
      default_card: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .onConflict((oc) => oc.columns(['group_id', 'customer']).doNothing())
    .execute();
  return (await getCustomer(q, groupId, customer))!;
}

/** A customer becomes a member when a card is first saved; the first card becomes the default. */
export async function noteCardSaved(q: Queryable, row: CustomerTable, token: string, now: Date): Promise<void> {
  await q
    .updateTable('customers')
    .set({ status: row.status === 'deny' ? 'deny' : 'member', default_card: row.default_card ?? token, updated_at: now.toISOString() })
    .where('group_id', '=', row.group_id)
    .where('customer', '=', row.customer)
    .execute();
}

/** The columns a change of the customer may write; updated_at is always written. */
export type CustomerChanges = Pick<Updateable<CustomerTable>, 'status' | 'email' | 'phone' | 'limit_daily' | 'limit_weekly' | 'locale' | 'default_card'>;

export async function updateCustomer(q: Queryable, groupId: string, customer: string, changes: CustomerChanges, now: Date): Promise<void> {
  await q
    .updateTable('customers')
    .set({ ...changes, updated_at: now.toISOString() })
    .where('group_id', '=', groupId)
    .where('customer', '=', customer)
    .execute();
}

export interface CustomerPage {
  limit: number;
  startingAfter?: string;
  prefix?: string;
  status?: CustomerTable['status'];
}

/** Past every character a customer number may hold (the highest is `z`): the end of a prefix's range. */
const AFTER_ANY = '~';

/**
 * One page of the group's customers by number, after `startingAfter`: a keyset read on an index
 * (migration 0013), never an offset or a count. Numbers compare byte by byte on both databases (on
 * PostgreSQL whatever the database's collation), so that a prefix is a range of the index.
 */
export async function listCustomers(db: Db, kind: DbKind, groupId: string, page: CustomerPage): Promise<{ rows: CustomerTable[]; hasMore: boolean }> {
  const number = kind === 'postgres' ? sql<string>`customer collate "C"` : sql<string>`customer`;
  let q = db.selectFrom('customers').selectAll().where('group_id', '=', groupId);
  if (page.status) q = q.where('status', '=', page.status);
  if (page.prefix) q = q.where(number, '>=', page.prefix).where(number, '<', page.prefix + AFTER_ANY);
  if (page.startingAfter) q = q.where(number, '>', page.startingAfter);
  const rows = await q
    .orderBy(number)
    .limit(page.limit + 1)
    .execute();
  return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

/** GET /v1/customers: one page of the group's customers as the API lists them, each with its default card's brand and last four. */
export async function listCustomersForView(db: Db, kind: DbKind, groupId: string, page: CustomerPage): Promise<{ data: CustomerListItem[]; hasMore: boolean }> {
  const { rows, hasMore } = await listCustomers(db, kind, groupId, page);
  const masks = await cardMasks(
    db,
    groupId,
    rows.flatMap((row) => (row.default_card ? [row.default_card] : [])),
  );
  return { data: rows.map((row) => toCustomerListItem(row, row.default_card ? masks.get(row.default_card) : undefined)), hasMore };
}
