// The live gate: whether this vault may carry real cards, decided in one place. A live merchant's
// requests (its secret key on /v1, its sessions on the fields' endpoints) are refused with 403
// live_mode_unavailable until the operator has put the vault on https and given the key ring in
// VAULT_KEYS: a generated key file sits next to the data and is easily copied or lost with it.
// Test mode is never gated, so a developer's laptop keeps working on http with a key file.
import type { Deps } from '../context.ts';
import { ApiError } from '../errors.ts';

/** What the operator still has to do before live mode works, each in words that say how. */
export function liveModeMissing(live: Deps['live']): string[] {
  const missing: string[] = [];
  if (!live.https) missing.push('PUBLIC_URL must be https');
  if (!live.vaultKeys) missing.push('the key ring must come from VAULT_KEYS, not a generated key file');
  return missing;
}

/** Throws 403 live_mode_unavailable, naming every missing piece, for a live merchant on a vault not ready for it. */
export function requireLiveReady(live: Deps['live'], merchant: { livemode: boolean }): void {
  if (!merchant.livemode) return;
  const missing = liveModeMissing(live);
  if (missing.length > 0) {
    throw new ApiError(
      'live_mode_unavailable',
      `Live mode is not available on this vault yet: ${missing.join('; ')}. Ask the vault's operator; test keys keep working meanwhile.`,
    );
  }
}
