// The dashboard's server-rendered pages: plain forms posting urlencoded bodies, a nonce-based policy
// that lets nothing else run, and no framing by any page at all.
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { randomSecret } from '../ids.ts';
import { PASSWORD_MIN_LENGTH } from '../staff/passwords.ts';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;padding:24px 16px;max-width:28rem;color:#1a1a1a}
h1{font-size:22px;margin:0 0 16px}label{display:block;font-weight:600;margin:16px 0 4px}
input{font:inherit;padding:8px;border:1px solid #767676;border-radius:6px;width:100%;box-sizing:border-box}
input:focus,button:focus{outline:3px solid #00805a;outline-offset:2px}
button{font:inherit;margin-top:16px;padding:8px 16px;border:0;border-radius:6px;background:#00704f;color:#fff;cursor:pointer}
.error{color:#a00018;font-weight:600}.notice{color:#00603f}.hint{color:#555;font-size:14px;margin:4px 0 0}`;

function policy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

type Body = HtmlEscapedString | Promise<HtmlEscapedString>;

function page(c: Context, o: { title: string; body: (nonce: string) => Body; status?: ContentfulStatusCode }): Response | Promise<Response> {
  const nonce = randomSecret(16);
  c.header('Content-Security-Policy', policy(nonce));
  c.header('Cache-Control', 'no-store');
  c.header('X-Frame-Options', 'DENY');
  return c.html(
    html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title} · Card vault dashboard</title><style nonce="${nonce}">${raw(STYLE)}</style></head><body><main>${o.body(nonce)}</main></body></html>`,
    o.status ?? 200,
  );
}

const alert = (text?: string) => (text ? html`<p class="error" role="alert">${text}</p>` : '');

export function signInPage(c: Context, o: { email?: string; error?: string; notice?: string; status?: ContentfulStatusCode; next?: string } = {}) {
  return page(c, {
    title: 'Sign in',
    status: o.status,
    body: () => html`<h1>Sign in to the dashboard</h1>${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}${alert(o.error)}
<form method="post" action="/dashboard/sign-in">${o.next && o.next !== '/dashboard' ? html`<input type="hidden" name="next" value="${o.next}">` : ''}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${o.email ?? ''}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>`,
  });
}

// The token arrives in the URL's fragment, which no server and no Referer sees; the script moves it
// into the form and takes it out of the address bar and the history.
const TAKE_TOKEN = `const m=/(?:^#|&)token=([^&]+)/.exec(location.hash);const f=document.getElementById('token');
if(m&&!f.value){f.value=decodeURIComponent(m[1]);history.replaceState(null,'',location.pathname)}
if(!f.value)document.getElementById('no-token').hidden=false;`;

export function setPasswordPage(c: Context, o: { token?: string; error?: string; status?: ContentfulStatusCode } = {}) {
  return page(c, {
    title: 'Set your password',
    status: o.status,
    body: (nonce) => html`<h1>Set your password</h1>${alert(o.error)}
<p class="error" id="no-token" hidden>This link is incomplete: open the whole link you were given, or ask for a new one.</p>
<noscript><p class="error">This page needs JavaScript to read your link.</p></noscript>
<form method="post" action="/dashboard/set-password"><input type="hidden" id="token" name="token" value="${o.token ?? ''}">
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${PASSWORD_MIN_LENGTH}" aria-describedby="password-hint">
<p class="hint" id="password-hint">At least ${PASSWORD_MIN_LENGTH} characters, and not your email address.</p>
<button type="submit">Set password</button></form><script nonce="${nonce}">${raw(TAKE_TOKEN)}</script>`,
  });
}

/**
 * The signed-in dashboard: an empty page for its script (dashboard/), which reads everything through
 * /dashboard/api. Its own policy: the script by nonce, the stylesheet from the vault, calls to the vault only.
 */
export function appShellPage(c: Context, o: { script: string; stylesheet: string }) {
  const nonce = randomSecret(16);
  c.header(
    'Content-Security-Policy',
    [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      "style-src 'self'",
      "connect-src 'self'",
      "img-src 'self' data:",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  );
  c.header('Cache-Control', 'no-store');
  c.header('X-Frame-Options', 'DENY');
  return c.html(
    html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Dashboard · Card vault</title><link rel="stylesheet" href="${o.stylesheet}"></head>
<body><div id="app"><p>Loading…</p></div><noscript><p>The dashboard needs JavaScript.</p></noscript>
<script nonce="${nonce}" src="${o.script}"></script></body></html>`,
  );
}

/** Switching to the person's account at another shop (test ↔ live): that account's password, asked again. */
export function switchPage(
  c: Context,
  o: { to: { merchant_id: string; merchant_name: string; livemode: boolean }; email: string; csrf: string; error?: string; status?: ContentfulStatusCode },
) {
  const mode = o.to.livemode ? 'live' : 'test';
  return page(c, {
    title: `Switch to ${o.to.merchant_name}`,
    status: o.status,
    body: () => html`<h1>Switch to ${o.to.merchant_name} (${mode} mode)</h1>${alert(o.error)}
<p>Enter the password of your account ${o.email} at ${o.to.merchant_name}. You will be signed out of the shop you are in now.</p>
<form method="post" action="/dashboard/switch"><input type="hidden" name="csrf" value="${o.csrf}"><input type="hidden" name="to" value="${o.to.merchant_id}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Switch to ${mode} mode</button></form><p><a href="/dashboard">Stay where you are</a></p>`,
  });
}

/** A refusal or an outcome in a sentence, with a way on. */
export function messagePage(c: Context, o: { title: string; message: string; status: ContentfulStatusCode; link?: { href: string; text: string } }) {
  return page(c, {
    title: o.title,
    status: o.status,
    body: () => html`<h1>${o.title}</h1><p role="alert">${o.message}</p>${o.link ? html`<p><a href="${o.link.href}">${o.link.text}</a></p>` : ''}`,
  });
}
