// card-vault/server: the vault's HTTP API for the merchant's server, typed from the vault's own OpenAPI
// document (sdk/generated/vault-api.ts) and called through openapi-fetch. On top of it:
// - every POST carries an Idempotency-Key (a fresh one unless the caller gives its own), and the
//   client's own retries send the same key, so a retry never runs an operation twice;
// - 429 and 5xx answers, and requests that never got an answer, are retried after `Retry-After`, or
//   else after a growing, jittered pause;
// - an answer that is not 2xx throws one error class, VaultError, carrying the contract's fields.
import crypto from 'node:crypto';
import createClient, { type FetchResponse, type MaybeOptionalInit, type Middleware } from 'openapi-fetch';
import type { HttpMethod, MediaType, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import type { components, paths } from './generated/vault-api.ts';

export type { paths } from './generated/vault-api.ts';

/** The contract's error body, `{ error: … }`, as the vault's OpenAPI document describes it. */
export type VaultErrorBody = components['schemas']['Error']['error'];

/** Each field of the body as a property, none optional: a field the document gains cannot be left off VaultError. */
type EveryErrorField = { [K in keyof Required<VaultErrorBody>]: VaultErrorBody[K] | undefined };

/**
 * Every field of the contract's error body, with the HTTP status: `type`, `code`, `message`, `param`,
 * and for a decline `decline_code`, `charge` (the failed charge the vault recorded) and
 * `processor_response` (what a real provider itself answered). A field the vault left out is undefined.
 */
export class VaultError extends Error implements EveryErrorField {
  override readonly name = 'VaultError';
  readonly status: number;
  readonly type: string;
  readonly code: string;
  readonly param: string | undefined;
  readonly decline_code: string | undefined;
  readonly charge: string | undefined;
  readonly processor_response: VaultErrorBody['processor_response'];
  /** Seconds the vault asked to wait (Retry-After), on 409 request_in_progress and 429. */
  readonly retryAfter?: number;

  constructor(status: number, body: Partial<VaultErrorBody> | undefined, retryAfter?: number) {
    super(body?.message ?? `The vault answered ${status}`);
    this.status = status;
    this.type = body?.type ?? 'api_error';
    this.code = body?.code ?? 'internal';
    this.param = body?.param;
    this.decline_code = body?.decline_code;
    this.charge = body?.charge;
    this.processor_response = body?.processor_response;
    this.retryAfter = retryAfter;
  }
}

export interface VaultClientOptions {
  /** The vault's address, e.g. `https://vault.example`. */
  baseUrl: string;
  /** Your secret key, `sk_test_…` or `sk_live_…`: keep it on your server. */
  secretKey: string;
  /** Retries after a 429, a 5xx or a lost connection (default 2). */
  maxRetries?: number;
  /** The longest pause between two tries, in milliseconds (default 8000). */
  maxDelayMs?: number;
  /** Replaces the global fetch (a proxy agent, a test). */
  fetch?: (request: Request) => Promise<Response>;
}

// openapi-fetch's own call signature (its InitParam is not exported), answering only the 2xx branch:
// every other answer has thrown a VaultError, so `data` is never undefined.
type InitParam<Init> = RequiredKeysOf<Init> extends never ? [(Init & { [key: string]: unknown })?] : [Init & { [key: string]: unknown }];
type VaultMethod<P extends { [path: string]: any }, M extends HttpMethod> = <Path extends PathsWithMethod<P, M>, Init extends MaybeOptionalInit<P[Path], M>>(
  url: Path,
  ...init: InitParam<Init>
) => Promise<Extract<FetchResponse<P[Path][M], Init, MediaType>, { error?: never }>>;

/** The vault's operations by method and path, typed from its OpenAPI document. */
export interface VaultClient {
  GET: VaultMethod<paths, 'get'>;
  POST: VaultMethod<paths, 'post'>;
  DELETE: VaultMethod<paths, 'delete'>;
}

const retryable = (status: number) => status === 429 || status >= 500;

/** Seconds or an HTTP date, as milliseconds from now; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fetch that tries again, with the very same request (its Idempotency-Key included). */
function retryingFetch(base: (request: Request) => Promise<Response>, maxRetries: number, maxDelayMs: number) {
  return async (request: Request): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= maxRetries;
      let response: Response;
      try {
        response = await base(request.clone());
      } catch (err) {
        if (last) throw err;
        await sleep(backoff(attempt, maxDelayMs));
        continue;
      }
      if (last || !retryable(response.status)) return response;
      const wait = retryAfterMs(response.headers.get('retry-after')) ?? backoff(attempt, maxDelayMs);
      await response.body?.cancel();
      await sleep(Math.min(wait, maxDelayMs));
    }
  };
}

