// GET /v1/events: what happened in the merchant's account, newest first.
import { z } from 'zod';
import { ListQuery, listOf } from './common.ts';

/** Every type of event the vault writes (and sends to the webhook URL). */
export const EventType = z.enum([
  'session.completed',
  'charge.succeeded',
  'charge.failed',
  'charge.refunded',
  'charge.refund_failed',
  'charge.dispute.created',
  'charge.dispute.closed',
  'card.saved',
  'card.updated',
  'card.deleted',
  'card.expiring',
  'card.forwarded',
  'mandate.created',
  'mandate.cancelled',
  'invoice.paid',
  'invoice.payment_failed',
]);
export type EventType = z.infer<typeof EventType>;

export const EventView = z.object({ id: z.string(), type: EventType, created: z.string(), data: z.record(z.string(), z.unknown()) });
export type EventView = z.infer<typeof EventView>;

// A string, not EventType: a type the vault does not write finds no event (an empty page), as it always has.
export const EventListQuery = ListQuery.extend({ type: z.string().max(64).optional() });
export const EventList = listOf(EventView);
