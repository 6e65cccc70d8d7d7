// One page of a merchant's list, newest first, after the `starting_after` id: charges, events,
// invoices and messages all page the same way.
import type { Selectable } from 'kysely';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';
import { ApiError } from '../errors.ts';
import { findOwned } from './owned-rows.ts';

type Paged = 'charges' | 'events' | 'invoices' | 'messages';

/** What a list request asks for: how many, and after which id (the last one of the page before). */
export interface PageQuery {
  limit: number;
  startingAfter?: string;
}

export async function listPage<T extends Paged>(
  db: Db,
  table: T,
  options: { merchantId: string; limit: number; startingAfter?: string; filter?: Record<string, string | undefined> },
): Promise<{ rows: Selectable<Database[T]>[]; hasMore: boolean }> {
  // The four tables share the columns used here; kysely cannot see that through a generic name.
  const q0 = (db as any).selectFrom(table);
  let q = q0.selectAll().where('merchant_id', '=', options.merchantId);
  for (const [column, value] of Object.entries(options.filter ?? {})) if (value !== undefined) q = q.where(column, '=', value);
  if (options.startingAfter) {
    const cursor = (await findOwned(db, table, options.merchantId, options.startingAfter)) as { id: string; created_at: string } | undefined;
    if (!cursor) throw new ApiError('resource_missing', `No such ${table.slice(0, -1)} for starting_after`, { param: 'starting_after' });
    // The plain bound beside the OR lets both databases start the index scan at the cursor, not at the newest row.
    q = q
      .where('created_at', '<=', cursor.created_at)
      .where((eb: any) => eb.or([eb('created_at', '<', cursor.created_at), eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)])]));
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}
