// The official Stripe library's client for one merchant's account. The operator's base URL (an egress
// proxy, or a local server in tests) only replaces where requests go; Stripe's own /v1/... paths are
// kept, and the library itself is never patched.
import Stripe from 'stripe';

export interface StripeClientOptions {
  /** PROCESSOR_BASE_URLS' stripe entry, e.g. http://127.0.0.1:12111; its path, if any, is not used. */
  baseUrl?: string;
  /** PROCESSOR_TIMEOUT_MS: the library abandons a request that has not answered by then. */
  timeoutMs: number;
}

/** A live key's account, secret (sk_) or restricted (rk_): https://docs.stripe.com/keys */
export const isLiveKey = (secretKey: string): boolean => /^(sk|rk)_live_/.test(secretKey);

export function createStripeClient(secretKey: string, options: StripeClientOptions): Stripe {
  // No configured retries: an unanswered call is the vault's to settle, by asking again with the same
  // idempotency key or by lookup/cancel. (The library still retries a closed connection once by itself,
  // with the same Idempotency-Key, whatever maxNetworkRetries says: harmless, Stripe replays the answer.)
  const config: Stripe.StripeConfig = { timeout: options.timeoutMs, maxNetworkRetries: 0 };
  if (options.baseUrl) {
    const url = new URL(options.baseUrl);
    const protocol: Stripe.HttpProtocol = url.protocol === 'http:' ? 'http' : 'https';
    config.host = url.hostname;
    config.port = url.port || (protocol === 'http' ? 80 : 443);
    config.protocol = protocol;
  }
  return new Stripe(secretKey, config);
}

/**
 * Runs one call of the library without the call site it records. The library takes `new Error().stack`
 * at every request, to name the caller in its errors; under tsx, with source maps on, formatting that
 * stack was about 7% of the vault's time on a charge through this connector. The connector names its
 * failures itself (stripe-failures.ts), so the call is made with no stack frames to format. The stack is
 * taken synchronously, before the request's first await, so the limit is back before anything else runs.
 * Only the library's call goes inside: its parameters are built before, so the vault's own code keeps
 * its stack. A Stripe error's stack then ends in "Originating from: Error", with no frames after it.
 */
export function withoutCallSite<T>(call: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return call();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
