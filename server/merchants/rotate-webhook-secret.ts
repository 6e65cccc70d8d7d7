// POST /v1/webhooks/rotate_secret: a new webhook signing secret, the current one kept signing
// deliveries for the seconds the merchant gave. Like a rolled secret key, the answer holds the new
// secret and is never stored by the idempotency middleware (SECRET_ANSWER). `currentKey`, the key the
// request came with, must still be the current one when it is written; undefined for the dashboard's staff.
import type { Deps } from '../context.ts';
import { rotateWebhookSecret, type Merchant } from './merchant-store.ts';

export async function rotateSecretOnce(
  deps: Pick<Deps, 'db' | 'ring' | 'clock' | 'merchants'>,
  merchant: Pick<Merchant, 'id'>,
  seconds: number,
  currentKey: string | undefined,
) {
  const { db, ring, clock, merchants } = deps;
  const rotated = await rotateWebhookSecret(db, ring, merchant.id, new Date(clock().getTime() + seconds * 1000), currentKey);
  // This instance signs with the new secret at once (others within the cache's second).
  merchants.invalidate();
  return rotated;
}
