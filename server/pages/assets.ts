// The built browser assets: checkout.js (also under its version, immutable), its ESM build, and the
// fields' script and stylesheet. Read from dist/ once and answered from memory with an ETag.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../context.ts';

export const DIST = path.resolve(import.meta.dirname, '../../dist');

interface Asset {
  body: Buffer;
  etag: string;
  type: string;
}

const cache = new Map<string, Asset | null>();

function load(file: string): Asset | null {
  if (!cache.has(file)) {
    const full = path.join(DIST, file);
    const body = fs.existsSync(full) ? fs.readFileSync(full) : null;
    cache.set(file, body && {
      body,
      etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      type: file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
    });
  }
  return cache.get(file)!;
}

/** The version the build stamped into dist/manifest.json, for the immutable URL of checkout.js. */
export function builtVersion(): string | undefined {
  const manifest = load('manifest.json');
  return manifest ? (JSON.parse(manifest.body.toString()) as { version: string }).version : undefined;
}

function serve(file: string, maxAge: number) {
  return (c: Context<AppEnv>) => {
    const asset = load(file);
    if (!asset) return c.text(`${file} is not built: run npm run build`, 503);
    c.header('ETag', asset.etag);
    c.header('Cache-Control', maxAge >= 31536000 ? `public, max-age=${maxAge}, immutable` : `public, max-age=${maxAge}`);
    // Scripts are loaded across origins by merchants' pages (with SRI, which needs CORS).
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
    return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.type });
  };
}

export const assetRoutes = new Hono<AppEnv>()
  .get('/checkout.js', serve('checkout.js', 300))
  .get('/checkout.mjs', serve('checkout.mjs', 300))
  .get('/checkout-:version{[0-9A-Za-z.-]+\\.js}', (c) => {
    const version = (c.req.param('version') ?? '').replace(/\.js$/, '');
    if (version !== builtVersion()) return c.text('No such version of checkout.js', 404);
    return serve('checkout.js', 31536000)(c);
  })
  .get('/frame.js', serve('frame.js', 300))
  .get('/frame.css', serve('frame.css', 300));
