// Stripe's webhook events in the vault's words: the signature is checked by the library against the
// endpoint's signing secret (https://docs.stripe.com/webhooks#verify-events), then disputes and
// refunds that failed after being accepted are read; every other event is of no concern here.
import type Stripe from 'stripe';
import { NotificationSignatureError, type ProcessorNotification } from '../../payments/processor.ts';
import { STRIPE_AMOUNTS, fromProviderUnits } from '../provider-amounts.ts';

const idOf = (value: string | { id: string } | null | undefined): string | undefined => (typeof value === 'string' ? value : value?.id);

/** https://docs.stripe.com/api/disputes/object: the payment is the intent the vault knows as `processor_id`. */
function disputePayment(dispute: Stripe.Dispute): string {
  return idOf(dispute.payment_intent) ?? idOf(dispute.charge)!;
}

function readEvent(event: Stripe.Event): ProcessorNotification[] {
  switch (event.type) {
    case 'charge.dispute.created': {
      const d = event.data.object;
      return [
        {
          id: event.id,
          kind: 'dispute_opened',
          payment: disputePayment(d),
          dispute: d.id,
          // In Stripe's smallest unit (ISK has two decimals there): the vault's are ISO 4217's.
          amount: fromProviderUnits(STRIPE_AMOUNTS, d.amount, d.currency),
          currency: d.currency.toUpperCase(),
          reason: d.reason,
        },
      ];
    }
    case 'charge.dispute.closed': {
      const d = event.data.object;
      // https://docs.stripe.com/api/disputes/object#dispute_object-status: won, lost, or warning_closed
      // (an inquiry that closed without becoming a chargeback: the merchant keeps the money).
      const outcome = d.status === 'won' || d.status === 'warning_closed' ? 'won' : 'lost';
      // `created`: when the event happened (seconds), for closings that arrive out of order.
      const at = Number.isFinite(event.created) ? { at: new Date(event.created * 1000).toISOString() } : {};
      return [{ id: event.id, kind: 'dispute_closed', payment: disputePayment(d), dispute: d.id, outcome, reason: d.reason, ...at }];
    }
    case 'charge.refund.updated':
    case 'refund.updated':
    case 'refund.failed': {
      // https://docs.stripe.com/refunds#failed-refunds: an accepted refund can still fail later.
      const r = event.data.object;
      const payment = idOf(r.payment_intent);
      if (r.status !== 'failed' || !payment) return [];
      return [{ id: event.id, kind: 'refund_failed', payment, refund: r.id, ...(r.failure_reason ? { reason: r.failure_reason } : {}) }];
    }
    default:
      return [];
  }
}

/**
 * `live`: whether the account's key is a live one. Its events say so too (`livemode`); one that says
 * otherwise is not this account's to act on, as Adyen's test events are not a live account's.
 */
export function parseStripeNotifications(
  stripe: Stripe,
  settings: { webhookSecret: string | undefined; live: boolean },
  rawBody: string,
  headers: Record<string, string | undefined>,
): ProcessorNotification[] {
  const webhookSecret = settings.webhookSecret;
  // Header names are case-insensitive; whichever spelling the caller kept.
  const signature = Object.entries(headers).find(([name]) => name.toLowerCase() === 'stripe-signature')?.[1];
  // Without the endpoint's secret nothing can be verified, so nothing is believed.
  if (!webhookSecret) throw new NotificationSignatureError('no webhook signing secret is set for this Stripe account');
  if (!signature) throw new NotificationSignatureError('the Stripe-Signature header is missing');
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(rawBody, signature, webhookSecret);
  } catch {
    throw new NotificationSignatureError();
  }
  if (typeof event.livemode === 'boolean' && event.livemode !== settings.live) return [];
  return readEvent(event);
}
