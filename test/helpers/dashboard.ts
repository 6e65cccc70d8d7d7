// A browser's side of the dashboard for server tests: urlencoded forms, the session cookie carried by
// hand, and a client address of the test's choosing (the vaults trust one proxy: X-Forwarded-For).
import { addStaffUser } from '../../server/staff/staff-store.ts';
import { Me } from '../../protocol/schemas/dashboard.ts';
import type { Reply, TestVault } from './test-vault.ts';

export function dashboard(v: TestVault) {
  const request = (method: string, path: string, o: { fields?: Record<string, string>; cookie?: string; ip?: string } = {}) =>
    v.api(method, path, {
      key: '',
      raw: o.fields ? new URLSearchParams(o.fields).toString() : undefined,
      headers: {
        ...(o.fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(o.cookie ? { cookie: o.cookie } : {}),
        'x-forwarded-for': o.ip ?? '192.0.2.1',
      },
    });
  /** A call of the dashboard's JSON API as its page makes it: the cookie, and for a change the CSRF token. */
  const call = (method: string, path: string, o: { cookie: string; csrf?: string; body?: unknown; origin?: string; idempotencyKey?: string; ip?: string }) =>
    v.api(method, `/dashboard/api${path}`, {
      key: '',
      raw: o.body === undefined ? undefined : JSON.stringify(o.body),
      headers: {
        cookie: o.cookie,
        'x-forwarded-for': o.ip ?? '192.0.2.1',
        ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(o.csrf ? { 'x-csrf-token': o.csrf } : {}),
        ...(o.origin ? { origin: o.origin } : {}),
        ...(o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {}),
      },
    });
  return {
    request,
    call,
    /** What `npm run merchant -- add-user` does; returns the link's token. */
    async addUser(email: string, o: { merchant?: string; role?: 'admin' | 'viewer' } = {}) {
      const issued = await addStaffUser(v.runtime.deps.db, {
        merchantId: o.merchant ?? v.merchant.id,
        email,
        role: o.role ?? 'admin',
        publicUrl: 'http://vault.test',
        now: v.runtime.deps.clock(),
      });
      return new URL(issued.url).hash.replace('#token=', '');
    },
    setPassword: (token: string, password: string, ip?: string) => request('POST', '/dashboard/set-password', { fields: { token, password }, ip }),
    signIn: (email: string, password: string, ip?: string) => request('POST', '/dashboard/sign-in', { fields: { email, password }, ip }),
    /** Who the dashboard says is signed in with this cookie, and their CSRF token (GET /dashboard/api/me). */
    async me(cookie: string): Promise<Me> {
      const res = await request('GET', '/dashboard/api/me', { cookie });
      if (res.status !== 200) throw new Error(`not signed in: ${res.status} ${res.text}`);
      // Read through the contract's own schema: an answer of another shape fails the test here.
      return Me.strict().parse(res.body);
    },
    /** A staff user with a password, signed in: their cookie (name=value). */
    async signedIn(email: string, password: string, o: { merchant?: string; role?: 'admin' | 'viewer'; ip?: string } = {}) {
      await this.setPassword(await this.addUser(email, o), password, o.ip);
      const res = await this.signIn(email, password, o.ip);
      if (res.status !== 303) throw new Error(`sign-in refused: ${res.status} ${res.text}`);
      return cookieOf(res);
    },
  };
}

/** The `name=value` of the reply's Set-Cookie. */
export function cookieOf(res: Reply): string {
  return (res.headers.get('set-cookie') ?? '').split(';')[0];
}

/** The sign-in page's error line. */
export function errorOf(page: Reply): string {
  return /<p class="error" role="alert">([^<]*)<\/p>/.exec(page.text)?.[1] ?? '';
}
