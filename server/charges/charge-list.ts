// GET /v1/charges: one page of the merchant's charges, newest first, narrowed by customer, status,
// initiator, creation time and order reference. A keyset read on charges (merchant_id, created_at, id) (migration 0013):
// never an offset, never a count, however many charges there are.
import type { Db } from '../db/database.ts';
import { findOwned } from '../db/owned-rows.ts';
import type { ChargeTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';

export interface ChargeFilter {
  limit: number;
  startingAfter?: string;
  customer?: string;
  status?: ChargeTable['status'];
  initiator?: 'customer' | 'merchant';
  /** A date (YYYY-MM-DD, midnight UTC) or a date-time with its offset. */
  createdGte?: string;
  createdLt?: string;
  order?: string;
}

const FIRST = '0000-01-01T00:00:00.000Z';
const LAST = '9999-12-31T23:59:59.999Z';

/**
 * The bound as created_at is stored (an ISO string in UTC, to the millisecond), so that the two compare
 * as text. Finer than a millisecond, it is rounded up: a charge at .123 is before .1230001, so it stays
 * under created_lt (< .124) and out of created_gte (>= .124). Outside the years 0 to 9999 (an offset can
 * carry 9999-12-31 past them), JavaScript writes a signed six-digit year, which does not sort as text:
 * such a bound is the first or the last time that can be stored instead.
 */
function asStored(bound: string): string {
  const time = new Date(bound.length === 10 ? `${bound}T00:00:00Z` : bound).getTime();
  const beyondMs = /\.\d{3}(\d*)/.exec(bound)?.[1] ?? '';
  const stored = new Date(/[1-9]/.test(beyondMs) ? time + 1 : time).toISOString();
  if (stored.startsWith('+')) return LAST;
  if (stored.startsWith('-')) return FIRST;
  return stored;
}

export async function listCharges(db: Db, merchantId: string, f: ChargeFilter): Promise<{ rows: ChargeTable[]; hasMore: boolean }> {
  let q = db.selectFrom('charges').selectAll().where('merchant_id', '=', merchantId);
  if (f.customer !== undefined) q = q.where('customer', '=', f.customer);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.initiator !== undefined) q = q.where('initiator', '=', f.initiator);
  if (f.createdGte !== undefined) q = q.where('created_at', '>=', asStored(f.createdGte));
  if (f.createdLt !== undefined) q = q.where('created_at', '<', asStored(f.createdLt));
  if (f.order !== undefined) q = q.where('order_ref', '=', f.order);
  if (f.startingAfter) {
    const cursor = await findOwned(db, 'charges', merchantId, f.startingAfter);
    if (!cursor) throw new ApiError('resource_missing', 'No such charge for starting_after', { param: 'starting_after' });
    // The plain bound first: it is what lets the index start at the cursor instead of at the newest charge.
    q = q.where('created_at', '<=', cursor.created_at).where((eb) => eb.or([eb('created_at', '<', cursor.created_at), eb('id', '<', cursor.id)]));
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
  return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}
