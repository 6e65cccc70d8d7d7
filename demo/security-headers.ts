// The demo shop's response headers: a strict CSP that admits only the shop and the vault, and no caching.
import type { MiddlewareHandler } from 'hono';

export function securityHeaders(options: { vaultOrigin: string }): MiddlewareHandler {
  const { vaultOrigin } = options;
  return async function securityHeaders(c, next) {
    await next();
    // Scripts and frames only from the shop itself and the vault; the widget sizes its iframe with inline styles.
    c.header(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        `script-src 'self' ${vaultOrigin}`,
        `frame-src ${vaultOrigin}`,
        `connect-src 'self' ${vaultOrigin}`,
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    // Pages carry client secrets and customer data: no cache keeps them.
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
