// Small helpers that keep route definitions short: JSON bodies, error responses, the security scheme;
// and the router every resource's routes are declared on.
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { ZodType } from 'zod';
import { ErrorResponseSchema } from '../../protocol/api.ts';
import type { AppEnv } from '../context.ts';
import { ApiError, fromZodError } from '../errors.ts';

/** The contract's error body (component `Error`), for routes that describe an error response of their own. */
export const ErrorSchema = ErrorResponseSchema;

export const jsonContent = <T extends ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const jsonBody = <T extends ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

const error = (description: string) => jsonContent(ErrorSchema, description);

export const errors = {
  400: error('Invalid request'),
  401: error('Missing or wrong secret key'),
  402: error('A card error, or a charge the mandate or the limits do not allow'),
  403: error('Not allowed'),
  404: error('No such resource'),
  409: error('Idempotency conflict'),
  410: error('The session has expired or is complete'),
  429: error('Rate limited'),
} as const;

export const secured = [{ bearer: [] as string[] }];

type Target = 'query' | 'param' | 'json';

/** A request part's value as @hono/zod-validator reads it (a repeated query name becomes a list). */
function read(c: Context<AppEnv>, target: Target): unknown {
  if (target === 'param') return c.req.param();
  if (target === 'query') return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => (v.length === 1 ? [k, v[0]] : [k, v])));
  // jsonBody() (middleware/json-body.ts) has read and parsed it, an empty body as {}, whatever its Content-Type.
  const body = c.get('body');
  if (body === undefined) throw new ApiError('body_not_json', 'Send the body as JSON with Content-Type: application/json');
  return body;
}

/**
 * The route's request parts checked with their schemas, synchronously, in @hono/zod-openapi's order
 * (query, path, body), each failure the contract's 400. One plain middleware instead of the library's
 * awaited validator per part: under load that took a tenth of a cheap read's CPU.
 */
function validation(route: RouteConfig): MiddlewareHandler<AppEnv> | undefined {
  const request = route.request;
  const body = (request?.body?.content?.['application/json'] as { schema?: ZodType } | undefined)?.schema;
  const parts = [
    ['query', request?.query],
    ['param', request?.params],
    ['json', body],
  ].filter((part): part is [Target, ZodType] => part[1] !== undefined);
  if (Object.keys(request?.body?.content ?? {}).some((type) => type !== 'application/json') || request?.headers || request?.cookies) {
    throw new Error(`${route.method} ${route.path}: only query, path and JSON body parameters are validated`);
  }
  if (parts.length === 0) return undefined;
  return (c: Context<AppEnv>, next: Next) => {
    for (const [target, schema] of parts) {
      const value = read(c, target);
      const result = schema.safeParse(value);
      if (!result.success) throw fromZodError(result.error, value);
      c.req.addValidatedData(target, result.data as object);
    }
    return next();
  };
}

/** Every resource's routes are declared on one: its request parts validated by `validation`, failures the contract's 400. */
export class VaultRouter extends OpenAPIHono<AppEnv> {
  constructor() {
    super();
    const openapi: OpenAPIHono<AppEnv>['openapi'] = ({ middleware, hide, ...route }, handler, hook) => {
      if (hook) throw new Error(`${route.method} ${route.path}: a route's own validation hook is not supported; failures are the contract's 400`);
      if (!hide) this.openAPIRegistry.registerPath(route);
      const check = validation(route);
      const before = [...(middleware === undefined ? [] : Array.isArray(middleware) ? middleware : [middleware]), ...(check ? [check] : [])];
      this.on([route.method], [route.path.replaceAll(/\/{(.+?)}/g, '/:$1')], ...(before as MiddlewareHandler[]), handler as MiddlewareHandler);
      return this as never;
    };
    this.openapi = openapi as this['openapi'];
  }
}

export function router() {
  return new VaultRouter();
}
