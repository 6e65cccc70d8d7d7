// Review of "a live merchant's fields embed only in https pages" (merchant-origins.ts): every other way
// to get a non-https origin onto a live merchant's list (spellings, JSON tricks, the dashboard's API, the
// CLI, a sister shop, a change of mode), or to have one stored before the rule count (the fields' page,
// each fields endpoint, the 3-D Secure pages' frame-ancestors, a cached merchant, a test merchant's frame
// carrying a live session). Each test asserts the safe behaviour; and what test merchants did still works.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionCreate } from '../../protocol/api.ts';
import { insertChallenge } from '../../server/challenges/challenge-store.ts';
import { createMerchant, findById, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { createSession } from '../../server/sessions/session-store.ts';
import { dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { runCli } from '../helpers/storage-scan.ts';
import { LIFTABLE_LIMITS, LIVE_SHOP, SHOP, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const HTTPS_VAULT = 'https://vault.test';

/** Spellings of a page that is not https (or of no page at all), each of which must stay off a live merchant's list. */
const NOT_HTTPS = [
  SHOP,
  'HTTP://shop.test',
  'Http://Shop.Test',
  'http://shop.test/',
  'http://shop.test:443',
  'http://shop.test:80',
  'http://user@shop.test',
  'http://user:pw@shop.test',
  'http://shop.test.',
  'http://xn--bcher-kva.test',
  'http://bücher.test',
  ' http://shop.test',
  'http://shop.test ',
  '\thttp://shop.test',
  'http:shop.test',
  'http:/shop.test',
  'http:\\\\shop.test',
  '//shop.test',
  'shop.test',
  'null',
  'file:///tmp/shop.html',
  'file://shop.test',
  'blob:https://shop.test/0b1f7c2e-0000-4000-8000-000000000000',
  'blob:http://shop.test/0b1f7c2e-0000-4000-8000-000000000000',
  'data:text/html,<p>shop</p>',
  'about:blank',
  'javascript:alert(1)',
  'ws://shop.test',
  'wss://shop.test',
  'ftp://shop.test',
  'chrome-extension://abcdefghijklmnop',
  '*',
  'http://*',
  'https://shop.test http://shop.test',
  'https://shop.test;frame-ancestors *',
];

let serial = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${++serial}`;

describeEachDb('live origins (review)', (target) => {
  let v: TestVault;
  let live: CreatedMerchant;
  beforeAll(async () => {
    v = await startTestVault(target, {
      vaultKeys: `k1:${crypto.randomBytes(32).toString('base64')}`,
      publicUrl: HTTPS_VAULT,
      limits: { ...LIFTABLE_LIMITS, TRUST_PROXY: 1 },
    });
    live = await createMerchant(v.runtime.deps, { name: 'Live shop', origins: [LIVE_SHOP], live: true });
    for (const key of [live.secret_key, v.merchant.secret_key]) {
      const set = await v.api('POST', '/v1/merchant', { key, body: { rate_limit: 0, frame_limit_per_address: 0 } });
      expect(set.status, set.text).toBe(200);
    }
  });
  afterAll(() => v?.close());

  const db = () => v.runtime.deps.db;
  const storedOrigins = async (id: string): Promise<string[]> =>
    JSON.parse((await db().selectFrom('merchants').select('allowed_origins').where('id', '=', id).executeTakeFirstOrThrow()).allowed_origins);
  /** Every origin a live merchant has is an https origin, written as a browser writes it. */
  const expectOnlyHttps = (origins: string[]) => {
    for (const o of origins) {
      expect(o.startsWith('https://'), o).toBe(true);
      expect(new URL(o).origin, o).toBe(o);
    }
  };
  const fieldsPage = (pk: string, origin: string) => v.api('GET', `/frame?pk=${encodeURIComponent(pk)}&origin=${encodeURIComponent(origin)}`, { key: '' });
  const frameAncestors = (csp: string | null) =>
    /frame-ancestors ([^;]*)/
      .exec(csp ?? '')?.[1]
      ?.trim()
      .split(/\s+/) ?? [];
  /** A browser's request for one of the vault's 3-D Secure pages. */
  async function threeDs(method: 'GET' | 'POST', path: string, form?: string) {
    const headers: Record<string, string> = {};
    if (form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = HTTPS_VAULT;
    }
    const res = await v.runtime.app.request(`${HTTPS_VAULT}${path}`, { method, headers, body: form }, {
      incoming: { socket: { remoteAddress: '127.0.0.1' } },
    } as any);
    return { status: res.status, text: await res.text(), csp: res.headers.get('content-security-policy') };
  }

  /** A live merchant whose list was written before the rule (as a migration or an old vault left it). */
  async function legacyLive(origins: string[]) {
    const m = await createMerchant(v.runtime.deps, { name: unique('Old live shop'), origins: [LIVE_SHOP], live: true });
    expect((await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { rate_limit: 0, frame_limit_per_address: 0 } })).status).toBe(200);
    await db()
      .updateTable('merchants')
      .set({ allowed_origins: JSON.stringify(origins) })
      .where('id', '=', m.id)
      .execute();
    v.runtime.deps.merchants.invalidate();
    const merchant = (await findById(db(), m.id))!;
    const session = await createSession(db(), merchant, SessionCreate.parse({ amount: 1999, currency: 'USD' }), new Date());
    return { ...m, sessionId: session.id, secret: session.client_secret! };
  }

  /** A challenge of the session, as a confirmation leaves it: the simulated code, or a provider's issuer page (optionally answered). */
  async function challengeOf(sessionId: string, kind: 'code' | 'redirect', result?: string) {
    const id = `chl_${crypto.randomBytes(9).toString('hex')}`;
    await insertChallenge(db(), {
      id,
      session_id: sessionId,
      fingerprint: crypto.randomBytes(16).toString('hex'),
      created_at: new Date().toISOString(),
      kind,
      ...(kind === 'redirect'
        ? {
            processor_ref: `ref_${id}`,
            processor_id: `psp_${id}`,
            action: JSON.stringify({ url: 'https://issuer.test/acs', method: 'POST', data: { creq: 'x' } }),
          }
        : {}),
    });
    if (result) await db().updateTable('challenges').set({ result }).where('id', '=', id).execute();
    return id;
  }

  describe('setting a live merchant’s list', () => {
    it('refuses every spelling of a page that is not https through POST /v1/merchant, and keeps the list', async () => {
      for (const origin of NOT_HTTPS) {
        for (const list of [[origin], [LIVE_SHOP, origin]]) {
          const res = await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { allowed_origins: list } });
          expect(res.status, `${JSON.stringify(list)}: ${res.text}`).toBe(400);
          expect(res.body.error).toMatchObject({ code: 'parameter_invalid' });
          expect(await storedOrigins(live.id)).toEqual([LIVE_SHOP]);
        }
      }
    });

    it('takes https spellings only as the https origin a browser names (trailing slash dropped, nothing else kept)', async () => {
      for (const origin of ['https://shop.test/', 'https://shop.test.', 'https://xn--bcher-kva.test', 'https://shop.test:8443', 'https://[::1]']) {
        const res = await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { allowed_origins: [origin] } });
        if (res.status === 200) expectOnlyHttps(res.body.allowed_origins);
        expectOnlyHttps(await storedOrigins(live.id));
      }
      expect(await storedOrigins(live.id)).toEqual(['https://[::1]']);
      // Spellings a browser never sends as an origin are refused (as for test merchants): none could match one.
      for (const origin of [
        'HTTPS://shop.test',
        'https://SHOP.test',
        'https://shop.test:443',
        'https://a@shop.test',
        'https://shop.test/checkout',
        'https://bücher.test',
      ]) {
        const res = await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { allowed_origins: [origin] } });
        expect(res.status, origin).toBe(400);
      }
      expect((await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { allowed_origins: [LIVE_SHOP] } })).status).toBe(200);
    });

    it('reads the JSON body the way the check does: a repeated key or a \\u escape does not slip http past it', async () => {
      const raw = [
        `{"allowed_origins":["${LIVE_SHOP}"],"allowed_origins":["${SHOP}"]}`,
        '{"allowed_origins":["\\u0068ttp://shop.test"]}',
        '{"allowed_origins":["https://shop.test","\\u0068\\u0074\\u0074\\u0070://shop.test"]}',
        `{"allowed_origins":"${SHOP}"}`,
        `{"allowed_origins":[["${SHOP}"]]}`,
        `{"allowed_origins":[{"origin":"${SHOP}"}]}`,
      ];
      for (const body of raw) {
        const res = await v.api('POST', '/v1/merchant', { key: live.secret_key, raw: body, headers: { 'content-type': 'application/json' } });
        expect(res.status, body).toBe(400);
        expect(await storedOrigins(live.id)).toEqual([LIVE_SHOP]);
      }
    });

    it('has no way to turn a live merchant into a test one (and so take http): livemode is not a setting', async () => {
      for (const body of [{ livemode: false, allowed_origins: [SHOP] }, { livemode: false }, { mode: 'test' }]) {
        const res = await v.api('POST', '/v1/merchant', { key: live.secret_key, body });
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
      const now = await v.api('GET', '/v1/merchant', { key: live.secret_key });
      expect(now.body).toMatchObject({ livemode: true, allowed_origins: [LIVE_SHOP] });
      expect((await findById(db(), live.id))!.livemode).toBe(true);
    });

    it('does not let an idempotent replay or a reused key write an http origin', async () => {
      const key = `review-${crypto.randomBytes(8).toString('hex')}`;
      const first = await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { allowed_origins: [LIVE_SHOP] }, headers: { 'idempotency-key': key } });
      expect(first.status).toBe(200);
      const reused = await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { allowed_origins: [SHOP] }, headers: { 'idempotency-key': key } });
      expect(reused.status).not.toBe(200);
      expect(await storedOrigins(live.id)).toEqual([LIVE_SHOP]);
    });

    it('refuses an http origin set by a staff admin through the dashboard’s JSON API (its /v1 proxy)', async () => {
      const d = dashboard(v);
      const cookie = await d.signedIn(`${unique('admin')}@shop.example`, 'a long admin password 1', { merchant: live.id });
      const { csrf_token: csrf } = await d.me(cookie);
      for (const origin of [SHOP, 'HTTP://shop.test', 'http://shop.test/', 'null']) {
        const res = await d.call('POST', '/v1/merchant', { cookie, csrf, body: { allowed_origins: [LIVE_SHOP, origin] } });
        expect(res.status, `${origin}: ${res.text}`).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'parameter_invalid' });
        expect(await storedOrigins(live.id)).toEqual([LIVE_SHOP]);
      }
      const ok = await d.call('POST', '/v1/merchant', { cookie, csrf, body: { allowed_origins: [LIVE_SHOP, 'https://www.shop.test'] } });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.allowed_origins).toEqual([LIVE_SHOP, 'https://www.shop.test']);
      expect((await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { allowed_origins: [LIVE_SHOP] } })).status).toBe(200);
    });

    it('refuses to create a live merchant (or a live sister shop) with any non-https spelling, in code', async () => {
      for (const origin of [
        SHOP,
        'HTTP://shop.test',
        'http://shop.test:443',
        ' http://shop.test',
        'http:shop.test',
        'blob:http://shop.test/x',
        'blob:https://shop.test/x',
        'file:///tmp/x.html',
        'data:,x',
        'null',
        'ws://shop.test',
        'wss://shop.test',
        'javascript:alert(1)',
      ]) {
        const name = unique('Plain live');
        await expect(createMerchant(v.runtime.deps, { name, origins: [LIVE_SHOP, origin], live: true }), origin).rejects.toThrow();
        await expect(createMerchant(v.runtime.deps, { name, origins: [origin], live: true, groupId: live.group }), origin).rejects.toThrow();
        expect(await db().selectFrom('merchants').select('id').where('name', '=', name).execute()).toEqual([]);
      }
      // What code may pass that the API would not (credentials, a path, capitals) is kept as its https origin only.
      const sister = await createMerchant(v.runtime.deps, {
        name: unique('Live sister'),
        origins: ['HTTPS://a:b@SHOP.test/checkout?x=1'],
        live: true,
        groupId: live.group,
      });
      expect(await storedOrigins(sister.id)).toEqual([LIVE_SHOP]);
      const set = await v.api('POST', '/v1/merchant', { key: sister.secret_key, body: { allowed_origins: [SHOP] } });
      expect(set.status).toBe(400);
    });

    it('refuses a live merchant from the CLI when one of several --origin is http, or http in capitals', async () => {
      for (const origins of [[LIVE_SHOP, 'http://www.shop.test'], ['HTTP://shop.test']]) {
        const name = unique('CLI live');
        const cli = await runCli(v, 'server/cli/merchant.ts', ['create', '--live', '--name', name, ...origins.flatMap((o) => ['--origin', o])]);
        expect(cli.code, cli.out).not.toBe(0);
        expect(await db().selectFrom('merchants').select('id').where('name', '=', name).execute()).toEqual([]);
      }
    }, 60_000);
  });

  describe('an http origin stored before the rule', () => {
    it('shows the fields for no spelling of a page that is not https (GET /frame ?origin=)', async () => {
      const m = await legacyLive([SHOP, 'http://www.shop.test', LIVE_SHOP, 'null']);
      for (const origin of [...NOT_HTTPS, 'http://www.shop.test', '', 'https://shop.test:443', 'HTTPS://shop.test', 'https://shop.test/']) {
        const page = await fieldsPage(m.publishable_key, origin);
        expect(page.status, origin).toBe(403);
        expect(frameAncestors(page.headers.get('content-security-policy')), origin).toEqual(["'none'"]);
        expect(page.text).not.toContain('data-host-origin');
      }
      const served = await fieldsPage(m.publishable_key, LIVE_SHOP);
      expect(served.status).toBe(200);
      expect(frameAncestors(served.headers.get('content-security-policy'))).toEqual([LIVE_SHOP]);
      expect(served.text).toContain(`data-host-origin="${LIVE_SHOP}"`);
    });

    it('shows the fields nowhere when every stored origin is http', async () => {
      const m = await legacyLive([SHOP, 'http://localhost:3000']);
      for (const origin of [SHOP, 'http://localhost:3000', LIVE_SHOP]) {
        const page = await fieldsPage(m.publishable_key, origin);
        expect(page.status, origin).toBe(403);
      }
      expect((await v.frame('/frame/v1/session', m.secret, {}, { 'checkout-host-origin': SHOP })).status).toBe(403);
    });

    it('refuses every fields endpoint for every spelling of Checkout-Host-Origin that is not the https origin', async () => {
      const m = await legacyLive([SHOP, LIVE_SHOP]);
      const spellings = [
        ...NOT_HTTPS,
        '',
        'https://shop.test:443',
        'HTTPS://shop.test',
        'https://shop.test/',
        `${LIVE_SHOP}, ${SHOP}`,
        `${SHOP}, ${LIVE_SHOP}`,
      ];
      const calls: [string, unknown][] = [
        ['/frame/v1/session', {}],
        ['/frame/v1/confirm', { card: { number: '4242424242424242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: '123' } }],
        ['/frame/v1/cards/delete', { card: 'card_none' }],
        ['/frame/v1/challenges/chl_none', { code: '123456' }],
      ];
      for (const [path, body] of calls) {
        for (const hostOrigin of spellings) {
          // A header value cannot carry a line break: those spellings never reach the vault as such.
          if (/[\r\n]/.test(hostOrigin)) continue;
          const res = await v.frame(path, m.secret, body, { 'checkout-host-origin': hostOrigin });
          expect(res.status, `${path} ${JSON.stringify(hostOrigin)}: ${res.text}`).toBe(403);
          expect(res.body.error).toMatchObject({ code: 'origin_not_allowed' });
        }
      }
      // Whitespace around the header is not part of its value (fetch trims it): the https page still works.
      expect((await v.frame('/frame/v1/session', m.secret, {}, { 'checkout-host-origin': ` ${LIVE_SHOP} ` })).status).toBe(200);
      const charges = await db().selectFrom('charges').select('id').where('merchant_id', '=', m.id).execute();
      expect(charges).toEqual([]);
    });

    it('does not let a test merchant’s fields, allowed on the http page, carry the live session', async () => {
      const m = await legacyLive([SHOP, LIVE_SHOP]);
      // Anyone's test merchant may list http://shop.test: its frame renders there, and says so in its header.
      const testFrame = await fieldsPage(v.merchant.publishable_key, SHOP);
      expect(testFrame.status).toBe(200);
      expect(testFrame.text).toContain(`data-host-origin="${SHOP}"`);
      for (const path of ['/frame/v1/session', '/frame/v1/confirm']) {
        const res = await v.frame(path, m.secret, {}, { 'checkout-host-origin': SHOP });
        expect(res.status, path).toBe(403);
        expect(res.body.error).toMatchObject({ code: 'origin_not_allowed' });
      }
    });

    it('keeps a merchant read before an http origin was written (the cache) to its https origins', async () => {
      const m = await legacyLive([LIVE_SHOP]);
      // The fields' calls read the merchant through each instance's cache (a second).
      expect((await v.frame('/frame/v1/session', m.secret, {}, { 'checkout-host-origin': LIVE_SHOP })).status).toBe(200);
      await db()
        .updateTable('merchants')
        .set({ allowed_origins: JSON.stringify([LIVE_SHOP, SHOP]) })
        .where('id', '=', m.id)
        .execute();
      // Cached or read again, the http origin does not count.
      expect((await v.frame('/frame/v1/session', m.secret, {}, { 'checkout-host-origin': SHOP })).status).toBe(403);
      v.runtime.deps.merchants.invalidate();
      expect((await v.frame('/frame/v1/session', m.secret, {}, { 'checkout-host-origin': SHOP })).status).toBe(403);
      expect((await fieldsPage(m.publishable_key, SHOP)).status).toBe(403);
    });

    it('names no http page in the 3-D Secure pages’ frame-ancestors: the code page, its answer, the issuer step, the return, the window', async () => {
      const m = await legacyLive([SHOP, 'http://www.shop.test', LIVE_SHOP]);
      const code = await challengeOf(m.sessionId, 'code');
      const redirect = await challengeOf(m.sessionId, 'redirect');
      const answered = await challengeOf(
        m.sessionId,
        'redirect',
        JSON.stringify({ outcome: 'declined', processor_id: 'psp', code: 'card_declined', message: 'no' }),
      );
      const pages = [
        await threeDs('GET', `/frame/3ds/${code}`),
        await threeDs('POST', `/frame/3ds/${code}`, 'code=000000'),
        await threeDs('GET', `/frame/3ds/${redirect}`),
        await threeDs('GET', `/frame/3ds/${answered}/return`),
        await threeDs('POST', `/frame/3ds/${answered}/return`, 'PaRes=x'),
      ];
      for (const page of pages) {
        expect(page.status, page.text).toBe(200);
        expect(frameAncestors(page.csp)).toEqual(["'self'", LIVE_SHOP]);
        expect(page.csp).not.toMatch(/http:|\*/);
      }
      const window = await threeDs('GET', `/frame/3ds/${redirect}/window`);
      expect(window.status).toBe(200);
      expect(frameAncestors(window.csp)).toEqual(["'self'"]);
    });

    it('frames the 3-D Secure pages only in the vault itself when every stored origin is http', async () => {
      const m = await legacyLive([SHOP]);
      const code = await challengeOf(m.sessionId, 'code');
      const page = await threeDs('GET', `/frame/3ds/${code}`);
      expect(page.status).toBe(200);
      expect(frameAncestors(page.csp)).toEqual(["'self'"]);
    });

    // Hardening: every write path stores `new URL(o).origin`, so only a row written by hand (or by another
    // tool) holds such a value; the write rule parses each origin, but the read rule only looks at its
    // first eight characters, and the fields' page then writes the value into its frame-ancestors.
    const smuggled = [`${LIVE_SHOP} ${SHOP}`, `${LIVE_SHOP} http:`, `${LIVE_SHOP}; frame-ancestors *`, 'https://shop.test/../ http://shop.test'];
    it('counts a stored entry only if it is one https origin, not text that merely starts with https:// (the fields)', async () => {
      const m = await legacyLive([...smuggled, LIVE_SHOP]);
      for (const origin of smuggled) {
        const page = await fieldsPage(m.publishable_key, origin);
        expect(frameAncestors(page.headers.get('content-security-policy')), origin).not.toContain(SHOP);
        expect(page.headers.get('content-security-policy') ?? '', origin).not.toMatch(/frame-ancestors[^;]*(http:|\*)/);
        expect(page.status, origin).toBe(403);
        expect((await v.frame('/frame/v1/session', m.secret, {}, { 'checkout-host-origin': origin })).status, origin).toBe(403);
      }
    });

    it('counts a stored entry only if it is one https origin, not text that merely starts with https:// (the 3-D Secure pages)', async () => {
      const m = await legacyLive([...smuggled, LIVE_SHOP]);
      const code = await challengeOf(m.sessionId, 'code');
      const page = await threeDs('GET', `/frame/3ds/${code}`);
      expect(page.csp).not.toMatch(/frame-ancestors[^;]*(http:|\*)/);
      expect(frameAncestors(page.csp)).toEqual(["'self'", LIVE_SHOP]);
    });

    it('still lets that merchant change its other settings, and drop the http origin', async () => {
      const m = await legacyLive([SHOP, LIVE_SHOP]);
      const renamed = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { name: 'Renamed live shop', need_cvc: true } });
      expect(renamed.status, renamed.text).toBe(200);
      expect(renamed.body.name).toBe('Renamed live shop');
      expect((await fieldsPage(m.publishable_key, SHOP)).status).toBe(403);
      // Adding an https page while keeping the http one is refused, saying which one.
      const kept = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { allowed_origins: [SHOP, LIVE_SHOP, 'https://www.shop.test'] } });
      expect(kept.status).toBe(400);
      expect(kept.body.error.message).toContain(SHOP);
      const dropped = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { allowed_origins: [LIVE_SHOP, 'https://www.shop.test'] } });
      expect(dropped.status, dropped.text).toBe(200);
      expect(await storedOrigins(m.id)).toEqual([LIVE_SHOP, 'https://www.shop.test']);
      expect((await fieldsPage(m.publishable_key, 'https://www.shop.test')).status).toBe(200);
    });
  });

  describe('test merchants', () => {
    it('keep http pages: set by the API, in the fields’ page, its calls and the 3-D Secure pages', async () => {
      const origins = [SHOP, 'http://localhost:3000', 'http://127.0.0.1:8080', LIVE_SHOP];
      const set = await v.api('POST', '/v1/merchant', { body: { allowed_origins: origins } });
      expect(set.status, set.text).toBe(200);
      expect(set.body.allowed_origins).toEqual(origins);
      for (const origin of origins) {
        const page = await fieldsPage(v.merchant.publishable_key, origin);
        expect(page.status, origin).toBe(200);
        expect(frameAncestors(page.headers.get('content-security-policy'))).toEqual([origin]);
      }
      const merchant = (await findById(db(), v.merchant.id))!;
      const session = await createSession(db(), merchant, SessionCreate.parse({ amount: 1999, currency: 'USD' }), new Date());
      for (const origin of origins) {
        const res = await v.frame('/frame/v1/session', session.client_secret!, {}, { 'checkout-host-origin': origin });
        expect(res.status, `${origin}: ${res.text}`).toBe(200);
      }
      const code = await challengeOf(session.id, 'code');
      expect(frameAncestors((await threeDs('GET', `/frame/3ds/${code}`)).csp)).toEqual(["'self'", ...origins]);
      // A test merchant (and a test sister shop) may still be created on http.
      const sister = await createMerchant(v.runtime.deps, { name: unique('Test sister'), origins: [SHOP, 'http://localhost:5173'], groupId: v.merchant.group });
      expect(await storedOrigins(sister.id)).toEqual([SHOP, 'http://localhost:5173']);
      expect((await v.api('POST', '/v1/merchant', { body: { allowed_origins: [SHOP] } })).status).toBe(200);
    });
  });
});
