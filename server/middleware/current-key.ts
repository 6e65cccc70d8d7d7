// The account's own changes need the current secret key. The key from before a roll keeps working
// through its grace period so that the merchant's servers can change over, but a key is rolled because
// it may have leaked: with it an attacker could roll again with 0 hours (stopping the merchant's new key
// and keeping the only one that works), or point webhooks or payments elsewhere. It may still do what a
// server does day to day: sessions, charges, refunds, customers, cards, reads.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';

/** POST operations that change the account itself, by their path. */
export const CURRENT_KEY_ONLY = ['/v1/merchant', '/v1/merchant/roll_secret_key', '/v1/webhooks/rotate_secret'] as const;

export function currentKeyOnly(): MiddlewareHandler<AppEnv> {
  return async function currentKeyOnly(c, next) {
    if (c.get('previousKey') && c.req.method === 'POST' && (CURRENT_KEY_ONLY as readonly string[]).includes(c.req.path)) {
      throw new ApiError('current_key_required', 'This key was rolled: change the account with the current secret key');
    }
    await next();
  };
}
