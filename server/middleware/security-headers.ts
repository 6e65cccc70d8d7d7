// Headers every vault response carries; pages set their own stricter policy with a nonce.
import type { MiddlewareHandler } from 'hono';

export function securityHeaders(): MiddlewareHandler {
  // Set before the handler runs, so they go into the response as it is built (a page replaces the
  // policy with its own): touching a finished response would make Hono copy it.
  return async function securityHeaders(c, next) {
    c.header('X-Content-Type-Options', 'nosniff');
    // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on the vault's own
    // form posts and fetches, and the origin checks would refuse them.
    c.header('Referrer-Policy', 'same-origin');
    c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    c.header('Cache-Control', 'no-store');
    await next();
  };
}
