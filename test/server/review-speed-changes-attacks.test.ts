// Attacks on the speed changes (be510d2..fbbf1e8): the routes' own synchronous validation (VaultRouter),
// request headers read from Node's own request (requestHeader), security headers set on Node's own
// response, the dashboard's in-process /v1 calls without the outer request's environment, and SQLite's
// and PostgreSQL's direct reads (the generated row builder's attacks are in sqlite-rows.test.ts). Every
// test asserts the safe answer. Most go over a real socket, byte for byte (repeated headers, obs-fold,
// odd Content-Types), since app.request() never reaches the Node-only paths.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCustomer, getCustomer } from '../../server/customers/customer-store.ts';
import { dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { newShop, openSession, SHOP, startTestVault, type Shop, type TestVault, VAULT } from '../helpers/test-vault.ts';

interface RawReply {
  status: number;
  /** Every header line of the answer, in order, names lower-cased. */
  lines: Array<[string, string]>;
  body: string;
  json: any;
}

/** The value of a header the answer carries; undefined when absent. Several lines are joined by ', '. */
function header(res: RawReply, name: string): string | undefined {
  const values = res.lines.filter(([n]) => n === name).map(([, v]) => v);
  return values.length ? values.join(', ') : undefined;
}
const count = (res: RawReply, name: string) => res.lines.filter(([n]) => n === name).length;

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!size) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * One request written byte for byte (`head` is the request line and header lines, without the blank
 * line), on its own connection that the server closes after answering.
 */
function raw(port: number, head: string[], body: string | Buffer = '', options: { head?: boolean } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const [statusLine, ...headerLines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const lines = headerLines.map((l) => {
        const colon = l.indexOf(':');
        return [l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim()] as [string, string];
      });
      let rest: Buffer = all.subarray(split + 4);
      if (!options.head && lines.some(([n, v]) => n === 'transfer-encoding' && /chunked/i.test(v))) rest = dechunk(rest);
      const text = rest.toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      resolve({ status: Number(statusLine.split(' ')[1]), lines, body: text, json });
    });
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const hasLength = head.some((l) => /^(content-length|transfer-encoding):/i.test(l));
    const lines = [...head, 'Host: 127.0.0.1', 'Connection: close', ...(hasLength || bytes.length === 0 ? [] : [`Content-Length: ${bytes.length}`])];
    socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]));
  });
}

const DEFAULTS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};

/** Each of the four security headers exactly once, with the default value unless `own` names the answer's own. */
function expectSecurityHeaders(res: RawReply, what: string, own: Partial<Record<string, RegExp>> = {}) {
  for (const [name, value] of Object.entries(DEFAULTS)) {
    expect(count(res, name), `${what}: ${name} lines (${JSON.stringify(res.lines)})`).toBe(1);
    if (own[name]) expect(header(res, name), `${what}: ${name}`).toMatch(own[name]!);
    else expect(header(res, name), `${what}: ${name}`).toBe(value);
  }
}

