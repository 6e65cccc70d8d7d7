// Events are written in the same transaction as the change they report: the outbox (outbox.ts) their delivery reads.
import { columnsOf, prepared } from '../db/prepared-query.ts';
import type { Queryable } from '../db/database.ts';
import type { EventType } from '../../protocol/types.ts';
import { newId } from '../ids.ts';
import type { Atomic } from '../db/write-batch.ts';
import { initialDelivery } from './outbox.ts';

export type { EventType } from '../../protocol/types.ts';

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

type NewEvent = { id: string; merchant_id: string; group_id: string; type: EventType; data: string; created_at: string };

/** The event with its delivery as the outbox writes it (outbox.ts), no attempt made yet. */
const insertEvent = prepared((q, row: NewEvent) =>
  q.insertInto('events').values({
    ...columnsOf(row, ['id', 'merchant_id', 'group_id', 'type', 'data', 'created_at']),
    delivery: (eb) => initialDelivery(eb, row.merchant_id),
    attempts: 0,
  }),
);
