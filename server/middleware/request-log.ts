// One structured log line per request: method, path (never the query), status and duration.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';

export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = performance.now();
    await next();
    c.get('deps').logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  };
}
