// The OpenAPI document as the vault answers it: the routes' own declarations, completed with what the
// shared middleware answers on every operation (the key check, the rate limit, body limits, the
// idempotency layer) and the headers those answers carry. Declared once here, so that no route can
// forget a status its middleware may send.
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_HOURS, IDEMPOTENT_REPLAYED_HEADER, IdempotencyKey } from '../protocol/schemas/common.ts';
import { KEY_REQUIRED } from './middleware/key-required.ts';

type Json = Record<string, any>;

const errorResponse = (description: string, headers?: Json): Json => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  ...(headers ? { headers } : {}),
});

const RETRY_AFTER = { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };

const HEADERS = {
  RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
  IdempotentReplayed: {
    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};

const { minLength, maxLength } = IdempotencyKey;
const IDEMPOTENCY_KEY = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  description:
    `A retry with the same key within ${IDEMPOTENCY_KEY_HOURS} hours gets the first answer instead of running again ` +
    `(${minLength}-${maxLength} characters)`,
  schema: { type: 'string', minLength, maxLength },
};

/** Statuses every operation of a family can answer, whatever its route says. */
const COMMON: Record<'v1' | 'frame', Record<string, Json>> = {
  v1: {
    400: errorResponse('Invalid request: a parameter, the JSON body, or the Idempotency-Key'),
    401: errorResponse('Missing or wrong secret key (invalid_api_key)'),
    403: errorResponse('A publishable key, or a live key on a vault not ready for live mode'),
    429: errorResponse("Over your merchant's rate limit (rate_limited)", RETRY_AFTER),
    500: errorResponse('An unexpected error; it has been logged'),
  },
  frame: {
    400: errorResponse('Invalid request'),
    404: errorResponse('No such session, or a wrong client secret (resource_missing)'),
    403: errorResponse(
      "Not from the vault's own page, for an origin the merchant has not allowed (origin_not_allowed), or a live session on a vault not ready for live mode",
    ),
    429: errorResponse('Too many requests from this address or for this merchant (rate_limited)', RETRY_AFTER),
    500: errorResponse('An unexpected error; it has been logged'),
  },
};

/** Statuses particular operations can answer beyond their family's, from what their handlers throw. */
const PARTICULAR: Record<string, Record<string, Json>> = {
  'post /v1/charges': {
    503: errorResponse('The saved card is encrypted under a key not in the vault (card_key_unavailable)'),
  },
  'post /v1/forward': {
    503: errorResponse('The saved card is encrypted under a key not in the vault (card_key_unavailable)'),
  },
  'post /v1/charges/{id}/refunds': {
    502: errorResponse('The processor could not be reached (processor_unavailable)'),
  },
  'post /frame/v1/confirm': {
    402: errorResponse('A decline or a card error (card_declined, incorrect_cvc, authentication_required…)'),
    409: errorResponse('A confirmation of this session is still running (request_in_progress)'),
    410: errorResponse('The session has expired or is complete (session_expired)'),
    502: errorResponse('The processor could not be reached (processor_unavailable)'),
    503: errorResponse('The saved card is encrypted under a key not in the vault (card_key_unavailable)'),
  },
  'post /frame/v1/cards/delete': {
    410: errorResponse('The session has expired or is complete (session_expired)'),
  },
};

/**
 * Completes the routes' document in place: operation statuses and headers from the middleware, the
 * Idempotency-Key parameter on every merchant POST, the components they use, the server and licence.
 */
export function completeDocument(doc: Json, publicUrl: string): Json {
  doc.servers = [{ url: publicUrl, description: 'This vault' }];
  doc.info.license = { name: 'MIT', identifier: 'MIT' };
  doc.components ??= {};
  doc.components.headers = { ...doc.components.headers, ...HEADERS };
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    const family = path.startsWith('/v1/') ? 'v1' : path.startsWith('/frame/v1/') ? 'frame' : undefined;
    for (const [method, op] of Object.entries<Json>(item)) {
      if (!family) continue;
      const responses: Json = (op.responses ??= {});
      const add = (more: Record<string, Json>) => {
        for (const [status, response] of Object.entries(more)) responses[status] ??= response;
      };
      add(COMMON[family]);
      add(PARTICULAR[`${method} ${path}`] ?? {});
      if (op.requestBody) add({ 413: errorResponse('The body is larger than 1 MB (body_too_large)') });
      if (family === 'v1' && method === 'post') {
        op.parameters ??= [];
        if (!op.parameters.some((p: Json) => p.in === 'header' && p.name === IDEMPOTENCY_KEY_HEADER)) op.parameters.push(IDEMPOTENCY_KEY);
        add({ 409: errorResponse('The Idempotency-Key came with another body, or its first request is still running', RETRY_AFTER) });
        for (const [status, response] of Object.entries<Json>(responses)) {
          if (status.startsWith('2'))
            responses[status] = {
              ...response,
              headers: { ...response.headers, [IDEMPOTENT_REPLAYED_HEADER]: { $ref: '#/components/headers/IdempotentReplayed' } },
            };
        }
        if ((KEY_REQUIRED as readonly string[]).includes(path)) {
          responses[400] = errorResponse('Invalid request, or no Idempotency-Key (parameter_missing): this operation requires one');
        }
      }
      // A route's own 429, or on /v1 its 409 (the idempotency layer's), carries the header the middleware sends with it.
      for (const status of family === 'v1' ? ['409', '429'] : ['429']) {
        if (responses[status]) responses[status] = { ...responses[status], headers: { ...responses[status].headers, ...RETRY_AFTER } };
      }
    }
  }
  return doc;
}
