// Attacks on the vault's outgoing requests to URLs a merchant (or its leaked key, or a staff user of its
// dashboard) controls, beyond what webhook-attacks, webhook-targets, forward-attacks and
// live-webhook-http cover: more spellings of internal addresses, a request that tries to switch on the
// operator's private-address allowance, a receiver that answers an endless body or oversized headers, a
// forward's path, query and body written so that the destination's server reads them outside what the operator
// registered, a compressed answer that inflates past the cap, an unreachable destination, and a live
// merchant's plain-http destination. (Written as an attack review; its three
// defects, a servlet's `..;`, PHP's and `;`-splitting servers' spellings of a registered parameter, and
// IPv6 loopback under ALLOW_PRIVATE_WEBHOOKS, are fixed, as is a fourth found after it: a body field
// naming the registered parameter, which PHP's $_REQUEST reads over the query's.)
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { emitEvent } from '../../server/events/emit-event.ts';
import { addDestination } from '../../server/forward/destination-store.ts';
import { systemResolve } from '../../server/jobs/webhook-target.ts';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { dnsAnswers } from '../helpers/dns-answers.ts';
import { LIFTABLE_LIMITS, LIVE_SHOP, newShop, startTestVault, type Reply, type Shop, type TestVault } from '../helpers/test-vault.ts';

