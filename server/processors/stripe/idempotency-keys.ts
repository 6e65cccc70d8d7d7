// The Idempotency-Key of each call Stripe is asked to make for a vault reference. Stripe keeps a key's
// first answer and replays it (https://docs.stripe.com/api/idempotent_requests); keys are at most 255
// characters, and a vault reference can be longer (it embeds the merchant's own idempotency key), so
// a long one is replaced by its digest: the same reference always gives the same key.
import crypto from 'node:crypto';

const MAX_LENGTH = 255;

export function idempotencyKey(reference: string, step: '' | ':confirm' | ':cancel' | ':void' = ''): string {
  const key = `${reference}${step}`;
  if (key.length <= MAX_LENGTH) return key;
  return `sha256:${crypto.createHash('sha256').update(reference).digest('hex')}${step}`;
}