let n = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++n}`;
const PASSWORD = 'correct horse battery 42';

describeEachDb('review of the speed changes: attacks over HTTP', (target) => {
  let v: TestVault;
  let server: ReturnType<typeof serve>;
  let port: number;
  let a: Shop;
  let b: Shop;
  const authA = () => `Authorization: Bearer ${a.secret_key}`;
  const authB = () => `Authorization: Bearer ${b.secret_key}`;

  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    server = serve({ fetch: v.runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    port = (server.address() as AddressInfo).port;
    a = await newShop(v);
    b = await newShop(v);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await v.close();
  });

  const get = (p: string, ...headers: string[]) => raw(port, [`GET ${p} HTTP/1.1`, ...headers]);
  const post = (p: string, headers: string[], body: string | Buffer = '') => raw(port, [`POST ${p} HTTP/1.1`, ...headers], body);

  // ---- The API key, read from Node's own request ----

  it('authenticates one Authorization header, in any letter case of its name', async () => {
    for (const name of ['Authorization', 'authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn']) {
      const res = await get('/v1/customers/someone', `${name}: Bearer ${a.secret_key}`);
      expect(res.status, `${name}: ${res.body}`).toBe(200);
    }
  });

  it('refuses two Authorization headers (two merchants, or the same key twice), as no merchant', async () => {
    const customer = unique('two-auth');
    await a.api('POST', `/v1/customers/${customer}`, { status: 'deny' });
    for (const pair of [
      [authA(), authB()],
      [authB(), authA()],
      [authA(), authA()],
      [authA(), 'Authorization: Bearer sk_test_wrong'],
      ['Authorization: Bearer sk_test_wrong', authA()],
      [authA(), 'Authorization:'],
      ['Authorization:', authA()],
    ]) {
      const res = await get(`/v1/customers/${customer}`, ...pair);
      expect(res.status, `${pair.join(' | ')}: ${res.body}`).toBe(401);
      expect(res.json?.error?.code).toBe('invalid_api_key');
      expectSecurityHeaders(res, pair.join(' | '));
    }
  });

  it('refuses an Authorization header with a trailing comma, a second token, or a key split across two headers', async () => {
    for (const headers of [
      [`Authorization: Bearer ${a.secret_key},`],
      [`Authorization: Bearer ${a.secret_key}, Bearer ${b.secret_key}`],
      [`Authorization: Bearer ${a.secret_key} ${b.secret_key}`],
      ['Authorization: Bearer', `Authorization: ${a.secret_key}`],
      [`Authorization: Bearer ${a.secret_key.slice(0, 12)}`, `Authorization: ${a.secret_key.slice(12)}`],
      [`Authorization: Basic ${Buffer.from(`${a.secret_key}:`).toString('base64')}`],
    ]) {
      const res = await get('/v1/customers/someone', ...headers);
      expect(res.status, `${headers.join(' | ')}: ${res.body}`).toBe(401);
    }
  });

  it('answers an Authorization header folded over two lines (obs-fold) with a refusal, never a 500', async () => {
    const res = await raw(port, ['GET /v1/customers/someone HTTP/1.1', 'Authorization: Bearer', ` ${a.secret_key}`]);
    // Node refuses obs-fold outright (400); were it accepted, the folded value is the one key.
    expect([200, 400, 401]).toContain(res.status);
    const bad = await raw(port, ['GET /v1/customers/someone HTTP/1.1', `Authorization: Bearer ${a.secret_key}`, ` ${b.secret_key}`]);
    expect([400, 401]).toContain(bad.status);
  });

  it("never shows merchant B another merchant's customer (same name in both), even under many concurrent reads", async () => {
    const customer = unique('both');
    expect((await a.api('POST', `/v1/customers/${customer}`, { status: 'deny', email: 'a@shop-a.example' })).status).toBe(200);
    expect((await b.api('POST', `/v1/customers/${customer}`, { email: 'b@shop-b.example' })).status).toBe(200);
    const reads = Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? 'a' : 'b')).map(async (who) => {
      const res = await get(`/v1/customers/${customer}`, who === 'a' ? authA() : authB());
      return { who, res };
    });
    for (const { who, res } of await Promise.all(reads)) {
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject(who === 'a' ? { status: 'deny', email: 'a@shop-a.example' } : { status: 'none', email: 'b@shop-b.example' });
    }
  });

  it("refuses merchant B's key on merchant A's session, customer's cards and charges (404, not A's data)", async () => {
    const s = await openSession(v, { customer: 'cross-read' }, a.secret_key);
    const session = await get(`/v1/sessions/${s.id}`, authB());
    expect(session.status, session.body).toBe(404);
    expect(session.body).not.toContain(s.id.slice(3));
    const mine = await get(`/v1/sessions/${s.id}`, authA());
    expect(mine.status).toBe(200);
  });

  // ---- The frame's authorisation ----

  it("refuses the frame's calls with a repeated Origin, Checkout-Host-Origin or Authorization", async () => {
    const s = await openSession(v, { customer: unique('frame') }, a.secret_key);
    const good = [`Origin: ${VAULT}`, `Checkout-Host-Origin: ${SHOP}`, `Authorization: Bearer ${s.secret}`, 'Content-Type: application/json'];
    const ok = await post('/frame/v1/session', good, '{}');
    expect(ok.status, ok.body).toBe(200);
    const other = await openSession(v, { customer: unique('frame') }, b.secret_key);
    for (const [i, extra] of [
      [0, `Origin: ${VAULT}`],
      [0, 'Origin: http://evil.test'],
      [1, `Checkout-Host-Origin: ${SHOP}`],
      [1, 'Checkout-Host-Origin: http://evil.test'],
      [2, `Authorization: Bearer ${other.secret}`],
      [2, `Authorization: Bearer ${s.secret}`],
    ] as const) {
      const headers = [...good];
      headers.splice(i + 1, 0, extra);
      const res = await post('/frame/v1/session', headers, '{}');
      expect(res.status, `${extra}: ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body).not.toContain(other.id);
    }
  });

  // ---- JSON bodies and their validation ----

  const sessionBody = '{"amount":"not a number","currency":"USD"}';

  it('validates the body under every Content-Type it accepts as JSON (parameters, letter case, +json, a charset)', async () => {
    for (const type of [
      'application/json',
      'APPLICATION/JSON',
      'Application/Json; charset=UTF-8',
      'application/json;charset=utf-16',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/vnd.api+json',
      ' application/json ',
    ]) {
      const res = await post('/v1/sessions', [authA(), `Content-Type: ${type}`], sessionBody);
      expect(res.status, `${type}: ${res.body}`).toBe(400);
      expect(res.json.error.param, type).toBe('amount');
    }
  });

  it('refuses a JSON text sent under any other Content-Type, two Content-Types, or none, before any route runs', async () => {
    const valid = '{"amount":1999,"currency":"USD"}';
    for (const types of [
      [],
      ['Content-Type: text/plain'],
      ['Content-Type: application/x-www-form-urlencoded'],
      ['Content-Type: multipart/form-data; boundary=x'],
      ['Content-Type: application/jsonp'],
      ['Content-Type: application/json5'],
      ['Content-Type: text/json'],
      ['Content-Type: application/json, text/plain'],
      ['Content-Type: text/plain', 'Content-Type: application/json'],
      ['Content-Type: application/json', 'Content-Type: application/json'],
      ['Content-Type: application/json', 'Content-Type: text/plain'],
    ]) {
      const res = await post('/v1/sessions', [authA(), ...types], valid);
      expect(res.status, `${types.join(' | ')}: ${res.body}`).toBe(400);
      expect(res.json.error.code).toBe('body_not_json');
    }
  });

  it('refuses a form-encoded body, and a body that is not a JSON object, with the contract 400', async () => {
    const cases: Array<[string, string]> = [
      ['application/x-www-form-urlencoded', 'amount=1999&currency=USD'],
      ['application/json', 'amount=1999&currency=USD'],
      ['application/json', '[{"amount":1999,"currency":"USD"}]'],
      ['application/json', 'null'],
      ['application/json', '"amount"'],
      ['application/json', '1999'],
      ['application/json', '{"amount":1999,"currency":"USD"'],
      ['application/json', '\ufeff{"amount":1999,"currency":"USD"}'],
    ];
    for (const [type, body] of cases) {
      const res = await post('/v1/sessions', [authA(), `Content-Type: ${type}`], body);
      expect(res.status, `${type} ${body}: ${res.body}`).toBe(400);
      expect(['body_not_json', 'parameter_invalid']).toContain(res.json.error.code);
    }
    const utf16 = await post(
      '/v1/sessions',
      [authA(), 'Content-Type: application/json; charset=utf-16'],
      Buffer.from('\ufeff{"amount":1999,"currency":"USD"}', 'utf16le'),
    );
    expect(utf16.status, utf16.body).toBe(400);
  });

  it('takes no parameters from __proto__, constructor or prototype keys: they are refused as unknown', async () => {
    for (const body of [
      '{"__proto__":{"amount":1999,"currency":"USD"}}',
      '{"constructor":{"prototype":{"amount":1999}},"currency":"USD"}',
      '{"amount":1999,"currency":"USD","__proto__":{"customer":"x"}}',
    ]) {
      const res = await post('/v1/sessions', [authA(), 'Content-Type: application/json'], body);
      expect(res.status, `${body}: ${res.body}`).toBe(400);
    }
    expect(({} as Record<string, unknown>).amount).toBeUndefined();
  });

  it('validates an empty body (with a JSON Content-Type, another, or none) as no parameters: the required ones are missing', async () => {
    for (const types of [['Content-Type: application/json'], ['Content-Type: text/plain'], []]) {
      for (const body of ['', '   ', '\r\n']) {
        const res = await post('/v1/sessions', [authA(), ...types], body);
        expect(res.status, `${types.join(' ')} ${JSON.stringify(body)}: ${res.body}`).toBe(400);
        expect(res.json.error).toMatchObject({ code: 'parameter_missing', param: 'amount' });
      }
    }
  });

  it('ignores a body sent on a GET (never parsed, nor taken as parameters); an invalid query is still refused', async () => {
    const customer = unique('get-body');
    await a.api('POST', `/v1/customers/${customer}`, { status: 'deny' });
    const withBody = await raw(
      port,
      [`GET /v1/customers/${customer} HTTP/1.1`, authA(), 'Content-Type: application/json'],
      '{"customer":"other","status":"none"}',
    );
    expect(withBody.status, withBody.body).toBe(200);
    expect(withBody.json).toMatchObject({ customer, status: 'deny' });
    const notJson = await raw(port, [`GET /v1/customers/${customer} HTTP/1.1`, authA(), 'Content-Type: text/plain'], 'not json at all');
    expect(notJson.status, notJson.body).toBe(200);
    // The list's query is validated whatever the body says.
    const badLimit = await raw(port, ['GET /v1/customers?limit=1000 HTTP/1.1', authA(), 'Content-Type: application/json'], '{"limit":5}');
    expect(badLimit.status, badLimit.body).toBe(400);
    expect(badLimit.json.error.param).toBe('limit');
  });

  it('validates every query, path and body the contract declares, on every route (from /openapi.json)', async () => {
    const doc = (await get('/openapi.json')).json as { paths: Record<string, Record<string, any>> };
    const checked: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'delete'].includes(method)) continue;
        const frame = p.startsWith('/frame/');
        if (!p.startsWith('/v1/') && !frame) continue;
        const params = (op.parameters ?? []) as Array<{ in: string; name: string; schema: any }>;
        // A path parameter the declared schema refuses: longer than its maxLength, or against its pattern.
        const refused = (schema: any): string | undefined => {
          if (typeof schema?.maxLength === 'number') return 'x'.repeat(schema.maxLength + 1);
          if (typeof schema?.pattern === 'string') return ['~~', 'a%20b', 'x'.repeat(300)].find((c) => !new RegExp(schema.pattern).test(decodeURIComponent(c)));
          return undefined;
        };
        const pathParams = params.filter((q) => q.in === 'path');
        let headers: string[] = [authA()];
        if (frame) {
          const s = await openSession(v, { customer: unique('frame-v') }, a.secret_key);
          headers = [`Origin: ${VAULT}`, `Checkout-Host-Origin: ${SHOP}`, `Authorization: Bearer ${s.secret}`];
        }
        const send = (url: string, body?: string, type = 'application/json') =>
          raw(port, [`${method.toUpperCase()} ${url} HTTP/1.1`, ...headers, ...(body === undefined ? [] : [`Content-Type: ${type}`])], body ?? '');
        for (const param of pathParams) {
          const bad = refused(param.schema);
          if (bad === undefined) continue;
          const url = p.replace(/{([^}]+)}/g, (_, name) => (name === param.name ? bad : 'x'));
          const res = await send(url, method === 'get' ? undefined : '{}');
          expect(res.status, `${method} ${url.slice(0, 80)}: ${res.body}`).toBe(400);
          expect(res.json.error.param, `${method} ${p} {${param.name}}`).toBe(param.name);
          checked.push(`${method} ${p} {${param.name}}`);
        }
        const validPath = p.replace(/{[^}]+}/g, 'x');
        for (const q of params.filter((q) => q.in === 'query' && ['integer', 'number'].includes(q.schema?.type))) {
          const res = await send(`${validPath}?${q.name}=not-a-number`);
          expect(res.status, `${method} ${p}?${q.name}: ${res.body}`).toBe(400);
          expect(res.json.error.param, `${method} ${p}?${q.name}`).toBe(q.name);
          checked.push(`${method} ${p}?${q.name}`);
        }
        if (op.requestBody) {
          // An unknown parameter: every body schema is strict.
          const unknown = await send(validPath, '{"zz_not_a_parameter":1}');
          expect(unknown.status, `${method} ${p} unknown: ${unknown.body}`).toBe(400);
          expect(unknown.json.error.code, `${method} ${p} unknown: ${unknown.body}`).toMatch(/parameter_unknown|parameter_missing|parameter_invalid/);
          // The same as text/plain: refused before the route, never taken unvalidated.
          const plain = await send(validPath, '{"zz_not_a_parameter":1}', 'text/plain');
          expect(plain.status, `${method} ${p} text/plain: ${plain.body}`).toBe(400);
          expect(plain.json.error.code).toBe('body_not_json');
          checked.push(`${method} ${p} body`);
        }
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(35);
    // The check reached the routes it is about.
    expect(checked).toEqual(
      expect.arrayContaining([
        'get /v1/customers/{customer} {customer}',
        'post /v1/sessions body',
        'post /v1/customers/{customer} body',
        'get /v1/customers?limit',
        'post /frame/v1/confirm body',
      ]),
    );
  });

  it('refuses a repeated query parameter where one value is expected, with a 400 (not a 500)', async () => {
    for (const q of ['limit=1&limit=2', 'limit=&limit=3', 'starting_after=a&starting_after=b', 'status=deny&status=none']) {
      const res = await get(`/v1/customers?${q}`, authA());
      expect(res.status, `${q}: ${res.body}`).toBe(400);
    }
  });

  it('keeps the API key and validation on paths spelled otherwise (double slash, encoded, upper case, trailing slash)', async () => {
    for (const p of [
      '//v1/customers/someone',
      '/v1//customers/someone',
      '/%76%31/customers/someone',
      '/V1/customers/someone',
      '/v1/customers/someone/',
      '/v1/./customers/someone',
      '/v1/customers/%73omeone',
    ]) {
      const res = await get(p);
      // Without a key: refused, or no such endpoint; never the customer.
      expect([401, 404], `${p}: ${res.status} ${res.body}`).toContain(res.status);
      expect(res.json?.customer).toBeUndefined();
    }
  });

  // ---- Idempotency-Key ----

  it('takes a repeated Idempotency-Key as one key, consistently: a replay, never a second session, never a 500', async () => {
    const key = unique('idem');
    const body = '{"amount":1234,"currency":"USD"}';
    const headers = [authA(), 'Content-Type: application/json', `Idempotency-Key: ${key}`, `Idempotency-Key: ${key}`];
    const first = await post('/v1/sessions', headers, body);
    expect([201, 400]).toContain(first.status);
    const again = await post('/v1/sessions', headers, body);
    expect(again.status).toBe(first.status);
    if (first.status === 201) {
      expect(again.json.id).toBe(first.json.id);
      expect(header(again, 'idempotent-replayed')).toBe('true');
    }
    // The single key is another key than the repeated one, or the same: either way never someone else's.
    const keyB = unique('idem-b');
    const ofB = await post('/v1/sessions', [authB(), 'Content-Type: application/json', `Idempotency-Key: ${keyB}`], body);
    expect(ofB.status).toBe(201);
    const byA = await post('/v1/sessions', [authA(), 'Content-Type: application/json', `Idempotency-Key: ${keyB}`], body);
    expect(byA.status, byA.body).toBe(201);
    expect(byA.json.id).not.toBe(ofB.json.id);
    expect(header(byA, 'idempotent-replayed')).toBeUndefined();
  });

  it('refuses a repeated Idempotency-Key whose joined value is too long, or holds a card number across the two', async () => {
    const long = 'k'.repeat(200);
    const res = await post(
      '/v1/sessions',
      [authA(), 'Content-Type: application/json', `Idempotency-Key: ${long}`, `Idempotency-Key: ${long}`],
      '{"amount":1,"currency":"USD"}',
    );
    expect(res.status, res.body).toBe(400);
    expect(res.json.error.param).toBe('Idempotency-Key');
    const card = await post(
      '/v1/sessions',
      [authA(), 'Content-Type: application/json', 'Idempotency-Key: 4242 4242', 'Idempotency-Key: 4242 4242'],
      '{"amount":1,"currency":"USD"}',
    );
    expect(card.status, card.body).toBe(400);
  });

  // ---- Security headers on every answer ----

  it('carries each security header exactly once on answers, refusals, 404s, other methods and HEAD requests', async () => {
    const answers: Array<[string, Promise<RawReply>]> = [
      ['GET /health', get('/health')],
      ['HEAD /health', raw(port, ['HEAD /health HTTP/1.1'], '', { head: true })],
      ['GET /v1/customers', get('/v1/customers', authA())],
      ['HEAD /v1/customers', raw(port, ['HEAD /v1/customers HTTP/1.1', authA()], '', { head: true })],
      ['HEAD /v1/customers (no key)', raw(port, ['HEAD /v1/customers HTTP/1.1'], '', { head: true })],
      ['GET 404', get('/no/such/path')],
      ['GET /v1 404', get('/v1/no/such/path', authA())],
      ['PUT /v1/sessions', raw(port, ['PUT /v1/sessions HTTP/1.1', authA(), 'Content-Type: application/json'], '{}')],
      ['PATCH /v1/customers/x', raw(port, ['PATCH /v1/customers/x HTTP/1.1', authA(), 'Content-Type: application/json'], '{}')],
      ['OPTIONS /v1/sessions', raw(port, ['OPTIONS /v1/sessions HTTP/1.1', 'Origin: http://evil.test'])],
      ['DELETE /health', raw(port, ['DELETE /health HTTP/1.1'])],
      ['POST 400', post('/v1/sessions', [authA(), 'Content-Type: application/json'], sessionBody)],
      ['POST 413', post('/v1/sessions', [authA(), 'Content-Type: application/json'], `{"x":"${'y'.repeat(1024 * 1024)}"}`)],
      ['GET /openapi.json', get('/openapi.json')],
      ['GET /frame (no key)', get('/frame')],
      ['GET /frame (wrong key)', get(`/frame?pk=pk_test_nobody&origin=${encodeURIComponent(SHOP)}`)],
      ['HEAD /frame (wrong key)', raw(port, [`HEAD /frame?pk=pk_test_nobody&origin=${encodeURIComponent(SHOP)} HTTP/1.1`], '', { head: true })],
      ['POST /frame/v1/session (no origin)', post('/frame/v1/session', ['Content-Type: application/json'], '{}')],
      ['GET /dashboard/api/me (no session)', get('/dashboard/api/me')],
      ['GET /v1/customers?limit=x', get('/v1/customers?limit=x', authA())],
    ];
    for (const [what, pending] of answers) {
      const res = await pending;
      expect(res.status, what).toBeLessThan(500);
      // The fields page refuses with a policy of its own, which frames it nowhere.
      const own = what.includes('/frame (') ? { 'content-security-policy': /frame-ancestors 'none'$/ } : {};
      expectSecurityHeaders(res, what, own);
    }
  });

  // app.ts ran refuseNulInPath before securityHeaders(), so this 400 went out without nosniff, the CSP,
  // Referrer-Policy or no-store, over Node and app.request alike.
  it('carries them once on a path holding a NUL (%00), refused before any route', async () => {
    const res = await get('/v1/customers/%00', authA());
    expect(res.status).toBe(400);
    expectSecurityHeaders(res, 'GET /v1/customers/%00');
  });

  it("lets the fields page's own policy win, once, on GET and HEAD: frame-ancestors of the shop only", async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await raw(port, [`${method} /frame?pk=${a.publishable_key}&origin=${encodeURIComponent(SHOP)} HTTP/1.1`], '', { head: method === 'HEAD' });
      expect(res.status, method).toBe(200);
      expectSecurityHeaders(res, `${method} /frame`, { 'content-security-policy': new RegExp(`frame-ancestors ${SHOP.replace(/[.]/g, '\\.')}(;|$)`) });
      expect(header(res, 'content-security-policy')).not.toContain("frame-ancestors 'none'");
    }
    // A page origin the merchant never allowed: no frame-ancestors naming it.
    const evil = await get(`/frame?pk=${a.publishable_key}&origin=${encodeURIComponent('http://evil.test')}`);
    expect(header(evil, 'content-security-policy') ?? '').not.toContain('evil.test');
    expect(count(evil, 'content-security-policy')).toBe(1);
  });

  it('carries each security header once on pages with a policy of their own: docs, dashboard, assets, the icon, HEAD too', async () => {
    const pages: Array<[string, string, Partial<Record<string, RegExp>>]> = [
      ['GET', '/docs', { 'content-security-policy': /frame-ancestors 'none'/, 'cache-control': /^public, max-age=\d+$/ }],
      ['HEAD', '/docs', { 'content-security-policy': /frame-ancestors 'none'/, 'cache-control': /^public, max-age=\d+$/ }],
      ['GET', '/dashboard/sign-in', { 'content-security-policy': /frame-ancestors 'none'/ }],
      ['GET', '/dashboard', { 'content-security-policy': /frame-ancestors 'none'/ }],
      ['GET', '/dashboard/set-password', { 'content-security-policy': /frame-ancestors 'none'/ }],
      ['GET', '/checkout.js', { 'cache-control': /^public, max-age=\d+/ }],
      ['HEAD', '/checkout.js', { 'cache-control': /^public, max-age=\d+/ }],
      ['GET', '/dashboard/assets/dashboard.js', { 'cache-control': /^public, max-age=\d+/ }],
      ['GET', '/favicon.ico', { 'cache-control': /^public, max-age=\d+/ }],
    ];
    for (const [method, p, own] of pages) {
      const res = await raw(port, [`${method} ${p} HTTP/1.1`], '', { head: method === 'HEAD' });
      expect(res.status, `${method} ${p}`).toBeLessThan(500);
      expectSecurityHeaders(res, `${method} ${p} (${res.status})`, own);
    }
  });

  it('refuses an oversized Authorization header with the security headers, and never a 500', async () => {
    const res = await get('/v1/customers/someone', `Authorization: Bearer sk_test_${'a'.repeat(8000)}`);
    expect(res.status).toBe(401);
    expectSecurityHeaders(res, 'oversized Authorization');
    // Past Node's own limit (16 KB of headers): Node answers 431 itself, before the vault.
    const huge = await get('/v1/customers/someone', `Authorization: Bearer sk_test_${'a'.repeat(20000)}`);
    expect([400, 431]).toContain(huge.status);
  });

  // ---- The dashboard's in-process /v1 calls ----

  async function staffOf(shop: Shop) {
    const d = dashboard(v);
    const cookie = await d.signedIn(`${unique('staff')}@shop.example`, PASSWORD, { merchant: shop.id });
    const { csrf_token } = await d.me(cookie);
    return { cookie, csrf: csrf_token };
  }

  it("acts for the staff member's own merchant only, whatever Authorization or X-Forwarded-For the outer request carries", async () => {
    const staffA = await staffOf(a);
    const customer = unique('staff-read');
    await b.api('POST', `/v1/customers/${customer}`, { status: 'deny', email: 'only-b@shop-b.example' });
    for (const extra of [[authB()], [authB(), authB()], ['X-Forwarded-For: 203.0.113.9'], [authB(), 'X-Forwarded-For: 10.0.0.1, 203.0.113.9']]) {
      const res = await get(`/dashboard/api/v1/customers/${customer}`, `Cookie: ${staffA.cookie}`, ...extra);
      expect(res.status, `${extra.join(' | ')}: ${res.body}`).toBe(200);
      // A's view of that customer: none of B's settings.
      expect(res.json).toMatchObject({ customer, status: 'none' });
      expect(res.body).not.toContain('only-b@');
      expectSecurityHeaders(res, `dashboard read ${extra.join(' | ')}`);
    }
    // With B's key and no session: the dashboard refuses, the key is not taken.
    const keyOnly = await get(`/dashboard/api/v1/customers/${customer}`, authB());
    expect(keyOnly.status).toBe(401);
  });

  it("makes a change over HTTP with the staff member's body and keeps another merchant's Idempotency-Key apart", async () => {
    const staffA = await staffOf(a);
    const customer = unique('staff-change');
    const key = unique('shared-key');
    const ofB = await post(`/v1/customers/${customer}`, [authB(), 'Content-Type: application/json', `Idempotency-Key: ${key}`], '{"email":"b@shop-b.example"}');
    expect(ofB.status, ofB.body).toBe(200);
    const change = (body: string, ...extra: string[]) =>
      post(
        `/dashboard/api/v1/customers/${customer}`,
        [`Cookie: ${staffA.cookie}`, `X-CSRF-Token: ${staffA.csrf}`, `Origin: ${VAULT}`, 'Content-Type: application/json', `Idempotency-Key: ${key}`, ...extra],
        body,
      );
    const res = await change('{"status":"deny"}', authB(), 'X-Forwarded-For: 198.51.100.7');
    expect(res.status, res.body).toBe(200);
    expect(res.json).toMatchObject({ customer, status: 'deny' });
    expect(res.body).not.toContain('b@shop-b.example');
    expect(header(res, 'idempotent-replayed')).toBeUndefined();
    expectSecurityHeaders(res, 'dashboard change');
    // A's customer changed, B's untouched.
    expect((await a.api('GET', `/v1/customers/${customer}`)).body.status).toBe('deny');
    expect((await b.api('GET', `/v1/customers/${customer}`)).body).toMatchObject({ status: 'none', email: 'b@shop-b.example' });
    // The dashboard's body is validated in process like any other: an unknown parameter, a text body.
    const unknown = await post(
      `/dashboard/api/v1/customers/${customer}`,
      [`Cookie: ${staffA.cookie}`, `X-CSRF-Token: ${staffA.csrf}`, `Origin: ${VAULT}`, 'Content-Type: application/json', `Idempotency-Key: ${unique('k')}`],
      '{"zz_unknown":1}',
    );
    expect(unknown.status, unknown.body).toBe(400);
    const plain = await post(
      `/dashboard/api/v1/customers/${customer}`,
      [`Cookie: ${staffA.cookie}`, `X-CSRF-Token: ${staffA.csrf}`, `Origin: ${VAULT}`, 'Content-Type: text/plain', `Idempotency-Key: ${unique('k')}`],
      '{"status":"none"}',
    );
    expect(plain.status, plain.body).toBe(400);
    expect(plain.json.error.code).toBe('body_not_json');
    const twoTypes = await post(
      `/dashboard/api/v1/customers/${customer}`,
      [`Cookie: ${staffA.cookie}`, `X-CSRF-Token: ${staffA.csrf}`, `Origin: ${VAULT}`, 'Content-Type: text/plain', 'Content-Type: application/json'],
      '{"status":"none"}',
    );
    expect(twoTypes.status, twoTypes.body).toBe(400);
    expect((await a.api('GET', `/v1/customers/${customer}`)).body.status).toBe('deny');
  });

  it('passes no body, Content-Type or unlisted header to an in-process change that takes no body', async () => {
    const staffA = await staffOf(a);
    // DELETE of a card that does not exist: the route answers 404 whatever body or type came with it.
    const res = await raw(
      port,
      [
        'DELETE /dashboard/api/v1/customers/nobody/cards/card_nothing HTTP/1.1',
        `Cookie: ${staffA.cookie}`,
        `X-CSRF-Token: ${staffA.csrf}`,
        `Origin: ${VAULT}`,
        'Content-Type: text/plain',
      ],
      'this is not JSON',
    );
    expect(res.status, res.body).toBe(404);
    expectSecurityHeaders(res, 'dashboard delete');
  });
});