/** 500 ms, 1 s, 2 s… with a random half of it, so that many clients do not retry in step. */
const backoff = (attempt: number, maxDelayMs: number) => Math.min(maxDelayMs, 500 * 2 ** attempt * (0.5 + Math.random() / 2));

/** Adds the key and the secret key to each call, and turns an answer that is not 2xx into a VaultError. */
function vaultMiddleware(secretKey: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${secretKey}`);
      if (request.method === 'POST' && !request.headers.has('Idempotency-Key')) request.headers.set('Idempotency-Key', crypto.randomUUID());
      return request;
    },
    async onResponse({ response }) {
      if (response.ok) return undefined;
      const body = await response
        .clone()
        .json()
        .then((parsed: { error?: Partial<VaultErrorBody> }) => parsed?.error)
        .catch(() => undefined);
      const wait = retryAfterMs(response.headers.get('retry-after'));
      throw new VaultError(response.status, body, wait === undefined ? undefined : Math.ceil(wait / 1000));
    },
  };
}

/**
 * Refuses, before any call, options that could only fail later: an unset environment variable would
 * otherwise surface as a TypeError on the first call, or as a 401 from the vault. The key itself is
 * never repeated in the message.
 */
function checkOptions(options: VaultClientOptions): void {
  const { baseUrl, secretKey } = (options ?? {}) as Partial<VaultClientOptions>;
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '')
    throw new Error("createVaultClient: baseUrl is required (the vault's address, e.g. process.env.VAULT_URL)");
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol))
    // Not echoed: with the options swapped, it would be the secret key.
    throw new Error("createVaultClient: baseUrl must be the vault's http(s) address, e.g. https://vault.example");
  if (typeof secretKey !== 'string' || secretKey.trim() === '')
    throw new Error('createVaultClient: secretKey is required (your secret key sk_test_… or sk_live_…, e.g. process.env.VAULT_SECRET_KEY)');
  if (secretKey.startsWith('pk_'))
    throw new Error('createVaultClient: secretKey is a publishable key (pk_…), which belongs on your pages: give your secret key, sk_test_… or sk_live_…');
  if (!secretKey.startsWith('sk_')) throw new Error('createVaultClient: secretKey must be your secret key, which starts with sk_ (sk_test_… or sk_live_…)');
  // A live key over plain http crosses the network readable: refused before it is ever sent (a vault
  // that takes live cards is on https anyway). This machine's own addresses may use http.
  if (secretKey.startsWith('sk_live_') && new URL(baseUrl).protocol === 'http:' && !isLoopback(new URL(baseUrl).hostname)) {
    throw new Error("createVaultClient: a live secret key (sk_live_…) is sent over https only: give the vault's https:// address");
  }
}

/** localhost, 127.0.0.0/8 and ::1: where http never leaves the machine. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * A client for the vault's API. Each call answers `{ data, response }` for a 2xx, typed by the
 * operation, and throws a VaultError otherwise:
 *
 *     const vault = createVaultClient({ baseUrl: 'http://localhost:4000', secretKey: process.env.VAULT_SECRET_KEY });
 *     const { data: session } = await vault.POST('/v1/sessions', { body: { amount: 1999, currency: 'USD' } });
 */
export function createVaultClient(options: VaultClientOptions): VaultClient {
  checkOptions(options);
  const base = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: retryingFetch(base, options.maxRetries ?? 2, options.maxDelayMs ?? 8000),
  });
  client.use(vaultMiddleware(options.secretKey));
  return client as unknown as VaultClient;
}
