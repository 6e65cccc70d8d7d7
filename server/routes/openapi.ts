// Small helpers that keep route definitions short: JSON bodies, error responses, the security scheme.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import { ErrorResponseSchema } from '../../protocol/api.ts';
import type { AppEnv } from '../context.ts';
import { fromZodError } from '../errors.ts';

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

/** Every router is built the same way: validation failures become the contract's 400. */
export function router() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, _c) => {
      if (!result.success) throw fromZodError(result.error, (result as { data?: unknown }).data);
    },
  });
}
