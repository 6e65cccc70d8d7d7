// The shop's webhook receiver: checks each delivery's Checkout-Signature over the raw body with the
// SDK's verifier, drops a delivery it has seen before (delivery is at least once), and keeps the last
// events in memory for the /webhooks page. A real shop would store them and act on them.
import { verifyWebhook, WebhookVerificationError, type WebhookEvent } from '../sdk/verify-webhook.ts';

export interface ReceivedEvent extends WebhookEvent {
  /** ISO time the shop received it. */
  received: string;
  /** False only when the shop runs without a webhook secret. */
  verified: boolean;
}

export type ReceiveResult = { status: 200; event: ReceivedEvent; duplicate: boolean } | { status: 400; reason: string; message: string };

export interface WebhookInbox {
  /** Whether deliveries are verified: false when the shop was started without the secret. */
  readonly verifying: boolean;
  receive(rawBody: Buffer, signatureHeader: string | undefined): ReceiveResult;
  /** Newest first. */
  list(): ReceivedEvent[];
}

export const SIGNATURE_HEADER = 'checkout-signature';

export function createWebhookInbox(options: { secret?: string; keep?: number; clock?: () => Date }): WebhookInbox {
  const keep = options.keep ?? 200;
  const clock = options.clock ?? (() => new Date());
  /** Insertion order is arrival order. */
  const events = new Map<string, ReceivedEvent>();
  /** Ids seen, kept longer than the events shown, so that a late redelivery is still recognised. */
  const seen = new Set<string>();
  const remember = (id: string) => {
    seen.add(id);
    if (seen.size > keep * 10) seen.delete(seen.values().next().value!);
  };

  return {
    verifying: Boolean(options.secret),
    receive(rawBody, header) {
      let event: WebhookEvent;
      if (options.secret) {
        try {
          event = verifyWebhook(rawBody, header, options.secret, { now: Math.floor(clock().getTime() / 1000) });
        } catch (err) {
          if (err instanceof WebhookVerificationError) return { status: 400, reason: err.reason, message: err.message };
          throw err;
        }
      } else {
        // Verification is off (no secret): the body must still be an event.
        try {
          event = JSON.parse(rawBody.toString('utf8')) as WebhookEvent;
        } catch {
          return { status: 400, reason: 'invalid_body', message: 'The body is not JSON' };
        }
        if (!event || typeof event.id !== 'string' || typeof event.type !== 'string')
          return { status: 400, reason: 'invalid_body', message: 'The body is not an event' };
      }
      const known = events.get(event.id);
      if (known) return { status: 200, event: known, duplicate: true };
      if (seen.has(event.id)) return { status: 200, event: { ...event, received: clock().toISOString(), verified: Boolean(options.secret) }, duplicate: true };
      const received: ReceivedEvent = {
        id: event.id,
        type: event.type,
        created: event.created,
        data: event.data,
        received: clock().toISOString(),
        verified: Boolean(options.secret),
      };
      events.set(event.id, received);
      remember(event.id);
      if (events.size > keep) events.delete(events.keys().next().value!);
      return { status: 200, event: received, duplicate: false };
    },
    list: () => [...events.values()].reverse(),
  };
}
