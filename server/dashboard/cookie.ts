// The dashboard's session cookie. On an https vault it is `__Host-`: Secure, Path=/ and no Domain, so a
// sibling subdomain can neither read nor plant it (the prefix requires Path=/; browsers drop a
// `__Host-` cookie with any other path). On http (a local vault) it cannot be Secure, and is kept to /dashboard.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';

const NAME = 'vault_staff';

function cookieOf(publicUrl: string): { name: string; options: CookieOptions } {
  const secure = new URL(publicUrl).protocol === 'https:';
  return secure
    ? { name: NAME, options: { prefix: 'host', secure: true, httpOnly: true, sameSite: 'Strict', path: '/' } }
    : { name: NAME, options: { httpOnly: true, sameSite: 'Strict', path: '/dashboard' } };
}

export function readSessionCookie(c: Context, publicUrl: string): string | undefined {
  const { name, options } = cookieOf(publicUrl);
  return options.prefix ? getCookie(c, name, options.prefix) : getCookie(c, name);
}

/** A session cookie: no Max-Age, so that closing the browser ends it too; the server's expiries still hold. */
export function setSessionCookie(c: Context, publicUrl: string, token: string): void {
  const { name, options } = cookieOf(publicUrl);
  setCookie(c, name, token, options);
}

export function clearSessionCookie(c: Context, publicUrl: string): void {
  const { name, options } = cookieOf(publicUrl);
  deleteCookie(c, name, options);
}
