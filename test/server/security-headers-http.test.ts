// The headers every vault answer carries, as a browser receives them over a socket: served by Node, the
// vault sets them on Node's own response (middleware/security-headers.ts), which app.request() in the
// other tests never goes through. An answer's own header (a page's policy, an asset's caching) wins.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const DEFAULTS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};

describe('security headers over HTTP', () => {
  let v: TestVault;
  let server: ReturnType<typeof serve>;
  let base: string;

  beforeAll(async () => {
    v = await startTestVault('sqlite');
    server = serve({ fetch: v.runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await v.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
  const headersOf = (res: Response) => Object.fromEntries(Object.keys(DEFAULTS).map((name) => [name, res.headers.get(name)]));

  it('carries all four on an API answer, a refusal and an unknown path, each once', async () => {
    const answers = [
      await get('/v1/customers/someone/cards', { authorization: `Bearer ${v.merchant.secret_key}` }),
      await get('/v1/customers/someone/cards', { authorization: 'Bearer sk_test_wrong' }),
      await get('/no/such/path'),
      await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${v.merchant.secret_key}` }, body: '{"amount":' }),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 401, 404, 400]);
    for (const res of answers) {
      expect(headersOf(res)).toEqual(DEFAULTS);
      await res.text();
    }
  });

  it("lets an answer's own header win: the fields page's policy, an asset's caching", async () => {
    const page = await get(`/frame?pk=${v.merchant.publishable_key}&origin=${encodeURIComponent(SHOP)}`);
    expect(page.status).toBe(200);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain(`frame-ancestors ${SHOP}`);
    expect(policy).not.toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-store');
    await page.text();

    const script = await get('/checkout.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    await script.text();
  });
});
