// Headers every vault response carries; pages set their own stricter policy with a nonce.
import type { MiddlewareHandler } from 'hono';

export function securityHeaders(): MiddlewareHandler {
  // Set before the handler runs, so they go into the response as it is built (a page replaces the
  // policy with its own): touching a finished response would make Hono copy it.
  return async function securityHeaders(c, next) {
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    c.header('Cache-Control', 'no-store');
    await next();
  };
}
