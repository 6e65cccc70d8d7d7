// The built browser assets: checkout.js (also under its version, immutable), its ESM build, and the
// fields' script and stylesheet. Read from dist/ once and answered from memory with an ETag, in
// brotli or gzip when the browser takes it (the build writes both beside each file; gzip is made
// here when they are missing). A URL that names the file's content hash (`?v=`, as the fields' page
// writes it) is cached for a year, as it can never answer anything else.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';

export const DIST = path.resolve(import.meta.dirname, '../../dist');
const YEAR = 31536000;

interface Asset {
  body: Buffer;
  /** The content's hash, for the ETag and the immutable `?v=` URL. */
  hash: string;
  type: string;
  br?: Buffer;
  gzip?: Buffer;
}

const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.html': 'text/html; charset=utf-8' };

const cache = new Map<string, Asset | null>();

const read = (full: string) => (fs.existsSync(full) ? fs.readFileSync(full) : undefined);

/** The build's compressed copy, only if it still decodes to the file (a partial rebuild leaves stale ones). */
function precompressed(full: string, body: Buffer, decode: (b: Buffer) => Buffer): Buffer | undefined {
  const copy = read(full);
  try {
    return copy && decode(copy).equals(body) ? copy : undefined;
  } catch {
    return undefined;
  }
}

function load(file: string, dir = DIST): Asset | null {
  const full = path.join(dir, file);
  if (!cache.has(full)) {
    const body = read(full);
    const text = /\.(js|mjs|css|html)$/.test(file);
    cache.set(
      full,
      body
        ? {
            body,
            hash: crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22),
            type: TYPES[path.extname(file)] ?? 'text/javascript; charset=utf-8',
            br: text ? precompressed(`${full}.br`, body, zlib.brotliDecompressSync) : undefined,
            gzip: text ? (precompressed(`${full}.gz`, body, zlib.gunzipSync) ?? zlib.gzipSync(body, { level: 9 })) : undefined,
          }
        : null,
    );
  }
  return cache.get(full)!;
}

/** Earlier releases of checkout.js, byte for byte, and the SRI hash each was published with. */
export const RELEASES = path.resolve(import.meta.dirname, '../../widget/releases');
const PUBLISHED = JSON.parse(fs.readFileSync(path.join(RELEASES, '../releases.json'), 'utf8'))['checkout.js'] as Record<string, string>;

/** A released version's bytes, only if they are still the ones its published hash names. */
function releasedBytes(version: string): boolean {
  if (!/^\d+\.\d+\.\d+$/.test(version) || !Object.hasOwn(PUBLISHED, version)) return false;
  const asset = load(`checkout-${version}.js`, RELEASES);
  return Boolean(asset) && `sha384-${crypto.createHash('sha384').update(asset!.body).digest('base64')}` === PUBLISHED[version];
}

/** The version the build stamped into dist/manifest.json, for the immutable URL of checkout.js. */
export function builtVersion(): string | undefined {
  const manifest = load('manifest.json');
  return manifest ? (JSON.parse(manifest.body.toString()) as { version: string }).version : undefined;
}

/** A built file's path with its content hash, cached for good by browsers; the plain path before a build. */
export function hashedPath(file: string): string {
  const asset = load(file);
  return asset ? `/${file}?v=${asset.hash}` : `/${file}`;
}

/** The build's text of a file (the fields' page inlines what it must hash), or undefined before a build. */
export function builtText(file: string): string | undefined {
  return load(file)?.body.toString();
}

/** The smallest encoding the request accepts: brotli, then gzip, else none. */
function encodingFor(c: Context<AppEnv>, asset: Asset): { name: 'br' | 'gzip'; body: Buffer } | undefined {
  const accepted = (c.req.header('accept-encoding') ?? '').toLowerCase().split(',');
  // `br`, `br;q=0.8`: taken; `br;q=0`: refused.
  const takes = (name: string) =>
    accepted.some((item) => {
      const [coding, ...params] = item.split(';').map((part) => part.trim());
      return coding === name && !params.some((param) => /^q=0(\.0*)?$/.test(param));
    });
  if (asset.br && takes('br')) return { name: 'br', body: asset.br };
  if (asset.gzip && takes('gzip')) return { name: 'gzip', body: asset.gzip };
  return undefined;
}

/** Answers a built file from memory, compressed when the browser takes it; scripts may be loaded from any origin. */
export function serve(file: string, maxAge: number, { crossOrigin = true, dir = DIST } = {}) {
  return (c: Context<AppEnv>) => {
    const asset = load(file, dir);
    if (!asset) return c.text(`${file} is not built: run npm run build`, 503);
    const encoding = encodingFor(c, asset);
    const etag = `"${asset.hash}${encoding ? `-${encoding.name}` : ''}"`;
    const age = c.req.query('v') === asset.hash ? YEAR : maxAge;
    c.header('ETag', etag);
    c.header('Vary', 'Accept-Encoding');
    c.header('Cache-Control', age >= YEAR ? `public, max-age=${age}, immutable` : `public, max-age=${age}`);
    // Scripts are loaded across origins by merchants' pages (with SRI, which needs CORS).
    if (crossOrigin) {
      c.header('Access-Control-Allow-Origin', '*');
      c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    }
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    if (encoding) c.header('Content-Encoding', encoding.name);
    return c.body(new Uint8Array(encoding?.body ?? asset.body), 200, { 'Content-Type': asset.type });
  };
}

const VERSIONED = /^\/checkout-([0-9A-Za-z.-]+)\.js$/;

/**
 * `GET /checkout-VERSION.js`: this build, or an earlier release's exact bytes (merchants' pages pin
 * its SRI hash). Undefined for any other path. Not a route: a parameter with its own pattern beside
 * the root's other paths is more than Hono's RegExpRouter compiles, and one such route put every
 * request of the vault on the slower TrieRouter. The vault's not-found handler asks this first.
 */
export function versionedCheckout(c: Context<AppEnv>): Response | undefined {
  const version = c.req.method === 'GET' || c.req.method === 'HEAD' ? VERSIONED.exec(c.req.path)?.[1] : undefined;
  if (version === undefined) return undefined;
  if (version === builtVersion()) return serve('checkout.js', YEAR)(c);
  if (releasedBytes(version)) return serve(`checkout-${version}.js`, YEAR, { dir: RELEASES })(c);
  throw new ApiError('resource_missing', `No such version of checkout.js: this vault serves ${builtVersion() ?? 'none yet'} (see /checkout.js)`);
}

export const assetRoutes = new Hono<AppEnv>()
  .get('/checkout.js', serve('checkout.js', 300))
  .get('/checkout.mjs', serve('checkout.mjs', 300))
  .get('/frame.js', serve('frame.js', 300))
  .get('/frame.css', serve('frame.css', 300));
