// Reading the events table (the outbox emit-event.ts writes, outbox.ts delivers) and its webhook attempts, for the merchant's API.
import type { Db, Queryable } from '../db/database.ts';
import { listPage, type PageQuery } from '../db/list-page.ts';
import { getOwned } from '../db/owned-rows.ts';
import type { WebhookAttemptTable } from '../db/schema.ts';

/** The merchant's event, or 404. */
export const getEvent = (q: Queryable, merchantId: string, id: string) => getOwned(q, 'events', merchantId, id);

/** The merchant's events, newest first, optionally of one type. */
export const listEvents = (db: Db, merchantId: string, page: PageQuery & { type?: string }) =>
  listPage(db, 'events', { merchantId, limit: page.limit, startingAfter: page.startingAfter, filter: { type: page.type } });

/** One event's delivery attempts, newest first: `limit` of them, and whether there are more. */
export async function listAttempts(q: Queryable, eventId: string, limit: number): Promise<{ rows: WebhookAttemptTable[]; hasMore: boolean }> {
  const rows = await q
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('event_id', '=', eventId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}
