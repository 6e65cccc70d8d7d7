// Guards the endpoints only the fields' iframe may call: the request must come from the vault's own
// origin (so no merchant page can post card data here, and no CORS header is ever sent), name an
// embedding page on the merchant's allowed list, carry the session's client secret, and stay within
// the per-address and per-merchant limits that stop card testing.
import type { Context, MiddlewareHandler } from 'hono';
import { HOST_ORIGIN_HEADER } from '../../protocol/api.ts';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { safeEqual, sha256 } from '../ids.ts';
import { mayEmbed } from '../merchants/merchant-origins.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { findSession } from '../sessions/session-store.ts';
import { clientAddress } from './client-address.ts';
import { requireLiveReady } from './live-gate.ts';
import { fieldsLimits, limited, type Verdict } from './rate-limit.ts';
import { requestHeader } from './request-header.ts';

/** `cs_…_secret_…`: the session id, then the secret that proves the bearer may act on it. */
export function parseClientSecret(secret: string): string | undefined {
  const m = /^(cs_[A-Za-z0-9]+)_secret_[A-Za-z0-9_-]+$/.exec(secret);
  return m?.[1];
}

/**
 * Counts one fields request of this client address to this merchant, then, only if the address is
 * within its own limit, against the merchant's quota: a limited address spends no more of it.
 */
export async function checkFieldsLimits(c: Context<AppEnv>, merchant: Pick<Merchant, 'id' | 'frame_limit_per_address'>): Promise<Verdict> {
  const deps = c.get('deps');
  const { perAddress, perMerchant } = fieldsLimits(merchant.frame_limit_per_address, deps.fieldsCaps);
  const byAddress = await deps.limiter.hit(`frame-addr:${merchant.id}:${clientAddress(c, deps.trustProxy)}`, perAddress, 60);
  if (!byAddress.ok) return byAddress;
  return deps.limiter.hit(`frame-merchant:${merchant.id}`, perMerchant, 60);
}

export function frameAuth(): MiddlewareHandler<AppEnv> {
  return async function frameAuth(c, next) {
    const deps = c.get('deps');
    if (requestHeader(c, 'origin') !== deps.publicUrl) {
      throw new ApiError('origin_not_allowed', "This endpoint accepts requests from the vault's own fields only");
    }
    const secret = /^Bearer\s+(\S+)$/i.exec(requestHeader(c, 'authorization') ?? '')?.[1] ?? '';
    const sessionId = parseClientSecret(secret);
    const session = sessionId ? await findSession(deps.db, sessionId) : undefined;
    if (!session || !safeEqual(session.client_secret_hash, sha256(secret))) {
      throw new ApiError('resource_missing', 'No such session: check the client secret');
    }
    const merchant = await deps.merchants.byId(session.merchant_id);
    if (!merchant) throw new ApiError('resource_missing', 'No such session: check the client secret');
    // A live session's card data may not travel over a vault that cannot carry real cards.
    requireLiveReady(deps.live, merchant);
    const hostOrigin = requestHeader(c, HOST_ORIGIN_HEADER) ?? '';
    if (!mayEmbed(merchant, hostOrigin)) {
      throw new ApiError('origin_not_allowed', "The page that embeds the fields is not on the merchant's allowed origins");
    }
    const verdict = await checkFieldsLimits(c, merchant);
    if (!verdict.ok) throw limited(verdict.retryAfter);
    c.set('merchant', merchant);
    c.set('session', session);
    c.set('hostOrigin', hostOrigin);
    await next();
  };
}
