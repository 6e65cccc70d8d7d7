// GET /frame: the fields' page. It renders only for an embedding origin on the merchant's allowed
// list, and its frame-ancestors names exactly that origin, so a browser shows it nowhere else and
// the iframe can pin the page's origin the vault confirmed. Its first script is inline (allowed by
// its hash, so the policy still names no 'unsafe-inline'): it greets the page before the stylesheet
// and frame.js load, so the session is read while they do. The page carries the texts of the locale
// the embedding page named; GET /frame/texts/<locale>.json serves any other to fields that lack it.
import crypto from 'node:crypto';
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { findByPublishableKey } from '../merchants/merchant-store.ts';
import { BOOT_SCRIPT } from '../../iframe/boot-script.ts';
import { ROWS } from '../../iframe/locales.ts';
import { firstLocale } from '../../protocol/languages.ts';
import { LOCALES, RTL_LOCALES, type Locale } from '../../protocol/messages.ts';
import { hashedPath } from './assets.ts';
import { mayEmbed } from '../merchants/merchant-origins.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const BOOT_HASH = `'sha256-${crypto.createHash('sha256').update(BOOT_SCRIPT).digest('base64')}'`;

function policy(ancestors: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${BOOT_HASH}`,
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

/** A locale's texts are asked for by its exact code. */
const localeOf = (value: string | undefined): Locale | undefined => (LOCALES.includes(value as Locale) ? (value as Locale) : undefined);

export const fieldsPage = new Hono<AppEnv>()
  .get('/frame', async (c) => {
    const deps = c.get('deps');
    const pk = c.req.query('pk') ?? '';
    const origin = c.req.query('origin') ?? '';
    const merchant = pk.startsWith('pk_') ? await findByPublishableKey(deps.db, pk) : undefined;
    c.header('Cache-Control', 'no-store');
    if (!merchant || !mayEmbed(merchant, origin)) {
      c.header('Content-Security-Policy', policy("'none'"));
      const reason = merchant ? 'This site is not allowed to show these payment fields.' : 'Unknown publishable key.';
      return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not allowed</title></head><body><p>${reason}</p></body></html>`, 403);
    }
    c.header('Content-Security-Policy', policy(origin));
    // frame.js knows no language: the texts of the locale the page asked for (`locale`, else English) come with the page.
    // The first of checkout.js's list (`auto,fr-FR`) that the vault speaks.
    const locale = firstLocale(c.req.query('locale'));
    const texts = ` data-locale="${locale ?? 'en'}" data-texts="${escapeHtml(JSON.stringify(ROWS[locale ?? 'en']))}"`;
    const script = hashedPath('frame.js');
    // The page is written in its locale's direction from the first paint (Arabic right to left).
    const language = `lang="${locale ?? 'en'}"${locale && RTL_LOCALES.includes(locale) ? ' dir="rtl"' : ''}`;
    const htmlAttributes = `${language} data-host-origin="${escapeHtml(origin)}" data-vault="${escapeHtml(deps.publicUrl)}" data-script="${script}"${texts}`;
    // frame.js is fetched at once (preload) and run by the inline script (see boot-script.ts).
    return c.html(`<!doctype html><html ${htmlAttributes}><head><meta charset="utf-8">
<script>${BOOT_SCRIPT}</script>
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Card payment</title>
<link rel="preload" href="${script}" as="script"><link rel="stylesheet" href="${hashedPath('frame.css')}"></head>
<body><div id="app"></div></body></html>`);
  })
  .get('/frame/texts/:file', (c) => {
    // The texts of a locale the page did not name in the frame's URL (a checkout.js of an older build).
    const locale = localeOf(/^([a-z]{2})\.json$/.exec(c.req.param('file'))?.[1]);
    if (!locale) throw new ApiError('resource_missing', "No such locale of the fields' texts");
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(ROWS[locale]);
  });
