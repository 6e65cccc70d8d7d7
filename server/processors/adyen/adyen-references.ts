// The vault's references, fitted to Adyen's limits. A vault reference can be longer than Adyen
// accepts (a merchant's own Idempotency-Key is part of some), so a long one is replaced by a digest
// of itself: the same vault reference always gives the same Adyen value, which is what makes a
// repeated call replay the first answer instead of operating twice.
import crypto from 'node:crypto';

// "The <key> is a unique identifier for the message with a maximum of 64 characters."
// https://docs.adyen.com/development-resources/api-idempotency
const IDEMPOTENCY_KEY_MAX = 64;
// PaymentRequest.reference: "Maximum length: 80 characters."
// https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-reference
const REFERENCE_MAX = 80;

function fit(value: string, max: number): string {
  if (value.length <= max) return value;
  return `vault-${crypto.createHash('sha256').update(value).digest('base64url')}`;
}

/** The payment's `reference` at Adyen (what its `merchantReference` answers with). */
export function adyenReference(reference: string): string {
  return fit(reference, REFERENCE_MAX);
}

/** The Idempotency-Key of one operation on the reference: the payment itself, or `:void`, `:cancel`, `:details:<redirectResult>`. */
export function idempotencyKey(reference: string, operation = ''): string {
  return fit(`${reference}${operation}`, IDEMPOTENCY_KEY_MAX);
}
