// The fields' calls to the vault's own /frame/v1 endpoints. Every call resolves to data or to the
// contract's error shape; nothing here throws to the UI. This is the only place card data leaves
// the iframe, and only to POST /frame/v1/confirm on the vault's origin, in the body.
import type { FrameChallengeResult, FrameConfirm, FrameConfirmResult, FrameSession, HOST_ORIGIN_HEADER } from '../protocol/api.ts';
import type { ApiErrorBody } from '../protocol/errors.ts';

export interface ApiError {
  type: string;
  code: string;
  message: string;
  param?: string;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export interface FrameApi {
  /** The open session, with a recurring agreement's wording written in `locale`. */
  session(locale: string): Promise<ApiResult<FrameSession>>;
  confirm(body: FrameConfirm): Promise<ApiResult<FrameConfirmResult>>;
  deleteCard(token: string): Promise<ApiResult<{ token: string; deleted: true }>>;
  answerChallenge(id: string, code: string): Promise<ApiResult<FrameChallengeResult>>;
}

export interface ApiClientOptions {
  /** The vault's public URL (the fields' own origin). */
  vault: string;
  clientSecret: string;
  hostOrigin: string;
}

// Only the type is imported from protocol/api.ts (zod stays out of the bundle); this line fails to
// compile if the header's name ever changes there.
const HOST_HEADER: typeof HOST_ORIGIN_HEADER = 'Checkout-Host-Origin';

const UNREACHABLE: ApiError = { type: 'api_error', code: 'processor_unavailable', message: 'The vault could not be reached' };
const MALFORMED: ApiError = { type: 'api_error', code: 'internal', message: 'Unexpected answer from the vault' };

function errorOf(body: unknown): ApiError {
  const e = (body as { error?: Partial<ApiErrorBody> } | null)?.error;
  if (!e || typeof e.type !== 'string' || typeof e.code !== 'string') return MALFORMED;
  return { type: e.type, code: e.code, message: String(e.message), ...(typeof e.param === 'string' ? { param: e.param } : {}) };
}

export function createApiClient(options: ApiClientOptions): FrameApi {
  const base = options.vault.replace(/\/+$/, '');

  async function post<T>(path: string, body: unknown): Promise<ApiResult<T>> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${options.clientSecret}`,
          [HOST_HEADER]: options.hostOrigin,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    } catch {
      return { ok: false, error: UNREACHABLE };
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      return { ok: false, error: MALFORMED };
    }
    return response.ok ? { ok: true, data: parsed as T } : { ok: false, error: errorOf(parsed) };
  }

  return {
    session: (locale) => post('/frame/v1/session', { locale }),
    confirm: (body) => post('/frame/v1/confirm', body),
    deleteCard: (token) => post('/frame/v1/cards/delete', { token }),
    answerChallenge: (id, code) => post(`/frame/v1/challenges/${encodeURIComponent(id)}`, { code }),
  };
}
