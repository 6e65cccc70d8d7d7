// A NUL character anywhere in the path or the query is refused before any route sees it: PostgreSQL
// refuses NUL in text (where SQLite would take it), so without this the two databases would answer the
// same request differently, and the error could not say which parameter it came from.
import type { MiddlewareHandler } from 'hono';
import { ApiError, echoable } from '../errors.ts';

export function refuseNul(): MiddlewareHandler {
  return async function refuseNul(c, next) {
    if (/%00/.test(c.req.path) || c.req.path.includes('\0')) throw new ApiError('parameter_invalid', 'The path contains a NUL character');
    const url = c.req.url;
    // Cheap on every request: the query is parsed only when it may hold one.
    if (url.includes('%00') || url.includes('\0')) {
      for (const [name, value] of new URL(url).searchParams) {
        if (name.includes('\0')) throw new ApiError('parameter_invalid', "A query parameter's name contains a NUL character");
        if (value.includes('\0')) {
          const param = echoable(name);
          throw new ApiError('parameter_invalid', `${param} contains a NUL character`, { param });
        }
      }
    }
    await next();
  };
}
