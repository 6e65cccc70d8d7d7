// The signed-in staff user of a dashboard request, and the CSRF check of every form that changes something.
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { safeEqual } from '../ids.ts';
import { readStaffSession, type StaffSession } from '../staff/staff-sessions.ts';
import { clearSessionCookie, readSessionCookie } from './cookie.ts';
import { messagePage } from './pages.ts';

export interface DashboardEnv {
  Variables: AppEnv['Variables'] & { staffSession: StaffSession };
}

export const SIGN_IN_PATH = '/dashboard/sign-in';

/**
 * Where to go after signing in: a page of the dashboard's own app, given as a path; anything else (another
 * site, `//host`, a backslash, the doors themselves) goes to the overview. Never a redirect off the vault.
 */
export function afterSignIn(next: string | undefined): string {
  if (!next || next.length > 512 || !/^\/dashboard(\/[A-Za-z0-9._~%/-]*)?(\?[A-Za-z0-9._~%&=+-]*)?$/.test(next) || next.includes('//')) return '/dashboard';
  if (/^\/dashboard\/(sign-in|sign-out|set-password|switch|api|assets)(\/|\?|$)/.test(next)) return '/dashboard';
  return next;
}

/** The sign-in page that returns to this page afterwards. */
export const signInFor = (path: string) => (path === '/dashboard' ? SIGN_IN_PATH : `${SIGN_IN_PATH}?next=${encodeURIComponent(path)}`);

/** The request's live session; none (or an expired one) sends the browser to sign in. */
export function staffSession(): MiddlewareHandler<DashboardEnv> {
  return async function staffSession(c, next) {
    const { db, clock, publicUrl } = c.get('deps');
    const session = await readStaffSession(db, readSessionCookie(c, publicUrl) ?? '', clock());
    if (!session) {
      clearSessionCookie(c, publicUrl);
      // A page asked for (GET) is where the person returns once signed in.
      const url = new URL(c.req.url);
      return c.redirect(c.req.method === 'GET' ? signInFor(afterSignIn(url.pathname + url.search)) : SIGN_IN_PATH, 303);
    }
    c.set('staffSession', session);
    await next();
  };
}

/** A form field as text; absent, repeated or a file counts as empty. */
export async function formField(c: Context, name: string): Promise<string> {
  // A body that is not the form it says it is (a broken multipart) reads as an empty form: the caller
  // then answers as for a missing field (a 400 page, or the CSRF refusal), never a 500.
  const value = (await c.req.parseBody().catch(() => ({}) as Record<string, unknown>))[name];
  return typeof value === 'string' ? value : '';
}

/** Refuses (403) a POST whose `csrf` field is not its session's token; after staffSession(). */
export function csrfRequired(): MiddlewareHandler<DashboardEnv> {
  return async function csrfRequired(c, next) {
    const sent = await formField(c, 'csrf');
    if (!sent || !safeEqual(sent, c.get('staffSession').csrf)) {
      return messagePage(c, {
        title: 'Request refused',
        message: 'This form was not sent from your dashboard page (its security token is missing or wrong). Reload the page and try again.',
        status: 403,
        link: { href: '/dashboard', text: 'Back to the dashboard' },
      });
    }
    await next();
  };
}
