// The account's own changes need the current secret key. The key from before a roll keeps working
// through its grace period so that the merchant's servers can change over, but a key is rolled because
// it may have leaked: with it an attacker could roll again with 0 hours (stopping the merchant's new key
// and keeping the only one that works), or point webhooks or payments elsewhere. It may still do what a
// server does day to day: sessions, charges, refunds, customers, cards, reads.
//
// This check is the early one, made on the merchant as this instance's cache last read it (up to a second
// old). The change itself asks again in the statement that writes it (merchant-store.ts, currentKey), with
// the key that ownerKey() gives the handler: a roll made meanwhile on another instance, or by a request
// that overlaps this one, then stops it too.
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { currentKeyRequired } from '../merchants/merchant-store.ts';
import { staffMerchant } from './staff-authority.ts';

/** POST operations that change the account itself, by their path. */
export const CURRENT_KEY_ONLY = ['/v1/merchant', '/v1/merchant/roll_secret_key', '/v1/webhooks/rotate_secret'] as const;

export function currentKeyOnly(): MiddlewareHandler<AppEnv> {
  return async function currentKeyOnly(c, next) {
    if (c.get('previousKey') && c.req.method === 'POST' && (CURRENT_KEY_ONLY as readonly string[]).includes(c.req.path)) {
      throw currentKeyRequired();
    }
    await next();
  };
}

/**
 * The secret key that authenticated this request, for the store to require as still current when it
 * writes; undefined for a signed-in staff user of the dashboard, who acts without one.
 */
export function ownerKey(c: Context<AppEnv>): string | undefined {
  if (staffMerchant(c)) return undefined;
  const key = c.get('secretKey');
  // Never undefined for a keyed request: that would drop the check.
  if (!key) throw new ApiError('invalid_api_key', 'Invalid API key');
  return key;
}
