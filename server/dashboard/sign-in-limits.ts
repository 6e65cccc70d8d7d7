// Sign-in limits: an email is locked for 15 minutes after 5 wrong passwords, and one address may try
// only so many times across all accounts. Counted by email whether or not an account has it, so that
// a lockout says nothing about who exists; in Redis when REDIS_URL is set (every instance counts
// together), else in memory, through the vault's own rate-limit wiring (server/middleware/rate-limit.ts).
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { sha256 } from '../ids.ts';
import type { RateLimits, Verdict } from '../middleware/rate-limit.ts';
import { normalEmail } from '../staff/staff-store.ts';

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

/** Seconds until the email may try again; 0 when it is not locked. */
export async function lockedFor(limits: RateLimits, email: string): Promise<number> {
  const res = await failures(limits).get(failureKey(email));
  return res && res.consumedPoints >= LOCK_AFTER_FAILURES ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
}

/**
 * Counts a wrong password: `lockSeconds` when the email is now locked (0 when not), and `newly` when
 * this failure is the one that locked it (the audit log records it once).
 */
export async function countFailure(limits: RateLimits, email: string): Promise<{ lockSeconds: number; newly: boolean }> {
  const counter = failures(limits);
  const key = failureKey(email);
  let res: RateLimiterRes;
  try {
    res = await counter.consume(key);
  } catch {
    // Blocked meanwhile by a concurrent attempt.
    return { lockSeconds: LOCK_SECONDS, newly: false };
  }
  if (res.consumedPoints < LOCK_AFTER_FAILURES) return { lockSeconds: 0, newly: false };
  // A fresh 15 minutes from the failure that locks, not the rest of the window the first one opened.
  await counter.block(key, LOCK_SECONDS);
  return { lockSeconds: LOCK_SECONDS, newly: res.consumedPoints === LOCK_AFTER_FAILURES };
}

/** A right password forgets the wrong ones before it. */
export async function clearFailures(limits: RateLimits, email: string): Promise<void> {
  await failures(limits).delete(failureKey(email));
}

export function countAddressAttempt(limits: RateLimits, address: string): Promise<Verdict> {
  return limits.hit(`staff-sign-in-address:${address}`, ADDRESS_ATTEMPTS, ADDRESS_WINDOW_SECONDS);
}
