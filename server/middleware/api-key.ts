// Authenticates a secret key: Authorization: Bearer sk_test_… or sk_live_…; a publishable key is refused
// as such, and a live key only passes the live gate on a vault ready for real cards. The key before a
// roll works until the time the merchant gave it, then is refused like any wrong key.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { findByPublishableKey } from '../merchants/merchant-store.ts';
import { requireLiveReady } from './live-gate.ts';
import { staffMerchant } from './staff-authority.ts';
import { requestHeader } from './request-header.ts';

export function apiKey(): MiddlewareHandler<AppEnv> {
  return async function apiKey(c, next) {
    // The dashboard, in process, for a signed-in staff user (server/dashboard/v1-proxy.ts).
    const acting = staffMerchant(c);
    if (acting) {
      requireLiveReady(c.get('deps').live, acting);
      c.set('merchant', acting);
      return next();
    }
    const header = requestHeader(c, 'authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError('invalid_api_key', 'Provide your secret key as Authorization: Bearer sk_test_… (or sk_live_…)');
    const key = match[1];
    const { db, merchants, clock } = c.get('deps');
    if (key.startsWith('pk_') && (await findByPublishableKey(db, key))) {
      throw new ApiError('secret_key_required', 'This request needs your secret key; a publishable key may only be used in a browser');
    }
    const holder = key.startsWith('sk_') ? await merchants.bySecretKey(key, clock()) : undefined;
    if (!holder) throw new ApiError('invalid_api_key', 'Invalid API key');
    requireLiveReady(c.get('deps').live, holder.merchant);
    c.set('merchant', holder.merchant);
    c.set('previousKey', holder.until !== null);
    c.set('secretKey', key);
    await next();
  };
}
