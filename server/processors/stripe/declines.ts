// A Stripe card error in the contract's words: the vault's decline code, with Stripe's own code and
// decline code kept beside it for the merchant's records.
import { scrub } from '../../logger.ts';
import type { AuthorizeResult, DeclineCode } from '../../payments/processor.ts';

/** What a card error carries, on a StripeCardError or on an intent's `last_payment_error`. */
export interface StripeCardFailure {
  code?: string | null;
  decline_code?: string | null;
  message?: string | null;
}

export type Declined = Extract<AuthorizeResult, { outcome: 'declined' }>;

/** https://docs.stripe.com/declines/codes and https://docs.stripe.com/error-codes */
function declineCode(failure: StripeCardFailure): DeclineCode {
  const { code, decline_code: decline } = failure;
  if (code === 'incorrect_cvc' || decline === 'incorrect_cvc' || decline === 'invalid_cvc') return 'incorrect_cvc';
  if (code === 'expired_card' || decline === 'expired_card') return 'expired_card';
  if (decline === 'insufficient_funds' || code === 'insufficient_funds') return 'insufficient_funds';
  // An off-session charge the issuer wants authenticated, or a 3-D Secure the customer failed.
  if (code === 'authentication_required' || decline === 'authentication_required' || code === 'payment_intent_authentication_failure')
    return 'authentication_required';
  return 'card_declined';
}

export function declineOf(processorId: string, failure: StripeCardFailure): Declined {
  // Stripe's messages carry no card data; scrubbed all the same, as anything leaving a provider is.
  const message = scrub(failure.message || 'The card was declined.') as string;
  const code = failure.code || 'card_declined';
  return {
    outcome: 'declined',
    processor_id: processorId,
    code: declineCode(failure),
    ...(failure.decline_code ? { decline_code: failure.decline_code } : {}),
    message,
    processor_response: { code, message },
  };
}
