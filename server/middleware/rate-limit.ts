// Fixed-window request counters kept in memory: per merchant for secret keys, per address for the fields.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';

export class RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one request; answers how many seconds to wait when the window is full. */
  hit(key: string, limit: number, windowMs: number): { ok: true } | { ok: false; retryAfter: number } {
    if (limit <= 0) return { ok: true };
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (this.windows.size > 50_000) this.sweep(now);
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count <= limit ? { ok: true } : { ok: false, retryAfter: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
  }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}

export function limited(retryAfter: number, message = 'Too many requests: slow down and retry later'): ApiError {
  return new ApiError('rate_limited', message, { headers: { 'Retry-After': String(retryAfter) } });
}

/** The merchant's own `rate_limit`: secret-key requests a second, 0 for none. */
export function merchantRateLimit(): MiddlewareHandler<AppEnv> {
  return async function merchantRateLimit(c, next) {
    const merchant = c.get('merchant');
    const verdict = c.get('deps').limiter.hit(`sk:${merchant.id}`, merchant.rate_limit, 1000);
    if (!verdict.ok) throw limited(verdict.retryAfter);
    await next();
  };
}
