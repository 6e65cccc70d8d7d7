// GET /frame: the fields' page. It renders only for an embedding origin on the merchant's allowed
// list, and its frame-ancestors names exactly that origin, so a browser shows it nowhere else and
// the iframe can pin the page's origin the vault confirmed.
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { findByPublishableKey } from '../merchants/merchant-store.ts';
import { builtVersion } from './assets.ts';

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function policy(ancestors: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    // The 3-D Secure challenge is the vault's own page, shown inside the fields.
    "frame-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

export const fieldsPage = new Hono<AppEnv>().get('/frame', async (c) => {
  const deps = c.get('deps');
  const pk = c.req.query('pk') ?? '';
  const origin = c.req.query('origin') ?? '';
  const merchant = pk.startsWith('pk_') ? await findByPublishableKey(deps.db, pk) : undefined;
  c.header('Cache-Control', 'no-store');
  if (!merchant || !merchant.allowed_origins.includes(origin)) {
    c.header('Content-Security-Policy', policy("'none'"));
    const reason = merchant ? 'This site is not allowed to show these payment fields.' : 'Unknown publishable key.';
    return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not allowed</title></head><body><p>${reason}</p></body></html>`, 403);
  }
  c.header('Content-Security-Policy', policy(origin));
  const v = encodeURIComponent(builtVersion() ?? 'dev');
  return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Card payment</title><link rel="stylesheet" href="/frame.css?v=${v}"></head>
<body data-host-origin="${escape(origin)}" data-vault="${escape(deps.publicUrl)}"><div id="app"></div><script src="/frame.js?v=${v}" defer></script></body></html>`);
});
