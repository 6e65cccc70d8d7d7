// The dashboard's calls to the vault: /v1 through /dashboard/api/v1 (the same routes the merchant's
// server calls), with the session's CSRF token on every change and one Idempotency-Key per action,
// reused when the person retries it. An ended session sends the browser to sign in.
import type { ApiErrorBody } from '../protocol/errors.ts';

let csrfToken = '';

/** Set once from /dashboard/api/me; every change carries it. */
export function useCsrfToken(token: string): void {
  csrfToken = token;
}

export class DashboardError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ApiErrorBody>,
  ) {
    super(body.message ?? `The vault answered ${status}`);
  }
  get code(): string | undefined {
    return this.body.code;
  }
}

async function call<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') {
    headers['x-csrf-token'] = csrfToken;
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/dashboard/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const error = (parsed as { error?: Partial<ApiErrorBody> } | undefined)?.error ?? {};
    if (error.code === 'staff_session_required') location.assign('/dashboard/sign-in');
    throw new DashboardError(res.status, error);
  }
  return parsed as T;
}

/** A query string of the defined values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  /** A change: `key` is the action's Idempotency-Key (newKey()), the same on a retry. */
  post: <T>(path: string, body: unknown = {}, key?: string) => call<T>('POST', path, body, key),
  del: <T>(path: string) => call<T>('DELETE', path),
};

export const newKey = (): string => crypto.randomUUID();

/** The contract's list page, and who is signed in (/dashboard/api/me). */
export type { Me, Page } from '../protocol/schemas/dashboard.ts';
