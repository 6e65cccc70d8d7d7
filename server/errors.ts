// One error type for the whole server, answered in the contract's shape by one onError handler.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { PAN_RUN_SOURCE } from '../protocol/cards.ts';
import { ERROR_CODES, type ApiErrorBody, type ErrorCode } from '../protocol/errors.ts';

export interface ApiErrorExtra {
  param?: string;
  decline_code?: string;
  charge?: string;
  processor_response?: { code: string; message: string };
  headers?: Record<string, string>;
}

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: ApiErrorExtra = {},
  ) {
    super(message);
    this.status = ERROR_CODES[code].status as ContentfulStatusCode;
  }

  body(): { error: ApiErrorBody } {
    const { param, decline_code, charge, processor_response } = this.extra;
    return { error: { type: ERROR_CODES[this.code].type, code: this.code, message: this.message, param, decline_code, charge, processor_response } };
  }
}

export const notFound = (what: string, param?: string) => new ApiError('resource_missing', `No such ${what}`, { param });

export function errorResponse(c: Context, err: ApiError): Response {
  for (const [k, v] of Object.entries(err.extra.headers ?? {})) c.header(k, v);
  return c.json(err.body(), err.status);
}

/** Twelve or more digits with single separators of any kind between them: what the logger redacts. */
const PAN_RUN = new RegExp(PAN_RUN_SOURCE);
const PAN_RUNS = new RegExp(PAN_RUN_SOURCE, 'g');

/**
 * A key of the caller's (an unknown parameter, a record's key such as a header name) as the answer may
 * name it: never one that could hold a card number, in any spelling. An error is stored with an
 * Idempotency-Key, so an echo would also be a card number in the database.
 */
export const echoable = (key: string) => (PAN_RUN.test(key) ? '[redacted]' : key);

/** Turns a zod failure into the contract's 400: missing, unknown or invalid, naming the parameter. */
export function fromZodError(error: ZodError, input: unknown, where = ''): ApiError {
  const issue = error.issues[0];
  const path = [where, ...issue.path.map((p) => echoable(String(p)))].filter(Boolean).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = [...issue.path.map((p) => echoable(String(p))), echoable(issue.keys[0])].join('.');
    return new ApiError('parameter_unknown', `Received unknown parameter: ${key}`, { param: key });
  }
  let value: unknown = input;
  for (const p of issue.path) value = value == null ? undefined : (value as any)[p as any];
  if (value === undefined && issue.code === 'invalid_type') {
    return new ApiError('parameter_missing', `Missing required parameter: ${path}`, { param: path || undefined });
  }
  const said = issue.message.replace(PAN_RUNS, '[redacted]');
  const message = said.startsWith('Invalid') ? `${path || 'body'}: ${said}` : said;
  return new ApiError('parameter_invalid', message, { param: path || undefined });
}
