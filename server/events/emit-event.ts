// Events are written in the same transaction as the change they report (an outbox for delivery).
import { columnsOf, prepared } from '../db/prepared-query.ts';
import type { Queryable } from '../db/database.ts';
import { newId } from '../ids.ts';
import type { Atomic } from '../db/write-batch.ts';

export type EventType =
  | 'session.completed'
  | 'charge.succeeded'
  | 'charge.failed'
  | 'charge.refunded'
  | 'charge.refund_failed'
  | 'charge.dispute.created'
  | 'charge.dispute.closed'
  | 'card.saved'
  | 'card.updated'
  | 'card.deleted'
  | 'card.expiring'
  | 'card.forwarded'
  | 'mandate.created'
  | 'mandate.cancelled'
  | 'invoice.paid'
  | 'invoice.payment_failed';

export interface NewEventInput {
  merchantId: string;
  groupId: string;
  type: EventType;
  data: object;
  now: Date;
}

export async function emitEvent(q: Queryable, event: NewEventInput): Promise<string> {
  const row = eventRow(event);
  await insertEvent(q, row);
  return row.id;
}

/** The same, as one write of the caller's batch (write-batch.ts). */
export function queueEvent(atomic: Atomic, event: NewEventInput): string {
  const row = eventRow(event);
  atomic.write(insertEvent.compiled(atomic.db, row));
  return row.id;
}

function eventRow(event: NewEventInput): NewEvent {
  return {
    id: newId('evt'),
    merchant_id: event.merchantId,
    group_id: event.groupId,
    type: event.type,
    data: JSON.stringify(event.data),
    created_at: event.now.toISOString(),
  };
}

type NewEvent = { id: string; merchant_id: string; group_id: string; type: string; data: string; created_at: string };
/**
 * An event of a merchant that has no webhook URL when it is written has nothing to be sent: it is
 * recorded as delivery `none` by its own INSERT (the merchant's URL read in the same statement, so on
 * the same snapshot as the change it reports), instead of by a later delivery pass, which took a
 * select and an update per event.
 */
const insertEvent = prepared((q, row: NewEvent) =>
  q.insertInto('events').values({
    ...columnsOf(row, ['id', 'merchant_id', 'group_id', 'type', 'data', 'created_at']),
    delivery: (eb) =>
      eb
        .selectFrom('merchants')
        .select((m) => m.case().when('webhook_url', 'is', null).then('none').end().as('delivery'))
        .where('id', '=', row.merchant_id),
  }),
);
