// Guards the endpoints only the fields' iframe may call: the request must come from the vault's own
// origin (so no merchant page can post card data here, and no CORS header is ever sent), name an
// embedding page on the merchant's allowed list, carry the session's client secret, and stay within
// the per-address and per-merchant limits that stop card testing.
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { HOST_ORIGIN_HEADER } from '../../protocol/api.ts';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { safeEqual, sha256 } from '../ids.ts';
import { limited } from './rate-limit.ts';

/** `cs_…_secret_…`: the session id, then the secret that proves the bearer may act on it. */
export function parseClientSecret(secret: string): string | undefined {
  const m = /^(cs_[A-Za-z0-9]+)_secret_[A-Za-z0-9_-]+$/.exec(secret);
  return m?.[1];
}

export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function frameAuth(): MiddlewareHandler<AppEnv> {
  return async function frameAuth(c, next) {
    const deps = c.get('deps');
    if (c.req.header('origin') !== deps.publicUrl) {
      throw new ApiError('origin_not_allowed', 'This endpoint accepts requests from the vault\'s own fields only');
    }
    const secret = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    const sessionId = parseClientSecret(secret);
    const session = sessionId
      ? await deps.db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst()
      : undefined;
    if (!session || !safeEqual(session.client_secret_hash, sha256(secret))) {
      throw new ApiError('resource_missing', 'No such session: check the client secret');
    }
    const merchant = await deps.merchants.byId(session.merchant_id);
    if (!merchant) throw new ApiError('resource_missing', 'No such session: check the client secret');
    const hostOrigin = c.req.header(HOST_ORIGIN_HEADER) ?? '';
    if (!merchant.allowed_origins.includes(hostOrigin)) {
      throw new ApiError('origin_not_allowed', 'The page that embeds the fields is not on the merchant\'s allowed origins');
    }
    const byAddress = deps.limiter.hit(`frame-addr:${merchant.id}:${clientAddress(c)}`, merchant.frame_limit_per_address, 60_000);
    if (!byAddress.ok) throw limited(byAddress.retryAfter);
    const byMerchant = deps.limiter.hit(`frame-merchant:${merchant.id}`, merchant.rate_limit, 1000);
    if (!byMerchant.ok) throw limited(byMerchant.retryAfter);
    c.set('merchant', merchant);
    c.set('session', session);
    c.set('hostOrigin', hostOrigin);
    await next();
  };
}
