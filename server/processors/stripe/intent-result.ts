// What a PaymentIntent's state means for the vault (https://docs.stripe.com/payments/paymentintents/lifecycle):
// money authorised, a decline, a 3-D Secure redirect, cancelled before any money moved, or not final yet.
import type Stripe from 'stripe';
import type { AuthorizeResult, CardFacts } from '../../payments/processor.ts';
import { declineOf } from './declines.ts';

export const CANCELLED: AuthorizeResult = { outcome: 'error', message: 'The payment was cancelled at Stripe before it completed.' };

const chargeOf = (pi: Stripe.PaymentIntent): Stripe.Charge | undefined =>
  pi.latest_charge && typeof pi.latest_charge === 'object' ? pi.latest_charge : undefined;

function cardFacts(pi: Stripe.PaymentIntent): CardFacts | undefined {
  const charged = chargeOf(pi)?.payment_method_details?.card;
  const method = pi.payment_method && typeof pi.payment_method === 'object' ? pi.payment_method.card : undefined;
  const country = charged?.country ?? method?.country ?? undefined;
  const issuer = method?.issuer ?? undefined;
  if (!country && !issuer) return undefined;
  return { ...(country ? { country } : {}), ...(issuer ? { issuer } : {}) };
}

function approved(pi: Stripe.PaymentIntent): AuthorizeResult {
  const charge = chargeOf(pi);
  // https://docs.stripe.com/api/charges/object#charge_object-payment_method_details-card-network_transaction_id;
  // absent for some brands, when the charge id is the best reference there is.
  const latestId = typeof pi.latest_charge === 'string' ? pi.latest_charge : charge?.id;
  const ntid = charge?.payment_method_details?.card?.network_transaction_id ?? latestId ?? pi.id;
  const card = cardFacts(pi);
  return { outcome: 'approved', processor_id: pi.id, network_transaction_id: ntid, ...(card ? { card } : {}) };
}

/**
 * The intent's result, or undefined while it is not final (no card tried yet, being processed, or
 * waiting for the customer without a page to send them to). A cancelled intent whose card was
 * authorised first (a voided card check) still answers approved: that authorisation happened.
 */
export function resultOfIntent(pi: Stripe.PaymentIntent): AuthorizeResult | undefined {
  switch (pi.status) {
    case 'succeeded':
    case 'requires_capture':
      return approved(pi);
    case 'canceled':
      return chargeOf(pi)?.status === 'succeeded' ? approved(pi) : CANCELLED;
    case 'requires_payment_method':
      return pi.last_payment_error ? declineOf(pi.id, pi.last_payment_error) : undefined;
    case 'requires_action': {
      const url = pi.next_action?.type === 'redirect_to_url' ? pi.next_action.redirect_to_url?.url : undefined;
      return url ? { outcome: 'redirect', processor_id: pi.id, action: { url, method: 'GET' } } : undefined;
    }
    default:
      return undefined;
  }
}

/** Only what is settled: the money moved, or the card was declined. */
export function settledResult(pi: Stripe.PaymentIntent): AuthorizeResult | undefined {
  const result = resultOfIntent(pi);
  return result?.outcome === 'approved' || result?.outcome === 'declined' ? result : undefined;
}

/** States in which https://docs.stripe.com/api/payment_intents/cancel is allowed and no money has moved. */
export function isOpen(pi: Stripe.PaymentIntent): boolean {
  return ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing'].includes(pi.status);
}
