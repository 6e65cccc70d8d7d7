// A merchant's processor account: the credentials are sealed under the key ring (AES-256-GCM, bound
// to the merchant) the moment they arrive, and only the connector ever sees them opened again. What
// the merchant reads back is the type, that it is configured, and the last four characters of the key.
import type { ProcessorAccountView } from '../../protocol/schemas/merchant.ts';
import type { ProcessorSettings, ProcessorType } from '../payments/processor.ts';
import { unwrapKey, wrapKey } from '../keys/envelope.ts';
import type { KeyRing } from '../keys/key-ring.ts';

/** As the merchants row keeps it (JSON in `merchants.processor`). */
export interface StoredProcessor {
  type: ProcessorType;
  key_last4: string | null;
  sealed?: { key_version: string; wrapped: string };
}

/** What the sealed credentials are bound to: this merchant. */
export const processorAad = (merchantId: string) => `processor|${merchantId}`;
const aad = processorAad;

/** `keyLast4`: the last four characters of the account's key, as its connector names them (null for the simulated processor). */
export function sealProcessorSettings(ring: KeyRing, merchantId: string, settings: ProcessorSettings, keyLast4: string | null): StoredProcessor {
  if (settings.type === 'simulated') return { type: 'simulated', key_last4: null };
  return { type: settings.type, key_last4: keyLast4, sealed: wrapKey(ring, Buffer.from(JSON.stringify(settings)), aad(merchantId)) };
}

/** The credentials, opened for the connector. KeyUnavailableError when the ring lost the key that sealed them. */
export function openProcessorSettings(ring: KeyRing, merchantId: string, stored: StoredProcessor | null): ProcessorSettings {
  if (!stored || stored.type === 'simulated' || !stored.sealed) return { type: 'simulated' };
  return JSON.parse(unwrapKey(ring, stored.sealed.wrapped, stored.sealed.key_version, aad(merchantId)).toString('utf8')) as ProcessorSettings;
}

export function processorAccountView(stored: StoredProcessor | null): ProcessorAccountView {
  if (!stored) return { type: 'simulated', configured: true };
  return { type: stored.type, configured: true, ...(stored.key_last4 ? { key_last4: stored.key_last4 } : {}) };
}
