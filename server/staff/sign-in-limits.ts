// Sign-in limits: an email is locked for 15 minutes after 5 wrong passwords, and one address may try
// only so many times across all accounts. Counted by email whether or not an account has it, so that
// a lockout says nothing about who exists; in Redis when REDIS_URL is set (every instance counts
// together), else in memory, through the vault's own rate-limit wiring (server/middleware/rate-limit.ts).
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { sha256 } from '../ids.ts';
import type { RateLimits, Verdict } from '../middleware/rate-limit.ts';
import { normalEmail } from './staff-store.ts';

export const LOCK_AFTER_FAILURES = 5;
export const LOCK_SECONDS = 15 * 60;
/** Attempts from one address in ADDRESS_WINDOW_SECONDS, all emails together: an office behind one NAT fits. */
export const ADDRESS_ATTEMPTS = 30;
export const ADDRESS_WINDOW_SECONDS = 15 * 60;

// A lockout needs the store's get, block and delete, not only counting: the failures are kept in a
// limiter of the same store (Redis with the memory fallback, or memory), one per RateLimits.
const failureCounters = new WeakMap<RateLimits, RateLimiterAbstract>();
function failures(limits: RateLimits): RateLimiterAbstract {
  let counter = failureCounters.get(limits);
  if (!counter) {
    counter = limits.limiter(LOCK_SECONDS);
    failureCounters.set(limits, counter);
  }
  return counter;
}

// The email's hash: the store holds no address.
const failureKey = (email: string) => `staff-sign-in:${sha256(normalEmail(email))}`;

export type Attempt = { refused: true; retryAfter: number } | { refused: false; number: number };

/**
 * Counts an attempt before its password is weighed: guesses sent all at once are numbered as they
 * arrive, and only the first five are checked, so a burst cannot try more than one at a time would.
 * Refused (with the seconds to wait) when the email is locked or five attempts are already counted.
 */
export async function startAttempt(limits: RateLimits, email: string): Promise<Attempt> {
  const counter = failures(limits);
  try {
    const res = await counter.consume(failureKey(email));
    if (res.consumedPoints > LOCK_AFTER_FAILURES) return { refused: true, retryAfter: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    return { refused: false, number: res.consumedPoints };
  } catch (blocked) {
    // Blocked: the email is locked.
    const ms = (blocked as RateLimiterRes | undefined)?.msBeforeNext;
    return { refused: true, retryAfter: typeof ms === 'number' ? Math.max(1, Math.ceil(ms / 1000)) : LOCK_SECONDS };
  }
}

/**
 * After a wrong password: the attempt stays counted, and the fifth locks the email for a fresh 15
 * minutes (`newly` for that one, which the audit log records).
 */
export async function failedAttempt(limits: RateLimits, email: string, attempt: number): Promise<{ lockSeconds: number; newly: boolean }> {
  if (attempt < LOCK_AFTER_FAILURES) return { lockSeconds: 0, newly: false };
  await failures(limits).block(failureKey(email), LOCK_SECONDS);
  return { lockSeconds: LOCK_SECONDS, newly: attempt === LOCK_AFTER_FAILURES };
}

/** A right password forgets the attempts before it. */
export async function clearFailures(limits: RateLimits, email: string): Promise<void> {
  await failures(limits).delete(failureKey(email));
}

export function countAddressAttempt(limits: RateLimits, address: string): Promise<Verdict> {
  return limits.hit(`staff-sign-in-address:${address}`, ADDRESS_ATTEMPTS, ADDRESS_WINDOW_SECONDS);
}
