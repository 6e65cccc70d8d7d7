// One structured log line per request: method, path (never the query), status and duration.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';

export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = performance.now();
    await next();
    const { logger } = c.get('deps');
    // Nothing is built for a line the level drops (the benchmark runs at warn).
    if (!logger.isLevelEnabled('info')) return;
    logger.info({ method: c.req.method, path: decodedPath(c.req.path), status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  };
}

/**
 * The path as the scrubber must see it: `4242%2C4242%2C…` would otherwise reach the log with letters
 * breaking its digit run (Hono decodes paths with decodeURI, which leaves %2C, %2F, %3A… encoded).
 */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path.replace(/%[0-9A-Fa-f]{2}/g, '_');
  }
}
