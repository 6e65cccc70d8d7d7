// The merchant as GET /v1/merchant answers it, and the settings saved through POST /v1/merchant, for the
// settings and API keys pages.
import type { MerchantView } from '../../protocol/schemas/merchant.ts';
import { api, newKey } from '../api.ts';

/** GET /v1/merchant, with the expiry of a rolled secret key (null or absent when none is pending). */
export type Merchant = MerchantView & { previous_secret_key_expires_at?: string | null };

export const loadMerchant = (): Promise<Merchant> => api.get<Merchant>('/v1/merchant');

/**
 * Saves settings with one Idempotency-Key per change: the same body sent again (a retry after a lost
 * answer) reuses its key, so it is applied once; a different body is a new change.
 */
export function settingsSaver() {
  let last: { body: string; key: string } | undefined;
  return async (changes: Record<string, unknown>): Promise<Merchant> => {
    const body = JSON.stringify(changes);
    if (last?.body !== body) last = { body, key: newKey() };
    const saved = await api.post<Merchant>('/v1/merchant', changes, last.key);
    last = undefined;
    return saved;
  };
}
