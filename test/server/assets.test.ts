// The browser assets as a merchant's page loads them: checkout.js under its version, the URL and the
// integrity hash the README's script tag uses.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../scripts/ensure-built.ts';
import { DIST } from '../../server/pages/assets.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';
import { readmeSnippet } from '../helpers/readme.ts';

const manifest = () => JSON.parse(fs.readFileSync(path.join(DIST, 'manifest.json'), 'utf8'));

describe('checkout.js under its version', () => {
  let v: TestVault;
  beforeAll(async () => {
    ensureBuilt();
    v = await startTestVault('sqlite');
  });
  afterAll(async () => {
    await v?.close();
  });

  it('answers the build under /checkout-VERSION.js, cached for good, with the bytes its integrity hash names', async () => {
    const { version, files } = manifest();
    const res = await v.runtime.app.request(`/checkout-${version}.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = Buffer.from(await res.arrayBuffer());
    expect(`sha384-${crypto.createHash('sha384').update(body).digest('base64')}`).toBe(files['checkout.js'].sri);
    expect(body.equals(fs.readFileSync(path.join(DIST, 'checkout.js')))).toBe(true);
  });

  it('answers HEAD with the same headers and no body, and a POST as no endpoint', async () => {
    const { version } = manifest();
    const get = await v.runtime.app.request(`/checkout-${version}.js`);
    const head = await v.runtime.app.request(`/checkout-${version}.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect(head.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const post = await v.runtime.app.request(`/checkout-${version}.js`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect((await post.json()).error.message).toContain('No such endpoint for POST');
  });

  it('routes every request with the compiled router: no route needs the slower trie', async () => {
    await v.runtime.app.request('/health');
    // Hono's SmartRouter keeps the first router that compiles every route; a route RegExpRouter cannot
    // compile (a parameter with its own pattern beside other paths) silently moves all requests to TrieRouter.
    expect((v.runtime.app.router as { activeRouter?: { name: string } }).activeRouter?.name).toBe('RegExpRouter');
  });

  it('refuses a version it does not serve with the contract’s 404, naming the one it does', async () => {
    for (const other of ['0.0.1', '9.9.9-beta.1']) {
      const res = await v.runtime.app.request(`/checkout-${other}.js`);
      expect(res.status).toBe(404);
      const body = await res.json();
      expect(body.error.code).toBe('resource_missing');
      expect(body.error.message).toContain(manifest().version);
    }
  });
});

describe("the README's script tag", () => {
  it("names this build's version and integrity hash (run npm run build and copy the hash it prints when this fails)", () => {
    ensureBuilt();
    const { version, files } = manifest();
    const snippet = readmeSnippet();
    expect(snippet).toContain(`/checkout-${version}.js"`);
    expect(snippet).toContain(`integrity="${files['checkout.js'].sri}"`);
  });
});

describe("the README's size figures", () => {
  it("are the build's (run npm run build and copy the gzip sizes it prints when this fails)", () => {
    ensureBuilt();
    const { files } = manifest();
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const stated = /Budgets \(gzip\): `checkout\.js` ([\d.]+) KB of 5 KB; the fields' JavaScript ([\d.]+) KB of 18 KB/.exec(readme);
    expect(stated, 'the README states both sizes').not.toBeNull();
    // Within a few bytes: another zlib may compress the same build a byte or two differently.
    expect(Math.abs(Number(stated![1]) - files['checkout.js'].gzip / 1024)).toBeLessThan(0.02);
    expect(Math.abs(Number(stated![2]) - files['frame.js'].gzip / 1024)).toBeLessThan(0.02);
  });
});

describe("the fields' script", () => {
  it('asks V8 to compile all of it while it downloads (its first line is the explicit compile hint)', async () => {
    ensureBuilt();
    const v = await startTestVault('sqlite');
    try {
      const res = await v.runtime.app.request('/frame.js');
      expect(res.status).toBe(200);
      expect((await res.text()).split('\n')[0]).toBe('//# allFunctionsCalledOnLoad');
    } finally {
      await v.close();
    }
  });
});

describe('the icon browsers ask every origin for', () => {
  it('answers /favicon.ico with 204, no 404 in the console of every page the vault serves', async () => {
    const v = await startTestVault('sqlite');
    try {
      const res = await v.runtime.app.request('/favicon.ico');
      expect(res.status).toBe(204);
    } finally {
      await v.close();
    }
  });
});

describe('the immutable checkout-VERSION.js', () => {
  const releases = () => JSON.parse(fs.readFileSync(new URL('../../widget/releases.json', import.meta.url), 'utf8'))['checkout.js'] as Record<string, string>;

  it("keeps answering every earlier release with the exact bytes merchants' pages pinned with SRI", async () => {
    ensureBuilt();
    const v = await startTestVault('sqlite');
    try {
      const earlier = Object.entries(releases()).filter(([version]) => version !== manifest().version);
      expect(earlier.length).toBeGreaterThan(0);
      for (const [version, sri] of earlier) {
        const res = await v.runtime.app.request(`/checkout-${version}.js`);
        expect(res.status, `checkout-${version}.js`).toBe(200);
        expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
        const body = Buffer.from(await res.arrayBuffer());
        expect(`sha384-${crypto.createHash('sha384').update(body).digest('base64')}`).toBe(sri);
      }
    } finally {
      await v.close();
    }
  });

  it('keeps each release it serves in widget/releases/, matching its published hash', () => {
    const dir = new URL('../../widget/releases/', import.meta.url);
    for (const file of fs.readdirSync(dir)) {
      const version = /^checkout-(\d+\.\d+\.\d+)\.js$/.exec(file)?.[1];
      expect(version, `${file} is not a released checkout.js`).toBeDefined();
      const body = fs.readFileSync(new URL(file, dir));
      expect(`sha384-${crypto.createHash('sha384').update(body).digest('base64')}`, file).toBe(releases()[version!]);
    }
  });

  it('never changes its bytes under one version: the build is the one recorded in widget/releases.json', () => {
    ensureBuilt();
    const { version, files } = manifest();
    const releases = JSON.parse(fs.readFileSync(new URL('../../widget/releases.json', import.meta.url), 'utf8'));
    expect(files['checkout.js'].sri, `checkout.js changed: bump package.json's version (now ${version}) and record the new hash`).toBe(
      releases['checkout.js'][version],
    );
  });
});
