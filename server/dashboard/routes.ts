// The merchant's dashboard, so far its doors: setting a password through the one-time link, signing
// in (limited per email and per address), signing out, and the signed-in page.
import { type Context, Hono } from 'hono';
import { hashedPath, serve } from '../pages/assets.ts';
import { bodyLimit } from 'hono/body-limit';
import { clientAddress } from '../middleware/client-address.ts';
import { signIn, signOut, switchAccount, switchTarget } from '../staff/sign-in.ts';
import { readStaffSession } from '../staff/staff-sessions.ts';
import { setPasswordWithLink } from '../staff/staff-store.ts';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from './cookie.ts';
import { appShellPage, messagePage, switchPage, setPasswordPage, signInPage } from './pages.ts';
import { afterSignIn, csrfRequired, type DashboardEnv, formField, SIGN_IN_PATH, staffSession } from './staff-session.ts';

export const dashboardRoutes = new Hono<DashboardEnv>();

// Notices the sign-in page shows after a redirect: fixed texts, nothing of the query echoed.
const NOTICES: Record<string, string> = {
  password_set: 'Your password is set. Sign in with it.',
  signed_out: 'You are signed out.',
};

const minutes = (seconds: number) => {
  const m = Math.ceil(seconds / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
};

/** The error of a locked email, with the wait in Retry-After. */
function lockedOut(c: Context, seconds: number): string {
  c.header('Retry-After', String(seconds));
  return `Too many wrong passwords: signing in with this email is locked. Try again in ${minutes(seconds)}.`;
}

dashboardRoutes.use(
  '/dashboard/*',
  bodyLimit({
    maxSize: 16 * 1024,
    onError: (c) => messagePage(c, { title: 'Form too large', message: 'The form sent was larger than 16 KB.', status: 413 }),
  }),
);

// A form posted from another site is refused, sign-in included (SameSite does not cover a sign-in
// into the attacker's account). Browsers send Origin with every form POST; the vault's pages keep
// Referrer-Policy same-origin, under which it is their real origin rather than "null".
dashboardRoutes.post('/dashboard/*', async (c, next) => {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== new URL(c.get('deps').publicUrl).origin) {
    return messagePage(c, { title: 'Request refused', message: 'This form was sent from another site.', status: 403 });
  }
  await next();
});

dashboardRoutes.get(SIGN_IN_PATH, async (c) => {
  const { db, clock, publicUrl } = c.get('deps');
  if (await readStaffSession(db, readSessionCookie(c, publicUrl) ?? '', clock())) return c.redirect(afterSignIn(c.req.query('next')), 303);
  return signInPage(c, { notice: NOTICES[c.req.query('done') ?? ''], next: afterSignIn(c.req.query('next')) });
});

dashboardRoutes.post(SIGN_IN_PATH, async (c) => {
  const deps = c.get('deps');
  const email = (await formField(c, 'email')).trim();
  const password = await formField(c, 'password');
  // The page the person was sent here from, kept through a failed attempt.
  const next = afterSignIn(await formField(c, 'next'));
  const outcome = await signIn(deps, { email, password, address: clientAddress(c, deps.trustProxy) });
  if (outcome.ok) {
    setSessionCookie(c, deps.publicUrl, outcome.token);
    return c.redirect(next, 303);
  }
  switch (outcome.reason) {
    case 'address_limited': {
      c.header('Retry-After', String(outcome.retryAfter));
      const error = `Too many sign-in attempts from your network. Try again in ${minutes(outcome.retryAfter)}.`;
      return signInPage(c, { email, error, status: 429, next });
    }
    case 'incomplete':
      return signInPage(c, { email, error: 'Enter your email and your password.', status: 400, next });
    case 'locked':
      return signInPage(c, { email, error: lockedOut(c, outcome.retryAfter), status: 429, next });
    case 'wrong_password':
      return signInPage(c, { email, error: 'The email or the password is wrong.', status: 401, next });
  }
});

dashboardRoutes.post('/dashboard/sign-out', staffSession(), csrfRequired(), async (c) => {
  const deps = c.get('deps');
  await signOut(deps, c.get('staffSession'));
  clearSessionCookie(c, deps.publicUrl);
  return c.redirect(`${SIGN_IN_PATH}?done=signed_out`, 303);
});

// The test-mode switch: from one of the person's shops to another (their test and live accounts, a
// sister shop), each its own staff account with its own password and role, so the password is asked again.
const SWITCH_PATH = '/dashboard/switch';

dashboardRoutes.get(SWITCH_PATH, staffSession(), async (c) => {
  const s = c.get('staffSession');
  const to = await switchTarget(c.get('deps'), s.staff, c.req.query('to') ?? '');
  if (!to) return messagePage(c, { title: 'No such account', message: 'You have no account at that shop.', status: 404, link: BACK });
  return switchPage(c, { to, email: s.staff.email, csrf: s.csrf });
});

dashboardRoutes.post(SWITCH_PATH, staffSession(), csrfRequired(), async (c) => {
  const deps = c.get('deps');
  const s = c.get('staffSession');
  const to = await switchTarget(deps, s.staff, await formField(c, 'to'));
  if (!to) return messagePage(c, { title: 'No such account', message: 'You have no account at that shop.', status: 404, link: BACK });
  const outcome = await switchAccount(deps, s, to, await formField(c, 'password'));
  if (outcome.ok) {
    setSessionCookie(c, deps.publicUrl, outcome.token);
    return c.redirect('/dashboard', 303);
  }
  if (outcome.reason === 'locked') return switchPage(c, { to, email: s.staff.email, csrf: s.csrf, error: lockedOut(c, outcome.retryAfter), status: 429 });
  return switchPage(c, { to, email: s.staff.email, csrf: s.csrf, error: 'The password is wrong.', status: 401 });
});

const BACK = { href: '/dashboard', text: 'Back to the dashboard' };

dashboardRoutes.get('/dashboard/set-password', (c) => setPasswordPage(c));

dashboardRoutes.post('/dashboard/set-password', async (c) => {
  const { db, clock } = c.get('deps');
  const token = await formField(c, 'token');
  const result = await setPasswordWithLink(db, token, await formField(c, 'password'), clock());
  if (result.ok) return c.redirect(`${SIGN_IN_PATH}?done=password_set`, 303);
  if (result.reason === 'password') return setPasswordPage(c, { token, error: result.message, status: 400 });
  return messagePage(c, {
    title: 'This link no longer works',
    message: "The link has expired, was already used, or was replaced by a newer one. Ask the vault's operator for a new link.",
    status: 400,
  });
});

// The dashboard's script and stylesheet: the same for everyone, signed in or not.
dashboardRoutes.get('/dashboard/assets/dashboard.js', serve('dashboard.js', 300, { crossOrigin: false }));
dashboardRoutes.get('/dashboard/assets/dashboard.css', serve('dashboard.css', 300, { crossOrigin: false }));

// Every other page under /dashboard is the signed-in app, which reads its path itself.
const shell = staffSession();
dashboardRoutes.get('/dashboard', shell, (c) => appShell(c));
dashboardRoutes.get('/dashboard/*', shell, (c) => appShell(c));

function appShell(c: Parameters<typeof appShellPage>[0]) {
  return appShellPage(c, { script: `/dashboard/assets${hashedPath('dashboard.js')}`, stylesheet: `/dashboard/assets${hashedPath('dashboard.css')}` });
}
