// The events table as an outbox. Events are written with the change they report (emit-event.ts); this
// module holds everything their delivery does to them: the delivery status an event is written in,
// which events are due, the lease a sender takes on one, how a delivery is settled (its machine is
// delivery-status.ts), and the record of each attempt. webhook-worker.ts only sends, and decides when
// to try again.
import type { ExpressionBuilder } from 'kysely';
import { relaxed, type Db, type Queryable } from '../db/database.ts';
import type { Database, DeliveryStatus, EventTable, WebhookAttemptTable } from '../db/schema.ts';
import { deliveryIn, moveDelivery } from './delivery-status.ts';

const NO_URL: DeliveryStatus = 'none';

/**
 * The delivery an event is written in, read in its INSERT (events/emit-event.ts): `none` when its
 * merchant has no webhook URL, so nothing is to be sent; otherwise NULL, pending until a pass settles
 * it (the machine's two initial statuses). The URL is read in the same statement, on the same snapshot
 * as the change the event reports, instead of by a later pass, which took a select and an update per event.
 */
export const initialDelivery = (eb: ExpressionBuilder<Database, 'events'>, merchantId: string) =>
  eb
    .selectFrom('merchants')
    .select((m) => m.case().when('webhook_url', 'is', null).then(NO_URL).end().as('delivery'))
    .where('id', '=', merchantId);

/**
 * The worker's own writes (a lease, the outcome of an attempt) are relaxed: lost in a power cut, they
 * only mean that an event is sent again, which at-least-once delivery allows. The events themselves
 * are written durably with the change they report, and so is each attempt's record.
 */
const bookkeeping = <T>(db: Db, fn: (q: Queryable) => Promise<T>): Promise<T> => relaxed(db, fn);

/** Still due at `now`: not settled, not waiting for a retry, not leased by a live sender. */
const isDue = (now: string) => (eb: ExpressionBuilder<Database, 'events'>) =>
  eb.and([
    deliveryIn(eb, ['pending']),
    eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]),
    eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]),
  ]);

/**
 * The events due at `now`, at most `limit`: each merchant's oldest first, the merchants taking turns
 * (every merchant's first, then every merchant's second, …), so that one merchant's backlog never keeps
 * another's events out of what the senders read.
 */
export function dueEvents(q: Queryable, now: Date, limit: number): Promise<Pick<EventTable, 'id' | 'merchant_id'>[]> {
  const ranked = q
    .selectFrom('events')
    .select((eb) => [
      'id',
      'merchant_id',
      'created_at',
      eb.fn
        .agg<number>('row_number')
        .over((ob) => ob.partitionBy('merchant_id').orderBy('created_at').orderBy('id'))
        .as('turn'),
    ])
    .where(isDue(now.toISOString()));
  return q.selectFrom(ranked.as('due')).select(['id', 'merchant_id']).orderBy('turn').orderBy('created_at').orderBy('id').limit(limit).execute();
}

/**
 * pending → none for those of `ids` still due at `now`: their merchant has no webhook URL (removed
 * since they were written). One conditional statement, like a lease, so that another instance's pass
 * takes none of them twice. Returns how many were settled.
 */
export function settleUnaddressed(db: Db, ids: string[], now: Date): Promise<number> {
  return bookkeeping(db, (q) =>
    moveDelivery(q, ids, { from: 'pending', to: 'none', set: { next_attempt_at: null, lease_until: null }, also: isDue(now.toISOString()) }),
  );
}

/** Takes the event until `until` if it is still due at `now` and nobody holds it; answers it, or undefined. */
export async function leaseEvent(db: Db, id: string, now: Date, until: Date): Promise<EventTable | undefined> {
  const taken = await bookkeeping(db, (q) =>
    q.updateTable('events').set({ lease_until: until.toISOString() }).where('id', '=', id).where(isDue(now.toISOString())).executeTakeFirst(),
  );
  if (Number(taken.numUpdatedRows) !== 1) return undefined;
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** What became of a leased event's delivery: its outcome and the attempts counted so far. */
export type Settlement =
  | { to: 'none' }
  | { to: 'delivered' | 'failed'; attempts: number }
  /** Another attempt at `next_attempt_at`. */
  | { to: 'pending'; attempts: number; next_attempt_at: string };

/**
 * Settles a leased event and gives up the lease. Moves it only while it is still pending: a
 * redelivery that succeeded meanwhile keeps it delivered.
 */
export async function settleDelivery(db: Db, id: string, outcome: Settlement): Promise<void> {
  const set = {
    attempts: 'attempts' in outcome ? outcome.attempts : undefined,
    next_attempt_at: outcome.to === 'pending' ? outcome.next_attempt_at : null,
    lease_until: null,
  };
  await bookkeeping(db, (q) => moveDelivery(q, id, { from: 'pending', to: outcome.to, set }));
}

/** A delivery that succeeded outside the retry schedule (a redelivery) ends it: pending, failed or none, the event is delivered. */
export async function markDelivered(q: Queryable, eventId: string): Promise<void> {
  await moveDelivery(q, eventId, { from: ['pending', 'failed', 'none'], to: 'delivered', set: { next_attempt_at: null } });
}

/** Records one attempt, whatever its outcome: the merchant lists them (GET /v1/events/{id}/attempts). */
export async function recordAttempt(db: Db, attempt: WebhookAttemptTable): Promise<void> {
  await db.insertInto('webhook_attempts').values(attempt).execute();
}
