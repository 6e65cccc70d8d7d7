// The API reference at /docs: Redoc's rendering of the vault's OpenAPI document, built into
// dist/docs.html by `npm run build` (scripts/build-docs.ts) with its scripts inside the page. Its
// policy allows exactly those inline scripts, by their hashes, and nothing from another origin; Redoc
// styles its components at run time, so inline styles are allowed on this page, which holds no secret.
import crypto from 'node:crypto';
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { builtText, hashedPath, serve } from './assets.ts';

/** The Content-Security-Policy for a build of the page: each inline script by its SHA-256. */
export function docsPolicy(html: string): string {
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    ([, body]) => `'sha256-${crypto.createHash('sha256').update(body).digest('base64')}'`,
  );
  return [
    "default-src 'none'",
    `script-src ${hashes.join(' ')}`,
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Worked out once per build of the page (its content hash names it). */
let cached: { build: string; policy: string } | undefined;

const page = serve('docs.html', 300, { crossOrigin: false });

export const docsPage = new Hono<AppEnv>().get('/docs', (c) => {
  const build = hashedPath('docs.html');
  if (cached?.build !== build) {
    const html = builtText('docs.html');
    cached = html ? { build, policy: docsPolicy(html) } : undefined;
  }
  if (cached) c.header('Content-Security-Policy', cached.policy);
  return page(c);
});
