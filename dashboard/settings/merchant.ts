// The merchant as GET /v1/merchant answers it, and the settings saved through POST /v1/merchant, for the
// settings and API keys pages.
import type { MerchantView } from '../../protocol/types.ts';
import { api, newKey } from '../api.ts';

/** GET /v1/merchant: the merchant and its settings, with the expiry of a rolled secret key (null when none is pending). */
export type Merchant = MerchantView;

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