describe('review of the speed changes: SQLite direct reads', () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault('sqlite');
  });
  afterAll(() => v?.close());

  it("never answers a request with another request's uncommitted customer (readNow while a transaction is open)", async () => {
    const customer = unique('uncommitted');
    const db = v.runtime.deps.db;
    let inside!: () => void;
    const written = new Promise<void>((resolve) => (inside = resolve));
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const transaction = db.transaction().execute(async (trx) => {
      await ensureCustomer(trx, v.merchant.group, customer, new Date());
      await trx.updateTable('customers').set({ status: 'deny' }).where('group_id', '=', v.merchant.group).where('customer', '=', customer).execute();
      inside();
      // Open across other requests' turns, its row not committed.
      await held;
      throw new Error('roll back');
    });
    await written;
    const meanwhile = v.api('GET', `/v1/customers/${customer}`);
    // The store's own prepared read, straight on the database (where readNow would answer at once).
    const direct = getCustomer(db, v.merchant.group, customer);
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    finish();
    await expect(transaction).rejects.toThrow('roll back');
    expect(await direct).toBeUndefined();
    const res = await meanwhile;
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('none');
  });

  it('waits for an open streamed read instead of running beside it (better-sqlite3 would refuse: a 500)', async () => {
    const db = v.runtime.deps.db;
    const names = [unique('stream'), unique('stream'), unique('stream')];
    for (const name of names) await ensureCustomer(db, v.merchant.group, name, new Date());
    const rows = db.selectFrom('customers').selectAll().where('group_id', '=', v.merchant.group).stream()[Symbol.asyncIterator]();
    expect((await rows.next()).done).toBe(false);
    // The stream is open on the one connection: a direct read now must queue, not throw.
    const meanwhile = getCustomer(db, v.merchant.group, names[2]);
    const api = v.api('GET', `/v1/customers/${names[1]}`);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    await rows.return?.(undefined);
    expect((await meanwhile)?.customer).toBe(names[2]);
    expect((await api).status).toBe(200);
  });
});
