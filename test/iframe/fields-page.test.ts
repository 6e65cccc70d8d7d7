// @vitest-environment node
// (node's Request: happy-dom's drops Accept-Encoding, as a page's script could not set it either.)
// The vault's page that holds the fields, and the script it loads, as a browser receives them: the
// inline hello script allowed by its hash alone, the texts of the page's locale, and frame.js
// compressed and cached for good under its content's hash.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROWS } from '../../iframe/locales.ts';
import { ensureBuilt } from '../../scripts/ensure-built.ts';
import { SHOP, VAULT, type TestVault } from '../helpers/test-vault.ts';
import { startVault } from './vault-harness.tsx';

let v: TestVault;
beforeAll(async () => {
  // The page names frame.js by its hash and the asset routes serve dist/: both need a build.
  ensureBuilt();
  v = await startVault();
}, 120_000);
afterAll(() => v.close());

const get = (path: string, headers: Record<string, string> = {}) => v.runtime.app.request(`${VAULT}${path}`, { headers });
const fieldsPage = (query = '') => get(`/frame?pk=${encodeURIComponent(v.merchant.publishable_key)}&origin=${encodeURIComponent(SHOP)}${query}`);
const scriptSrc = (csp: string) =>
  csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith('script-src '))!;
const unescapeHtml = (s: string) => s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

describe("the fields' page", () => {
  it("runs its one inline script by that script's hash, ahead of the stylesheet and frame.js, and no other inline script", async () => {
    const res = await fieldsPage();
    expect(res.status).toBe(200);
    const html = await res.text();
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(inline).toHaveLength(1);
    const hash = crypto.createHash('sha256').update(inline[0]).digest('base64');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(scriptSrc(csp).split(' ').sort()).toEqual(['script-src', "'self'", `'sha256-${hash}'`].sort());
    expect(csp).not.toContain('unsafe');
    expect(html.indexOf('<script>')).toBeLessThan(html.indexOf('<link rel="stylesheet"'));
    const opening = /<html lang="en" data-host-origin="http:\/\/shop\.test" data-vault="http:\/\/vault\.test" data-script="\/frame\.js\?v=[\w-]+"/;
    expect(html).toMatch(new RegExp(`${opening.source} data-locale="en" data-texts="[^"]+">`));
    // frame.js is fetched at once, but run by the inline script: no <script src> of its own.
    expect(html).not.toMatch(/<script src=/);
  });

  it('carries the texts of the locale the page named, English for none or an unknown one: frame.js carries no language', async () => {
    const texts = async (query: string) => {
      const attrs = /data-locale="(\w+)" data-texts="([^"]*)"/.exec(await (await fieldsPage(query)).text());
      return [attrs![1], JSON.parse(unescapeHtml(attrs![2]))];
    };
    expect(await texts('&locale=fr')).toEqual(['fr', ROWS.fr]);
    expect(await texts('&locale=ar')).toEqual(['ar', ROWS.ar]);
    for (const other of ['', '&locale=en', '&locale=xx', '&locale=constructor']) expect(await texts(other)).toEqual(['en', ROWS.en]);
  });

  it('is written in the direction and language of its locale from the first paint', async () => {
    expect(await (await fieldsPage('&locale=ar')).text()).toMatch(/<html lang="ar" dir="rtl" /);
    expect(await (await fieldsPage('&locale=ja')).text()).toMatch(/<html lang="ja" data-host-origin/);
    expect(await (await fieldsPage('&locale=xx')).text()).toMatch(/<html lang="en" data-host-origin/);
    // checkout.js sends the page's choice, then the browser's language: the first the vault speaks wins.
    expect(await (await fieldsPage('&locale=auto%2Car-EG')).text()).toMatch(/<html lang="ar" dir="rtl" /);
  });

  it("serves any locale's texts to the fields that lack them, and no unknown one", async () => {
    const tr = await get('/frame/texts/tr.json');
    expect(tr.status).toBe(200);
    expect(await tr.json()).toEqual(ROWS.tr);
    for (const path of ['/frame/texts/xx.json', '/frame/texts/constructor.json', '/frame/texts/tr']) expect((await get(path)).status).toBe(404);
  });
});

describe('frame.js', () => {
  it('comes compressed as the browser accepts it, decoding to the same script', async () => {
    const plain = Buffer.from(await (await get('/frame.js')).arrayBuffer());
    const br = await get('/frame.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    expect(zlib.brotliDecompressSync(Buffer.from(await br.arrayBuffer())).equals(plain)).toBe(true);
    const gzip = await get('/frame.js', { 'accept-encoding': 'gzip, br;q=0' });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(zlib.gunzipSync(Buffer.from(await gzip.arrayBuffer())).equals(plain)).toBe(true);
    expect(gzip.headers.get('etag')).not.toBe(br.headers.get('etag'));
    expect((await get('/frame.js', { 'accept-encoding': 'identity' })).headers.get('content-encoding')).toBeNull();
  });

  it('is cached for a year under the URL the page names it by, briefly under any other', async () => {
    const html = await (await fieldsPage()).text();
    const src = /<link rel="preload" href="(\/frame\.js\?v=[\w-]+)" as="script">/.exec(html)![1];
    expect(html).toContain(`data-script="${src}"`);
    expect((await get(src)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get('/frame.js?v=stale')).headers.get('cache-control')).toBe('public, max-age=300');
    const css = /<link rel="stylesheet" href="(\/frame\.css\?v=[\w-]+)">/.exec(html)![1];
    expect((await get(css)).headers.get('cache-control')).toContain('immutable');
  });
});
