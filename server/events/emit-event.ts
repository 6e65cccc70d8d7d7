// Events are written in the same transaction as the change they report (an outbox for delivery).
import { columnsOf, prepared } from '../db/prepared-query.ts';
import type { Queryable } from '../db/database.ts';
import { newId } from '../ids.ts';

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

export async function emitEvent(q: Queryable, event: { merchantId: string; groupId: string; type: EventType; data: object; now: Date }): Promise<string> {
  const id = newId('evt');
  await insertEvent(q, {
    id,
    merchant_id: event.merchantId,
    group_id: event.groupId,
    type: event.type,
    data: JSON.stringify(event.data),
    created_at: event.now.toISOString(),
  });
  return id;
}

type NewEvent = { id: string; merchant_id: string; group_id: string; type: string; data: string; created_at: string };
const insertEvent = prepared((q, row: NewEvent) =>
  q.insertInto('events').values(columnsOf(row, ['id', 'merchant_id', 'group_id', 'type', 'data', 'created_at'])),
);
