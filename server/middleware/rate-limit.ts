// Request counters in fixed windows (rate-limiter-flexible): in Redis when REDIS_URL is set, so that
// every vault instance counts together, otherwise in this instance's memory; and the limits they enforce.
import { Redis } from 'ioredis';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppEnv } from '../context.ts';
import { staffMerchant } from './staff-authority.ts';
import { ApiError } from '../errors.ts';

export type Verdict = { ok: true } | { ok: false; retryAfter: number };

// The library's own cap is never reached: each hit compares the count with the caller's limit, which
// differs per merchant and may change while a window runs.
const UNCAPPED = Number.MAX_SAFE_INTEGER;

export class RateLimits {
  private readonly counters = new Map<number, RateLimiterAbstract>();
  constructor(
    private readonly counter: (windowSec: number) => RateLimiterAbstract,
    private readonly onClose = async () => {},
  ) {}

  /** Counts one request against `key`; past `limit` in the window, says how many seconds to wait. 0 or Infinity: no limit. */
  async hit(key: string, limit: number, windowSec: number): Promise<Verdict> {
    if (!(limit > 0) || !Number.isFinite(limit)) return { ok: true };
    let counter = this.counters.get(windowSec);
    if (!counter) this.counters.set(windowSec, (counter = this.counter(windowSec)));
    const res = await counter.consume(key);
    return res.consumedPoints <= limit ? { ok: true } : { ok: false, retryAfter: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
  }

  /** A limiter of this store (Redis, or memory) for callers that need more than counting: a lockout's get, block and delete. */
  limiter(windowSec: number): RateLimiterAbstract {
    return this.counter(windowSec);
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

/** Counts in Redis under `prefix` when a URL is given; if Redis fails, in memory until it answers again. */
export async function createRateLimits(o: { redisUrl?: string; prefix?: string; logger: Logger }): Promise<RateLimits> {
  if (!o.redisUrl) return new RateLimits((duration) => new RateLimiterMemory({ points: UNCAPPED, duration }));
  const redis = new Redis(o.redisUrl, {
    lazyConnect: true,
    // A command fails at once while Redis is away, instead of queueing the request behind it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    connectTimeout: 2000,
  });
  let down = false;
  let closing = false;
  const lost = (err?: Error) => {
    if (down || closing) return;
    down = true;
    o.logger.warn(
      { err: err?.message ?? 'connection closed' },
      "Redis is unreachable: rate limits are counted in this instance's memory until it answers again",
    );
  };
  redis.on('error', lost);
  redis.on('close', () => lost());
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    o.logger.info('Redis answers again: rate limits are shared by every instance');
  });
  // Failing open would hand card testers the fields whenever Redis blips, failing closed would stop
  // every payment: a counter in this instance's memory keeps the limits, only not shared.
  let warnedAt = 0;
  const fellBack = () => {
    if (Date.now() - warnedAt < 60_000) return;
    warnedAt = Date.now();
    o.logger.warn("Redis did not answer a rate-limit count: counted in this instance's memory instead");
  };
  // A failed first connection is logged above; the vault serves meanwhile and Redis is retried.
  await redis.connect().catch(() => {});
  return new RateLimits(
    (duration) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${o.prefix ?? ''}rl${duration}`,
        points: UNCAPPED,
        duration,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new FallbackCounter(duration, fellBack),
      }),
    async () => {
      closing = true;
      redis.disconnect();
    },
  );
}

class FallbackCounter extends RateLimiterMemory {
  constructor(
    duration: number,
    private readonly onUse: () => void,
  ) {
    super({ points: UNCAPPED, duration });
  }

  override consume(...args: Parameters<RateLimiterMemory['consume']>) {
    this.onUse();
    return super.consume(...args);
  }
}

/** The operator's ceilings for the fields (requests a minute); Infinity lets merchants lift them. */
export interface FieldsCaps {
  maxPerAddress: number;
  maxPerMerchant: number;
}

export const DEFAULT_FIELDS_CAPS: FieldsCaps = { maxPerAddress: 300, maxPerMerchant: 6000 };

/**
 * What the fields of one merchant allow in a minute: its `frame_limit_per_address` held under the
 * operator's ceiling (0, "none", counts as the ceiling), and the operator's per-merchant quota.
 */
export function fieldsLimits(frameLimitPerAddress: number, caps: FieldsCaps): { perAddress: number; perMerchant: number } {
  const asked = frameLimitPerAddress > 0 ? frameLimitPerAddress : Infinity;
  // Two windows of one address can overlap one of the merchant's: held under half the merchant's
  // quota, one address never takes all of it.
  const share = Number.isFinite(caps.maxPerMerchant) ? Math.max(1, Math.floor((caps.maxPerMerchant - 1) / 2)) : Infinity;
  return { perAddress: Math.min(asked, caps.maxPerAddress, share), perMerchant: caps.maxPerMerchant };
}

export function limited(retryAfter: number, message = 'Too many requests: slow down and retry later'): ApiError {
  return new ApiError('rate_limited', message, { headers: { 'Retry-After': String(retryAfter) } });
}

/**
 * The merchant's own `rate_limit`: secret-key requests a second, 0 for none. The dashboard's calls for a
 * signed-in person are counted per person at its door instead (dashboard/api-session.ts): a viewer
 * browsing must not use up the quota the shop's own server lives on.
 */
export function merchantRateLimit(): MiddlewareHandler<AppEnv> {
  return async function merchantRateLimit(c, next) {
    if (staffMerchant(c)) return next();
    const merchant = c.get('merchant');
    const verdict = await c.get('deps').limiter.hit(`sk:${merchant.id}`, merchant.rate_limit, 1);
    if (!verdict.ok) throw limited(verdict.retryAfter);
    await next();
  };
}
