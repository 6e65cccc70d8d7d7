// The error body of every failed response as OpenAPI publishes it (component `Error`). Its fields are
// the ones server/errors.ts writes, typed by ApiErrorBody; the compiler checks the two agree.
import { z } from '@hono/zod-openapi';
import type { ApiErrorBody } from '../errors.ts';

// Type and code stay plain strings in the document: ERROR_CODES (protocol/errors.ts) is their catalogue.
export const ApiErrorBodySchema = z.object({
  type: z.string(),
  code: z.string(),
  message: z.string(),
  param: z.string().optional(),
  decline_code: z.string().optional(),
  processor_response: z.object({ code: z.string(), message: z.string() }).optional(),
  charge: z.string().optional(),
});

/** `{ error: ApiErrorBody }`, named `Error` in /openapi.json. */
export const ErrorResponseSchema = z.object({ error: ApiErrorBodySchema }).openapi('Error');

type Assert<T extends true> = T;
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
// Every field the server may write is described, none more, and every body it writes fits the schema.
export type ErrorSchemaMatchesBody =
  | Assert<SameKeys<ApiErrorBody, z.output<typeof ApiErrorBodySchema>>>
  | Assert<ApiErrorBody extends z.output<typeof ApiErrorBodySchema> ? true : false>;
