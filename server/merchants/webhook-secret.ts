// A merchant's webhook signing secret at rest. Whoever holds it can sign an event the merchant's server
// will trust (`charge.succeeded`, and the order ships), so a copy of the database alone must not give
// it: like the processor credentials it is sealed under the key ring (AES-256-GCM, bound to the
// merchant) and opened only to sign a delivery. The merchant sees it in the clear once, when it is made.
// Rows written before sealing hold it as `whsec_…`; the vault seals those at its start.
import { randomSecret } from '../ids.ts';
import { unwrapKey, wrapKey } from '../keys/envelope.ts';
import type { KeyRing } from '../keys/key-ring.ts';

/** As `merchants.webhook_secret` and `previous_webhook_secret` keep it, sealed. */
interface SealedSecret {
  key_version: string;
  wrapped: string;
}

const PLAIN_PREFIX = 'whsec_';

/**
 * What a secret is bound to: its merchant. The current and the previous secret share it, so that a
 * rotation moves the current one into `previous_webhook_secret` in one statement without opening it.
 */
const webhookSecretAad = (merchantId: string) => `webhook-secret|${merchantId}`;

export function newWebhookSecret(): string {
  return `${PLAIN_PREFIX}${randomSecret(24)}`;
}

export function sealWebhookSecret(ring: KeyRing, merchantId: string, secret: string): string {
  return JSON.stringify(wrapKey(ring, Buffer.from(secret, 'utf8'), webhookSecretAad(merchantId)));
}

/** Whether the stored value is a secret from before sealing, in the clear. */
export const isPlainWebhookSecret = (stored: string) => stored.startsWith(PLAIN_PREFIX);

/** The key version that seals the stored secret; undefined for one still in the clear. */
export function webhookSecretVersion(stored: string): string | undefined {
  return isPlainWebhookSecret(stored) ? undefined : (JSON.parse(stored) as SealedSecret).key_version;
}

/** The secret to sign with. KeyUnavailableError when the ring lost the key that sealed it. */
export function openWebhookSecret(ring: KeyRing, merchantId: string, stored: string): string {
  if (isPlainWebhookSecret(stored)) return stored;
  const sealed = JSON.parse(stored) as SealedSecret;
  return unwrapKey(ring, sealed.wrapped, sealed.key_version, webhookSecretAad(merchantId)).toString('utf8');
}

/**
 * The stored value under the ring's newest key: a plain one sealed, one under an older key of the ring
 * sealed again. Undefined when it needs nothing (already under the newest key) or cannot be opened
 * (its key left the ring: it stays as it is, and signing with it fails until the key is back).
 */
export function resealWebhookSecret(ring: KeyRing, merchantId: string, stored: string): string | undefined {
  const version = webhookSecretVersion(stored);
  if (version === ring.current.id || (version !== undefined && !ring.get(version))) return undefined;
  return sealWebhookSecret(ring, merchantId, openWebhookSecret(ring, merchantId, stored));
}