interface Call {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Answer = (call: Call, res: http.ServerResponse) => void;

/** A server on this machine (127.0.0.1 or ::1) that records what it gets and answers with `answer()`. */
async function recorder(host = '127.0.0.1') {
  const calls: Call[] = [];
  let answer: Answer = (_c, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const call = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      calls.push(call);
      answer(call, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    calls,
    timers,
    answer: (a: Answer) => {
      answer = a;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
type Recorder = Awaited<ReturnType<typeof recorder>>;

const PUBLIC_URL = 'https://93.184.216.34/hooks';
/** A test card's first six and last four (test mode takes no other), its middle its own. */
const PAN = '4242426556624242';
const MIDDLE = PAN.slice(6, 12);
const YEAR = new Date().getUTCFullYear() + 3;
const numberForms = (n: string) => [n, n.match(/.{1,4}/g)!.join(' '), n.match(/.{1,4}/g)!.join('-'), MIDDLE];

/**
 * The path as a Java servlet container (Tomcat, Jetty, Spring) maps it: each segment's `;parameters`
 * dropped, then `.` and `..` segments resolved.
 */
function servletPath(rawUrl: string): string {
  const path = rawUrl.split('?')[0];
  const out: string[] = [];
  for (const segment of path
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s.split(';')[0]))) {
    if (segment === '..') out.pop();
    else if (segment !== '.') out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** The query parameter names a PHP server ($_GET) reads: leading spaces dropped, cut at NUL, `.` and ` ` as `_`. */
function phpNames(query: string): string[] {
  return [...new URLSearchParams(query).keys()].map((n) => n.replace(/^ +/, '').split('\0')[0].split('[')[0].replace(/[. ]/g, '_').toLowerCase());
}

/** The names a server that splits on `;` as well as `&` reads (Python before 3.9.2, Go before 1.17, older Rack). */
const semicolonNames = (query: string) => query.split(/[&;]/).map((p) => decodeURIComponent(p.split('=')[0]).toLowerCase());

describeEachDb('outbound URL attacks', (target) => {
  let v: TestVault;
  let internal: Recorder;
  const cleanups: (() => Promise<void>)[] = [];
  const TIMEOUT_MS = 1500;

  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorTimeoutMs: TIMEOUT_MS });
    internal = await recorder();
  }, 60_000);
  afterAll(async () => {
    await internal?.close();
    await v?.close();
  });
  afterEach(async () => {
    v.runtime.deps.webhookTargets.allowPrivate = false;
    v.runtime.deps.webhookTargets.resolve = systemResolve;
    while (cleanups.length) await cleanups.pop()!();
  });
  const server = async (host?: string) => {
    const s = await recorder(host);
    cleanups.push(s.close);
    return s;
  };

  describe('webhooks', () => {
    const merchant = async () => {
      const m = await v.newMerchant();
      expect((await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { rate_limit: 0 } })).status).toBe(200);
      return m;
    };
    const setWebhook = (m: CreatedMerchant, url: string | null, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
      v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: url, ...extra }, headers });
    const storedUrl = async (m: CreatedMerchant) => (await v.api('GET', '/v1/merchant', { key: m.secret_key })).body.webhook_url;
    const emit = (m: CreatedMerchant) =>
      emitEvent(v.runtime.deps.db, { merchantId: m.id, groupId: m.group, type: 'card.expiring', data: { card: 'card_x', customer: 'c1' }, now: new Date() });
    const redeliver = (m: CreatedMerchant, id: string) => v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });

    it('refuses loopback and metadata in more spellings (IDNA full-width, ideographic dots, %-escapes, a backslash before @, 6to4, RFC 6052)', async () => {
      const p = internal.port;
      const m = await merchant();
      expect((await setWebhook(m, PUBLIC_URL)).status).toBe(200);
      for (const url of [
        `http://ｌｏｃａｌｈｏｓｔ:${p}/hooks`,
        `http://127。0。0。1:${p}/hooks`,
        `http://127．0．0．1:${p}/hooks`,
        `http://127.000.000.001:${p}/hooks`,
        `http://0x7f.0x0.0x0.0x1:${p}/hooks`,
        `http://0177.0.0.01:${p}/hooks`,
        `http://%31%32%37.0.0.1:${p}/hooks`,
        `HTTP://LOCALHOST.:${p}/hooks`,
        `http://127.0.0.1:${p}\\@93.184.216.34/hooks`,
        'http://[::ffff:a9fe:a9fe]/latest/meta-data/',
        'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
        'http://[2002:a9fe:a9fe::]/latest/meta-data/',
        'http://[64:ff9b:1:a9fe:a9:fe00::]/latest/meta-data/',
        'http://[2002:a00:1::]/hooks',
        'http://[::ffff:10.0.0.1]/hooks',
        'http://[fec0::1]/hooks',
      ]) {
        const res = await setWebhook(m, url);
        expect(res.status, url).toBe(400);
        expect(res.body.error, url).toMatchObject({ code: 'parameter_invalid', param: 'webhook_url' });
      }
      expect(await storedUrl(m)).toBe(PUBLIC_URL);
      expect(internal.calls).toEqual([]);
    });

    it('lets no request switch on the private-address allowance: neither a setting in the body nor a header', async () => {
      const m = await merchant();
      const local = `http://127.0.0.1:${internal.port}/hooks`;
      for (const extra of [{ allow_private_webhooks: true }, { ALLOW_PRIVATE_WEBHOOKS: '1' }, { webhook_targets: { allowPrivate: true } }]) {
        const res = await setWebhook(m, local, extra);
        expect(res.status, JSON.stringify(extra)).toBe(400);
      }
      for (const [name, value] of [
        ['allow-private-webhooks', '1'],
        ['x-allow-private-webhooks', '1'],
        ['x-forwarded-for', '127.0.0.1'],
      ]) {
        const res = await setWebhook(m, local, {}, { [name]: value });
        expect(res.status, name).toBe(400);
      }
      expect(v.runtime.deps.webhookTargets.allowPrivate).toBe(false);
      expect(await storedUrl(m)).toBeNull();
      expect(internal.calls).toEqual([]);
    });

    it('is not held by a receiver that answers 200 and then an endless body, nor by one whose headers never fit', async () => {
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const endless = await server();
      endless.answer((_c, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('x'.repeat(64 * 1024))), 5);
        endless.timers.add(t);
      });
      const m = await merchant();
      expect((await setWebhook(m, `http://127.0.0.1:${endless.port}/hooks`)).status).toBe(200);
      const started = Date.now();
      const ok = await redeliver(m, await emit(m));
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toMatchObject({ status_code: 200, error: null, delivery: { status: 'delivered' } });
      expect(Date.now() - started).toBeLessThan(5000);

      const bloated = await server();
      bloated.answer((_c, res) => {
        res.writeHead(200, { 'x-padding': 'y'.repeat(256 * 1024) });
        res.end();
      });
      const b = await merchant();
      expect((await setWebhook(b, `http://127.0.0.1:${bloated.port}/hooks`)).status).toBe(200);
      const refused = await redeliver(b, await emit(b));
      expect(refused.status, refused.text).toBe(200);
      expect(refused.body).toMatchObject({ status_code: null, error: 'connection_failed' });
      expect(refused.text).not.toMatch(/HPE_|overflow|header/i);
    });

    it('with ALLOW_PRIVATE_WEBHOOKS=1, delivers to IPv6 loopback ([::1]) and takes a localhost that resolves to 127.0.0.1 and ::1', async () => {
      // The operator allowed loopback; ::1 sits inside the never-allowed ::/96 (IPv4-compatible) block.
      const targets = v.runtime.deps.webhookTargets;
      const { allowPrivate, resolve } = targets;
      onTestFinished(() => {
        Object.assign(targets, { allowPrivate, resolve });
      });
      targets.allowPrivate = true;
      const six = await server('::1');
      const m = await merchant();
      const direct = await setWebhook(m, `http://[::1]:${six.port}/hooks`);
      expect(direct.status, direct.text).toBe(200);
      const sent = await redeliver(m, await emit(m));
      expect(sent.body).toMatchObject({ status_code: 200, error: null });
      expect(six.calls).toHaveLength(1);

      // localhost as /etc/hosts answers it on Debian, Ubuntu, macOS: `127.0.0.1 localhost` and `::1 localhost`.
      const four = await server();
      targets.resolve = dnsAnswers(['127.0.0.1', '::1']).resolve;
      const n = await merchant();
      const byName = await setWebhook(n, `http://localhost:${four.port}/hooks`);
      expect(byName.status, byName.text).toBe(200);
    });
  });

  describe('forwarding', () => {
    let shop: Shop;
    let dest: Recorder;
    let card = '';
    let keys = 0;
    const replies: Reply[] = [];
    const send = async (request: Record<string, unknown>, destination = 'psp') => {
      const r = await shop.api(
        'POST',
        '/v1/forward',
        { destination, customer: 'victim', card, request: { method: 'POST', body: { pan: '{{card.number}}' }, ...request } },
        { 'idempotency-key': `out-${target}-${++keys}` },
      );
      replies.push(r);
      return r;
    };

    beforeAll(async () => {
      dest = await recorder();
      shop = await newShop(v, { settings: { frame_limit_per_address: 0 } });
      for (const [name, url] of [
        ['psp', `http://127.0.0.1:${dest.port}/api/v1?account=op-123`],
        ['gone', `http://127.0.0.1:1/api/v1`],
      ]) {
        await addDestination(v.runtime.deps.db, v.runtime.deps.ring, {
          merchantId: shop.id,
          live: false,
          name,
          url,
          headers: { Authorization: 'Bearer op-credential-5b2e91c7d3' },
          now: new Date(),
        });
      }
      const imported = await shop.api('POST', '/v1/customers/victim/cards', { number: PAN, exp_month: 4, exp_year: YEAR });
      expect(imported.status, imported.text).toBe(201);
      card = imported.body.token;
    });
    afterAll(async () => {
      await dest?.close();
    });
    afterEach(() => {
      dest.answer((_c, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });

    it('refuses a path with `..;` segments, which a servlet container (Tomcat, Jetty, Spring) reads as leaving the registered path', async () => {
      const before = dest.calls.length;
      for (const path of ['/..;/admin', '/..;/..;/internal/keys', '/x/..;/..;/..;/admin', '/%2e%2e;x/admin', '/.;/admin']) {
        const res = await send({ path });
        expect(res.status, `${path}: ${res.text}`).toBe(400);
        expect(res.body.error.param).toBe('request.path');
      }
      expect(dest.calls.slice(before)).toEqual([]);
      expect((await send({ path: '/pay;jsessionid=abc/x' })).status).toBe(200);
      for (const c of dest.calls.slice(before)) {
        expect(servletPath(c.url).startsWith('/api/v1/'), `${c.url} is read as ${servletPath(c.url)}`).toBe(true);
      }
    });

    it("refuses a query naming the operator's registered parameter in spellings PHP or `;`-splitting servers read as the same name", async () => {
      // The check refuses ?account=, ?ACCOUNT=, ?account[]= (forward-attacks); these reach the destination.
      const before = dest.calls.length;
      for (const path of ['/pay?+account=evil', '/pay?%20account=evil', '/pay?account%00=evil', '/pay?x=1;account=evil']) {
        const res = await send({ path });
        expect(res.status, `${path}: ${res.text}`).toBe(400);
        expect(res.body.error.param).toBe('request.path');
      }
      const sent = dest.calls.slice(before).map((c) => c.url.split('?')[1] ?? '');
      for (const query of sent) {
        // The operator's account=op-123 comes first; a second "account" read by the server is the merchant's.
        expect(
          phpNames(query).filter((n) => n === 'account'),
          `PHP reads ${query}`,
        ).toHaveLength(1);
        expect(
          semicolonNames(query).filter((n) => n === 'account'),
          `a ;-splitting server reads ${query}`,
        ).toHaveLength(1);
      }
    });

    it("refuses a body naming the operator's registered parameter, which PHP's $_REQUEST and Laravel read over the query's", async () => {
      const before = dest.calls.length;
      const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
      const attempts: Record<string, unknown>[] = [
        { headers: form, body: 'pan={{card.number}}&account=evil' },
        { headers: form, body: 'pan={{card.number}}&+account=evil' },
        { headers: form, body: 'pan={{card.number}}&Account%00=evil' },
        { headers: form, body: 'pan={{card.number}};account=evil' },
        { headers: form, body: 'pan={{card.number}}&account[x]=evil' },
        { body: { pan: '{{card.number}}', account: 'evil' } },
        { body: '{"pan":"{{card.number}}","ACCOUNT":"evil"}' },
      ];
      for (const request of attempts) {
        const res = await send(request);
        expect(res.status, `${JSON.stringify(request)}: ${res.text}`).toBe(400);
        expect(res.body.error.param).toBe('request.body');
      }
      expect(dest.calls.slice(before)).toEqual([]);
      // A field that only contains the name, or sits deeper in a JSON body, is not read over the query.
      expect((await send({ headers: form, body: 'pan={{card.number}}&account_holder=x' })).status).toBe(200);
      expect((await send({ body: { pan: '{{card.number}}', meta: { account: 'x' } } })).status).toBe(200);
    });

    it('refuses merchant headers that would send the request to another virtual host or name another client', async () => {
      const before = dest.calls.length;
      for (const name of ['Host', 'X-Forwarded-Host', 'Forwarded', 'X-Forwarded-For', 'Transfer-Encoding', 'Content-Length']) {
        const res = await send({ headers: { [name]: 'internal.example' } });
        expect(res.status, `${name}: ${res.text}`).toBe(400);
        expect(res.body.error.param).toBe('request.headers');
      }
      expect(dest.calls.length).toBe(before);
    });

    it('answers 502 to a small gzip answer that inflates past 1 MB, at once, without holding it', async () => {
      const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 'a'));
      expect(bomb.length).toBeLessThan(200 * 1024);
      dest.answer((_c, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
        res.end(bomb);
      });
      const started = Date.now();
      const res = await send({});
      expect(res.status, res.text.slice(0, 200)).toBe(502);
      expect(res.text).not.toContain('aaaa');
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3000);
    });

    it('tells an unreachable destination as 502 naming neither its address, its port nor the card', async () => {
      const res = await send({ path: '/cards' }, 'gone');
      expect(res.status, res.text).toBe(502);
      expect(res.body.error.code).toBe('processor_unavailable');
      for (const text of [res.text, v.logs.join('\n')]) {
        expect(text).not.toContain('127.0.0.1:1');
        expect(text).not.toContain('ECONNREFUSED');
        for (const f of numberForms(PAN)) expect(text.includes(f), f).toBe(false);
        expect(text).not.toContain('op-credential-5b2e91c7d3');
      }
    });

    it('puts no card number or credential in any answer or log line of these forwards', () => {
      const text = [replies.map((r) => r.text).join('\n'), v.logs.join('\n')].join('\n');
      for (const f of numberForms(PAN)) expect(text.includes(f), f).toBe(false);
      expect(text).not.toContain('op-credential-5b2e91c7d3');
    });
  });

  describe('a live merchant', () => {
    let live: TestVault;
    let m: CreatedMerchant;
    let sink: Recorder;
    const asLive = (method: string, p: string, body?: unknown, headers?: Record<string, string>) => live.api(method, p, { key: m.secret_key, body, headers });

    beforeAll(async () => {
      live = await startTestVault(target, { vaultKeys: `k1:${crypto.randomBytes(32).toString('base64')}`, publicUrl: 'https://vault.test' });
      m = await createMerchant(live.runtime.deps, { name: 'Live shop', origins: [LIVE_SHOP], live: true });
      const set = await asLive('POST', '/v1/merchant', {
        rate_limit: 0,
        processor: { type: 'stripe', secret_key: `sk_live_51Q${crypto.randomBytes(24).toString('hex')}` },
      });
      expect(set.status, set.text).toBe(200);
      sink = await recorder();
      // Registered while the rule did not exist, or written straight in: the forward must still refuse it.
      await live.runtime.deps.db
        .insertInto('forward_destinations')
        .values({
          id: `fwd_${crypto.randomBytes(12).toString('base64url')}`,
          merchant_id: m.id,
          name: 'clear',
          url: `http://127.0.0.1:${sink.port}/api`,
          header_names: '[]',
          headers_sealed: null,
          cvc_answer_fields: null,
          created_at: new Date().toISOString(),
        })
        .execute();
    }, 60_000);
    afterAll(async () => {
      await sink?.close();
      await live?.close();
    });

    it('sends nothing to a plain-http destination stored for it: POST /v1/forward and a session forward are refused before any card is looked at', async () => {
      const fwd = await asLive(
        'POST',
        '/v1/forward',
        { destination: 'clear', customer: 'c1', card: 'card_doesnotexist0000', request: { method: 'POST', body: { pan: '{{card.number}}' } } },
        { 'idempotency-key': `live-${target}` },
      );
      expect(fwd.body.error?.code, fwd.text).toBe('live_mode_unavailable');
      expect(fwd.body.error.param).toBe('destination');
      const session = await asLive('POST', '/v1/sessions', {
        amount: 1000,
        currency: 'EUR',
        customer: 'c1',
        forward: { destination: 'clear', request: { method: 'POST', body: { pan: '{{card.number}}', cvc: '{{card.cvc}}' } } },
      });
      expect(session.body.error?.code, session.text).toBe('live_mode_unavailable');
      expect(session.body.error.param).toBe('forward.destination');
      expect(sink.calls).toEqual([]);
    });

    it('refuses an http webhook_url spelled in capitals or with a tab, and stores nothing', async () => {
      for (const url of [`HTTP://127.0.0.1:${sink.port}/hooks`, `Http://hooks.shop.example/hooks`, `\thttp://hooks.shop.example/hooks`]) {
        const res = await asLive('POST', '/v1/merchant', { webhook_url: url });
        expect(res.status, url).toBe(400);
      }
      expect((await asLive('GET', '/v1/merchant')).body.webhook_url).toBeNull();
    });
  });
});
