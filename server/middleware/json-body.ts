// Reads a JSON body once, with the contract's errors for bodies that are too large or not JSON.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';

const MAX_BYTES = 1024 * 1024;

const limit = bodyLimit({
  maxSize: MAX_BYTES,
  onError: () => {
    throw new ApiError('body_too_large', 'The request body is larger than 1 MB');
  },
});

export function jsonBody(): MiddlewareHandler<AppEnv> {
  return async function jsonBody(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return limit(c, async () => {
      const text = await c.req.text();
      // An empty body means no parameters, whatever its Content-Type says.
      if (text.trim() === '') {
        c.req.bodyCache.json = Promise.resolve({});
        return next();
      }
      const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (!/^application\/([\w.-]+\+)?json$/.test(type)) {
        throw new ApiError('body_not_json', 'Send the body as JSON with Content-Type: application/json');
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError('body_not_json', 'The request body is not valid JSON');
      }
      // Refused on both databases alike (PostgreSQL cannot store it, SQLite would).
      if (text.includes('\\u0000')) throw new ApiError('parameter_invalid', 'A parameter contains a NUL character');
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ApiError('body_not_json', 'The request body must be a JSON object');
      }
      await next();
    });
  };
}
