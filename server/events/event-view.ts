// An event as GET /v1/events lists it and as a webhook delivers it, and its delivery record.
import type { Delivery, EventView } from '../../protocol/api.ts';
import type { EventTable, WebhookAttemptTable } from '../db/schema.ts';

export function toEventView(row: Pick<EventTable, 'id' | 'type' | 'created_at' | 'data'>): EventView {
  return { id: row.id, type: row.type, created: row.created_at, data: JSON.parse(row.data) };
}

/** Where the event's delivery stands: an event the worker has not looked at yet (NULL) is pending. */
export const toDeliveryView = (e: Pick<EventTable, 'delivery' | 'attempts' | 'next_attempt_at'>): Delivery => ({
  status: e.delivery ?? 'pending',
  attempts: e.attempts,
  next_attempt_at: e.next_attempt_at,
});

export const toAttemptView = (a: WebhookAttemptTable) => ({
  id: a.id,
  event: a.event_id,
  url: a.url,
  status_code: a.status_code,
  error: a.error,
  duration_ms: a.duration_ms,
  created: a.created_at,
});
