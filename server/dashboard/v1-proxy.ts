// Staff actions run through the /v1 routes themselves, in process, with the staff user's merchant as
// the caller: the same validation, limits, idempotency, events, webhooks and messages as an API call,
// so the dashboard adds no second path to money or cards. The reads and the changes it makes are
// listed here; any role reads, and each change is written to the audit log once it succeeded.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { recordAudit } from '../staff/audit.ts';
import { actingFor } from '../middleware/staff-authority.ts';
import type { DashboardApiEnv } from './api-session.ts';
import { ApiError } from '../errors.ts';

export const API_PREFIX = '/dashboard/api';

/** The changes the dashboard makes, by method and /v1 path, with the name the audit log gives each. */
const CHANGES: { method: string; path: RegExp; action: string; body: boolean }[] = [
  { method: 'POST', path: /^\/v1\/customers\/[^/]+$/, action: 'customer.update', body: true },
  { method: 'POST', path: /^\/v1\/customers\/[^/]+\/cards\/[^/]+$/, action: 'card.update', body: true },
  { method: 'DELETE', path: /^\/v1\/customers\/[^/]+\/cards\/[^/]+$/, action: 'card.delete', body: false },
  { method: 'DELETE', path: /^\/v1\/mandates\/[^/]+$/, action: 'mandate.cancel', body: false },
  { method: 'POST', path: /^\/v1\/charges\/[^/]+\/refunds$/, action: 'charge.refund', body: true },
  { method: 'POST', path: /^\/v1\/invoices$/, action: 'invoice.create', body: true },
  { method: 'POST', path: /^\/v1\/events\/[^/]+\/redeliver$/, action: 'event.redeliver', body: false },
  { method: 'POST', path: /^\/v1\/webhooks\/rotate_secret$/, action: 'webhook_secret.rotate', body: true },
  { method: 'POST', path: /^\/v1\/merchant$/, action: 'settings.update', body: true },
  { method: 'POST', path: /^\/v1\/merchant\/roll_secret_key$/, action: 'secret_key.roll', body: true },
];

/**
 * What the pages read: not sessions, whose answer carries a client secret that pays in the fields, nor
 * anything added to /v1 later until a page needs it.
 */
const READS: RegExp[] = [
  /^\/v1\/merchant$/,
  /^\/v1\/customers(\/[^/]+(\/(cards|mandates))?)?$/,
  /^\/v1\/charges(\/[^/]+(\/refunds)?)?$/,
  /^\/v1\/invoices(\/[^/]+)?$/,
  /^\/v1\/events(\/[^/]+\/attempts)?$/,
  /^\/v1\/messages$/,
];

/**
 * A change the dashboard may make: its audit name, and whether its route takes a body (validated there,
 * strictly). A body sent to one that takes none is neither passed on nor written to the log, where it
 * would say something the vault never did, or keep whatever text it held.
 */
function changeOf(method: string, path: string): { action: string; body: boolean } | undefined {
  return CHANGES.find((c) => c.method === method && c.path.test(path));
}

/** Headers of the /v1 answer the dashboard's page reads; the rest are the outer response's own. */
const PASSED_HEADERS = ['content-type', 'retry-after', 'idempotent-replayed'];

export type V1Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

export function proxyToV1(fetchV1: V1Fetch) {
  return async (c: Context<DashboardApiEnv>) => {
    const deps = c.get('deps');
    const url = new URL(c.req.url);
    const path = url.pathname.slice(API_PREFIX.length);
    const method = c.req.method;
    const read = method === 'GET' || method === 'HEAD';
    const change = read ? undefined : changeOf(method, path);
    const action = change?.action;
    if (read ? !READS.some((r) => r.test(path)) : !change) throw new ApiError('resource_missing', `The dashboard has no such ${read ? 'page' : 'change'}`);

    const body = change?.body ? await c.req.text() : undefined;
    const headers = new Headers();
    for (const name of change?.body ? ['content-type', 'idempotency-key'] : ['idempotency-key']) {
      const value = c.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }
    const merchant = c.get('staffMerchant');
    const answer = await fetchV1(new Request(new URL(path + url.search, deps.publicUrl), { method, headers, body }), actingFor(merchant));

    const answered = await answer.arrayBuffer();
    if (action && answer.ok && answer.headers.get('idempotent-replayed') !== 'true') {
      const staff = c.get('staffSession').staff;
      // What a creation made (an invoice) is named by its answer; a secret's answer is never read.
      const target = targetOf(path) ?? (action === 'invoice.create' ? createdId(answered) : undefined);
      // Written once the change committed: a crash between the two loses the line, never the change.
      await recordAudit(deps.db, { merchantId: merchant.id, staffId: staff.id, action, target, details: detailsOf(body), at: deps.clock() });
    }
    // Through the context: the answer carries the outer response's security headers (no-store, nosniff),
    // the one that shows a newly rolled key above all.
    for (const name of PASSED_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) c.header(name, value);
    }
    return c.body(answered, answer.status as ContentfulStatusCode);
  };
}

/** The `id` of what a change created, from its answer. */
function createdId(answer: ArrayBuffer): string | undefined {
  try {
    const id = (JSON.parse(new TextDecoder().decode(answer)) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** What the change acted on: the last id in its path (`cus_…`, `card_…`, `ch_…`), none for the merchant itself. */
function targetOf(path: string): string | undefined {
  const parts = path.split('/').filter(Boolean);
  for (let i = parts.length - 1; i >= 1; i--) {
    if (/^(customers|cards|mandates|charges|events)$/.test(parts[i - 1])) return decodeURIComponent(parts[i]);
  }
  return undefined;
}

/** Fields that hold a credential (a processor's key, a webhook signing secret): the line says they were sent, never what. */
const CREDENTIAL = /secret|api_key|hmac_key|password|token/i;

function withoutCredentials(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCredentials);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, CREDENTIAL.test(k) && v !== null ? '[not kept]' : withoutCredentials(v)]));
}

/**
 * The fields the person sent, except credentials: POST /v1/merchant takes a processor's keys, which the
 * vault keeps only sealed, and the audit log must not become a second, clear copy of them.
 */
function detailsOf(body: string | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (withoutCredentials(parsed) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
