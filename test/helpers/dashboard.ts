// A browser's side of the dashboard for server tests: urlencoded forms, the session cookie carried by
// hand, and a client address of the test's choosing (the vaults trust one proxy: X-Forwarded-For).
import { addStaffUser } from '../../server/staff/staff-store.ts';
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
  return {
    request,
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

/** The CSRF token in the signed-in page's sign-out form. */
export function csrfOf(page: Reply): string {
  return /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
}

/** The sign-in page's error line. */
export function errorOf(page: Reply): string {
  return /<p class="error" role="alert">([^<]*)<\/p>/.exec(page.text)?.[1] ?? '';
}
