// The dashboard's JSON API door: a live staff session from the cookie, and for every change the
// session's CSRF token in `X-CSRF-Token`, no Origin but the vault's own, and the `admin` role. Errors are the
// contract's `{ error: { type, code, message } }`, as the /v1 routes answer.
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.ts';
import { limited } from '../middleware/rate-limit.ts';
import { safeEqual } from '../ids.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { readStaffSession } from '../staff/staff-sessions.ts';
import { readSessionCookie } from './cookie.ts';
import type { DashboardEnv } from './staff-session.ts';

export type DashboardApiEnv = { Variables: DashboardEnv['Variables'] & { staffMerchant: Merchant } };

const READS = new Set(['GET', 'HEAD']);
/** A page loads a handful of lists; a person clicking fast stays far below this. */
export const STAFF_REQUESTS = 100;
export const STAFF_WINDOW_SECONDS = 10;

export function dashboardApiSession(): MiddlewareHandler<DashboardApiEnv> {
  return async function dashboardApiSession(c, next) {
    const { db, clock, publicUrl, merchants } = c.get('deps');
    const session = await readStaffSession(db, readSessionCookie(c, publicUrl) ?? '', clock());
    const merchant = session && (await merchants.byId(session.staff.merchant_id));
    if (!session || !merchant) throw new ApiError('staff_session_required', 'Sign in to the dashboard again: your session has ended');
    // Each person's own quota: their calls do not count against the shop's API rate limit.
    const verdict = await c.get('deps').limiter.hit(`staff:${session.staff.id}`, STAFF_REQUESTS, STAFF_WINDOW_SECONDS);
    if (!verdict.ok) throw limited(verdict.retryAfter, 'Too many dashboard requests: wait a moment and try again');
    if (!READS.has(c.req.method)) {
      // A browser names the page's origin on every cross-site request; none at all is a script's
      // request, which still needs the token only the dashboard's page can read.
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== new URL(publicUrl).origin) throw new ApiError('csrf_token_invalid', 'This change was sent from another site');
      const sent = c.req.header('x-csrf-token') ?? '';
      if (!sent || !safeEqual(sent, session.csrf)) {
        throw new ApiError('csrf_token_invalid', 'This change lacks the security token of your dashboard session: reload the page and try again');
      }
      if (session.staff.role !== 'admin') throw new ApiError('staff_role_forbidden', 'Your role is viewer: only an admin can change this');
    }
    c.set('staffSession', session);
    c.set('staffMerchant', merchant);
    await next();
  };
}
