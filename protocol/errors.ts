// The error shape of the contract and the catalogue of every code, shared by server, iframe and widget.

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'card_error'
  | 'permission_error'
  | 'idempotency_error'
  | 'rate_limit_error'
  | 'api_error';

/** Every error code the vault answers with, its type and HTTP status. */
export const ERROR_CODES = {
  /** A required parameter is absent. */
  parameter_missing: { type: 'invalid_request_error', status: 400 },
  /** A parameter has the wrong type or value. */
  parameter_invalid: { type: 'invalid_request_error', status: 400 },
  /** The body carries a parameter the endpoint does not know. */
  parameter_unknown: { type: 'invalid_request_error', status: 400 },
  /** The body is not valid JSON. */
  body_not_json: { type: 'invalid_request_error', status: 400 },
  /** The body is larger than 1 MB. */
  body_too_large: { type: 'invalid_request_error', status: 413 },
  /** The id names nothing this merchant group can see. */
  resource_missing: { type: 'invalid_request_error', status: 404 },
  /** The session is past `expires_at` or already complete. */
  session_expired: { type: 'invalid_request_error', status: 410 },
  /** The secret key is missing or wrong. */
  invalid_api_key: { type: 'authentication_error', status: 401 },
  /** The request came from an origin that may not make it. */
  origin_not_allowed: { type: 'permission_error', status: 403 },
  /** The customer has refused to have cards saved, or the key may not do this. */
  customer_denied: { type: 'permission_error', status: 403 },
  /** A publishable key was used where a secret key is needed. */
  secret_key_required: { type: 'permission_error', status: 403 },
  /** The issuer declined; `decline_code` says why. */
  card_declined: { type: 'card_error', status: 402 },
  insufficient_funds: { type: 'card_error', status: 402 },
  incorrect_cvc: { type: 'card_error', status: 402 },
  expired_card: { type: 'card_error', status: 402 },
  /** The payment needs 3-D Secure authentication that did not happen or failed. */
  authentication_required: { type: 'card_error', status: 402 },
  /** No live mandate covers this merchant-initiated charge. */
  mandate_violation: { type: 'card_error', status: 402 },
  /** The charge would take the customer over a daily or weekly limit. */
  limit_exceeded: { type: 'card_error', status: 402 },
  /** The number has a bad length or fails the Luhn check. */
  invalid_number: { type: 'card_error', status: 400 },
  invalid_expiry_month: { type: 'card_error', status: 400 },
  invalid_expiry_year: { type: 'card_error', status: 400 },
  invalid_cvc: { type: 'card_error', status: 400 },
  /** The same Idempotency-Key came with a different body. */
  idempotency_key_reused: { type: 'idempotency_error', status: 409 },
  /** A request with this Idempotency-Key is still running. */
  request_in_progress: { type: 'idempotency_error', status: 409 },
  /** Too many requests; see `Retry-After`. */
  rate_limited: { type: 'rate_limit_error', status: 429 },
  /** The processor could not be reached or failed. */
  processor_unavailable: { type: 'api_error', status: 502 },
  /**
   * The saved card is encrypted under a key version that is not in the vault's key ring (the operator
   * removed it before rotating): the card cannot be used until the key is put back; other cards can.
   */
  card_key_unavailable: { type: 'api_error', status: 503 },
  /**
   * A live-mode request on a vault that cannot carry real cards yet (PUBLIC_URL not https, keys not in
   * VAULT_KEYS) or a live merchant without a real processor: the message names what is missing.
   */
  live_mode_unavailable: { type: 'permission_error', status: 403 },
  /** A forwarded request's destination did not answer within PROCESSOR_TIMEOUT_MS. */
  forward_timeout: { type: 'api_error', status: 504 },
  /** Something unexpected went wrong inside the vault. */
  internal: { type: 'api_error', status: 500 },
} as const satisfies Record<string, { type: ErrorType; status: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

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
