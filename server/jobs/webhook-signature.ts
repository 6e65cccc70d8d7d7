// The Checkout-Signature header: t=UNIX_SECONDS then one v1=HEX(HMAC_SHA256(secret, t + "." + body))
// per live secret, so that a receiver in the middle of a secret rotation accepts either.
import crypto from 'node:crypto';
import type { MerchantTable } from '../db/schema.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import { openWebhookSecret } from '../merchants/webhook-secret.ts';
import { VaultDecryptError } from '../keys/envelope.ts';

export const SIGNATURE_HEADER = 'Checkout-Signature';

export function signature(secret: string, timestamp: number, body: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signatureHeader(secrets: string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${signature(s, timestamp, body)}`)].join(',');
}

/**
 * The current secret, then the previous one while its grace period lasts, opened from their sealed form.
 * The current one must open (VaultDecryptError otherwise); a previous one the ring cannot open is left
 * out: a merchant who rotated its secret because the key under the old one was lost is signed for with
 * the new one at once.
 */
export function liveSecrets(
  ring: KeyRing,
  merchant: Pick<MerchantTable, 'id' | 'webhook_secret' | 'previous_webhook_secret' | 'previous_webhook_secret_until'>,
  now: Date,
): string[] {
  const secrets = [openWebhookSecret(ring, merchant.id, merchant.webhook_secret)];
  const until = merchant.previous_webhook_secret_until;
  if (merchant.previous_webhook_secret && until && until > now.toISOString()) {
    try {
      secrets.push(openWebhookSecret(ring, merchant.id, merchant.previous_webhook_secret));
    } catch (err) {
      if (!(err instanceof VaultDecryptError)) throw err;
    }
  }
  return secrets;
}
