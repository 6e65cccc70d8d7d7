// What a failed call to Stripe means (https://docs.stripe.com/error-handling): a card error is a decline;
// a 5xx, a timeout or a dropped connection is an unknown outcome; a refused request is the vault's
// mistake or a state that no longer allows the operation. Messages keep no card data.
import Stripe from 'stripe';
import { scrub } from '../../logger.ts';
import type { AuthorizeResult } from '../../payments/processor.ts';
import { declineOf } from './declines.ts';

const { StripeCardError, StripeConnectionError, StripeAPIError, StripeInvalidRequestError, StripeError } = Stripe.errors;

export const isCardError = (err: unknown): err is Stripe.errors.StripeCardError => err instanceof StripeCardError;
export const isRefused = (err: unknown): err is Stripe.errors.StripeInvalidRequestError => err instanceof StripeInvalidRequestError;

/** https://docs.stripe.com/error-codes#payment-intent-unexpected-state: the intent moved on (cancelled, already paid). */
export const isUnexpectedState = (err: unknown): boolean => isRefused(err) && err.code === 'payment_intent_unexpected_state';
export const isMissing = (err: unknown): boolean => isRefused(err) && (err.statusCode === 404 || err.code === 'resource_missing');

/** A short description of the failure, for a result or a log line: never the request, never card data. */
export function describe(err: unknown): string {
  if (err instanceof StripeConnectionError) return 'Stripe could not be reached or did not answer in time.';
  if (err instanceof StripeAPIError) return `Stripe answered with an error${err.statusCode ? ` (HTTP ${err.statusCode})` : ''}.`;
  if (err instanceof StripeError) return scrub(`Stripe refused the request (${err.code ?? err.rawType ?? err.type}): ${err.message}`) as string;
  return 'The call to Stripe failed.';
}

/** An authorisation that did not come back with an intent: a decline, or an outcome the vault does not know. */
export function authorizeFailure(err: unknown, processorId: string): AuthorizeResult {
  if (isCardError(err)) {
    // The intent's own record of the decline, as lookup reads it later; the error's message carries
    // the request id, which would make the same decline read differently each time.
    const pi = err.payment_intent;
    if (pi?.last_payment_error) return declineOf(pi.id, pi.last_payment_error);
    return declineOf(pi?.id ?? processorId, {
      code: err.code,
      decline_code: err.decline_code,
      message: (err.raw as { message?: string } | undefined)?.message,
    });
  }
  return { outcome: 'error', message: describe(err) };
}

/** Thrown from the operations that answer no result (void, refund, lookup, cancel), with a safe message. */
export class StripeCallFailed extends Error {
  constructor(err: unknown) {
    super(describe(err));
    this.name = 'StripeCallFailed';
  }
}
