// The error shape of the contract and the catalogue of every code, shared by server, iframe and widget.

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'card_error'
  | 'permission_error'
  | 'idempotency_error'
  | 'rate_limit_error'
  | 'api_error';

/**
 * Every error code the vault answers with: its type, its HTTP status, and what it means to the merchant's
 * developer (docs/api.md prints this catalogue: `npm run docs:contract`).
 */
export const ERROR_CODES = {
  parameter_missing: { type: 'invalid_request_error', status: 400, meaning: 'A required parameter is absent; `param` names it.' },
  parameter_invalid: {
    type: 'invalid_request_error',
    status: 400,
    meaning: 'A parameter has the wrong type or value, or holds a card number where the vault would echo it; `param` names it.',
  },
  parameter_unknown: { type: 'invalid_request_error', status: 400, meaning: 'The body carries a parameter the endpoint does not know.' },
  body_not_json: { type: 'invalid_request_error', status: 400, meaning: 'The body is not valid JSON.' },
  body_too_large: { type: 'invalid_request_error', status: 413, meaning: 'The body is larger than 1 MB.' },
  resource_missing: {
    type: 'invalid_request_error',
    status: 404,
    meaning: 'The id names nothing this merchant can see (another merchant group, or the other mode, answers the same).',
  },
  session_expired: { type: 'invalid_request_error', status: 410, meaning: 'The session is past `expires_at` or already complete.' },
  invalid_api_key: { type: 'authentication_error', status: 401, meaning: 'The key is missing or wrong.' },
  origin_not_allowed: {
    type: 'permission_error',
    status: 403,
    meaning: "The fields' endpoints were called from somewhere other than the vault's own page, or for a page not on the allowed origins.",
  },
  customer_denied: {
    type: 'permission_error',
    status: 403,
    meaning: 'The customer has refused saved cards (`status: deny`): none is saved, imported or charged.',
  },
  secret_key_required: { type: 'permission_error', status: 403, meaning: 'A publishable key was used where a secret key is needed.' },
  current_key_required: {
    type: 'permission_error',
    status: 403,
    meaning:
      'A change to the account (its settings, its secret key, its webhook secret) made with the key from before the last roll: only the current key may.',
  },
  staff_session_required: {
    type: 'authentication_error',
    status: 401,
    meaning: 'A dashboard request without a live staff session (signed out, or idle for 30 minutes): sign in again.',
  },
  csrf_token_invalid: {
    type: 'permission_error',
    status: 403,
    meaning: "A dashboard change without its session's `X-CSRF-Token`, or sent from another site.",
  },
  staff_role_forbidden: { type: 'permission_error', status: 403, meaning: 'A dashboard change by a `viewer`: only an `admin` changes anything.' },
  card_declined: { type: 'card_error', status: 402, meaning: 'The issuer declined; `decline_code` says why.' },
  insufficient_funds: { type: 'card_error', status: 402, meaning: 'The issuer declined for want of funds.' },
  incorrect_cvc: { type: 'card_error', status: 402, meaning: 'The issuer declined the CVC; a one-click payment may be retried with another.' },
  expired_card: { type: 'card_error', status: 402, meaning: 'The card has expired.' },
  authentication_required: { type: 'card_error', status: 402, meaning: 'The payment needs 3-D Secure authentication that did not happen or failed.' },
  mandate_violation: {
    type: 'card_error',
    status: 402,
    meaning: 'No live mandate covers this merchant-initiated charge (amount, currency, frequency, end date), or the card cannot take one.',
  },
  limit_exceeded: { type: 'card_error', status: 402, meaning: 'The charge would take the customer over a daily or weekly limit.' },
  invalid_number: { type: 'card_error', status: 400, meaning: 'The number has a bad length or fails the Luhn check.' },
  invalid_expiry_month: { type: 'card_error', status: 400, meaning: 'The expiry month is not 1 to 12.' },
  invalid_expiry_year: { type: 'card_error', status: 400, meaning: 'The expiry date has passed or is too far ahead.' },
  invalid_cvc: { type: 'card_error', status: 400, meaning: "The CVC has the wrong number of digits for the card's brand." },
  idempotency_key_reused: { type: 'idempotency_error', status: 409, meaning: 'The same Idempotency-Key came with a different body.' },
  request_in_progress: {
    type: 'idempotency_error',
    status: 409,
    meaning: 'A request with this Idempotency-Key, or a charge of the same customer, is still running; retry after `Retry-After`.',
  },
  rate_limited: { type: 'rate_limit_error', status: 429, meaning: 'Too many requests; retry after `Retry-After`.' },
  processor_unavailable: { type: 'api_error', status: 502, meaning: 'The processor could not be reached or failed.' },
  card_key_unavailable: {
    type: 'api_error',
    status: 503,
    meaning: "The saved card is encrypted under a key the operator removed from the vault's key ring: unusable until the key is back; other cards serve.",
  },
  live_mode_unavailable: {
    type: 'permission_error',
    status: 403,
    meaning:
      'A live-mode request on a vault not ready for real cards (`PUBLIC_URL` not https, keys not in `VAULT_KEYS`), ' +
      'or for a live merchant without a real processor; the message names what is missing.',
  },
  forward_timeout: { type: 'api_error', status: 504, meaning: "A forwarded request's destination did not answer within `PROCESSOR_TIMEOUT_MS`." },
  internal: { type: 'api_error', status: 500, meaning: 'Something unexpected went wrong inside the vault; it has been logged.' },
} as const satisfies Record<string, { type: ErrorType; status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The `decline_code` of a test-mode shop's refusal of a card that is not a test card (the fields explain it). */
export const TEST_MODE_LIVE_CARD = 'test_mode_live_card';

/** The error object of every failed response: `{ error: ApiErrorBody }`. */
export interface ApiErrorBody {
  type: ErrorType;
  code: ErrorCode;
  message: string;
  param?: string;
  decline_code?: string;
  /** The recorded charge, for a declined charge. */
  charge?: string;
  /** What a real provider itself answered to a decline (its own code and message). */
  processor_response?: { code: string; message: string };
}

export interface ErrorResponse {
  error: ApiErrorBody;
}

/** The error body as a client reads it off the wire: type and code are checked to be strings, not to be in this build's catalogue. */
export type ReceivedErrorBody = Omit<ApiErrorBody, 'type' | 'code'> & { type: string; code: string };
