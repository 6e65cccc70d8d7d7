// Attacks on forwarding a saved card: a merchant that wants the raw number (or the operator's
// credential) back through the destination's answer, a merchant that tries to steer the card to an
// address nobody registered, a sister shop or another merchant naming a card that is not theirs, and a
// destination that redirects, answers slowly or answers too much. The destinations are local servers.
import type http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addDestination } from '../../server/forward/destination-store.ts';
import { registeredValueHider } from '../../server/forward/mask-answer.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { listenLocally, type LocalServer } from '../helpers/local-server.ts';
import { LIFTABLE_LIMITS, newCard, newShop, startTestVault, type Reply, type Shop, type TestVault } from '../helpers/test-vault.ts';

/** Luhn-valid, with middle digits unlike its BIN and last four, so that a partial leak shows. */
// A test card's first six and last four (a test-mode shop takes no other), its middle its own.
const PAN = '4242426556624242';
const MIDDLE = PAN.slice(6, 12);
const YEAR = new Date().getUTCFullYear() + 3;
const TIMEOUT_MS = 1500;
const SECRET = 'op-credential-7f3a9c21d4e8b6';
const CVC = '583';

interface Call {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (call: Call, res: http.ServerResponse) => void;

const numberForms = (n: string) => [n, n.match(/.{1,4}/g)!.join(' '), n.match(/.{1,4}/g)!.join('-')];

describe("hiding the operator's registered header values in an answer", () => {
  it('hides a credential in every form it is quoted in, and leaves the words of Accept and User-Agent alone', () => {
    const hide = registeredValueHider({ Authorization: 'Bearer sk_live_4fJ9aQ2mZx', Accept: 'application/json', 'User-Agent': 'ShopClient/2.1 (operator)' });
    const answer = '{"error":"token sk_live_4fJ9aQ2mZx refused","echo":"Bearer sk_live_4fJ9aQ2mZx","type":"application/json","ua":"ShopClient/2.1 (operator)"}';
    const shown = hide(answer);
    expect(shown).not.toContain('sk_live_4fJ9aQ2mZx');
    expect(shown).toContain('"type":"application/json"');
    expect(shown).toContain('ShopClient/2.1 (operator)');
  });
});

describeEachDb('forwarding attacks', (target) => {
  let v: TestVault;
  let shop: Shop;
  let sister: Shop;
  let other: Shop;
  let dest: LocalServer;
  let elsewhere: LocalServer;
  const calls: Call[] = [];
  const elsewhereCalls: Call[] = [];
  let handler: Handler;
  const replies: Reply[] = [];
  let keys = 0;
  let card = '';
  const defaultHandler: Handler = (_call, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };

  const record = async (p: Promise<Reply>) => {
    const r = await p;
    replies.push(r);
    return r;
  };
  const forward = (s: Shop, body: Record<string, unknown>, key = `atk-${target}-${++keys}`) =>
    record(s.api('POST', '/v1/forward', body, { 'idempotency-key': key }));
  const send = (request: Record<string, unknown>, destination = 'psp', s: Shop = shop) =>
    forward(s, { destination, customer: 'victim', card, request: { method: 'POST', ...request } });

  const collect = (into: Call[], onCall: () => Handler) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const call = { method: req.method!, url: req.url!, headers: req.headers, body };
      into.push(call);
      onCall()(call, res);
    });
  };

  beforeAll(async () => {
    dest = await listenLocally(collect(calls, () => handler));
    elsewhere = await listenLocally(collect(elsewhereCalls, () => defaultHandler));
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorTimeoutMs: TIMEOUT_MS });
    shop = await newShop(v, { settings: { frame_limit_per_address: 0 } });
    sister = await newShop(v, { group: shop.group, settings: { frame_limit_per_address: 0 } });
    other = await newShop(v);
    const base = `http://127.0.0.1:${dest.port}/api/v1`;
    for (const [s, name, headers, fields] of [
      [shop, 'psp', { Authorization: `Bearer ${SECRET}` }, []],
      [shop, 'psp-cvc', { Authorization: `Bearer ${SECRET}` }, ['id', 'status']],
      [shop, 'psp-key', { 'X-Api-Key': SECRET }, []],
      [shop, 'psp-basic', { Authorization: `Basic ${Buffer.from(`shop-7:${SECRET}`).toString('base64')}` }, []],
      [sister, 'psp', {}, []],
      [other, 'psp', {}, []],
    ] as const) {
      await addDestination(v.runtime.deps.db, v.runtime.deps.ring, {
        merchantId: s.id,
        live: false,
        name,
        url: name === 'psp' && s === shop ? `${base}?account=op-123` : base,
        headers: { ...headers },
        cvcAnswerFields: [...fields],
        now: new Date(),
      });
    }
    const imported = await shop.api('POST', '/v1/customers/victim/cards', { number: PAN, exp_month: 4, exp_year: YEAR });
    expect(imported.status, imported.text).toBe(201);
    card = imported.body.token;
  }, 60_000);
  afterAll(async () => {
    await v?.close();
    await Promise.all([dest?.close(), elsewhere?.close()]);
  });
  beforeEach(() => {
    handler = defaultHandler;
  });

  describe('where the card goes', () => {
    it('never follows a redirect, and never hands its Location back', async () => {
      for (const status of [301, 302, 303, 307, 308]) {
        handler = (_c, res) => {
          res.writeHead(status, { location: `http://127.0.0.1:${elsewhere.port}/steal?from=${status}`, 'content-type': 'text/plain' });
          res.end('moved');
        };
        const res = await send({ body: { pan: '{{card.number}}' } });
        expect(res.status, res.text).toBe(200);
        expect(res.body.status).toBe(status);
        expect(Object.keys(res.body.headers)).not.toContain('location');
      }
      expect(elsewhereCalls).toHaveLength(0);
    });

    it('keeps every path and query the merchant writes under the registered URL', async () => {
      const paths = [
        '/%2e%2e/%2e%2e/admin',
        '/.%2E/admin',
        '/%2E%2e',
        '/x/..',
        '/x/%2e',
        '/x/%2F..%2Fadmin',
        '/%252e%252e/admin',
        `/@127.0.0.1:${elsewhere.port}/steal`,
        `//127.0.0.1:${elsewhere.port}/steal`,
        `/\\127.0.0.1:${elsewhere.port}/steal`,
        '/x?y=../../admin',
        '/x;/../admin',
        '/x#frag',
        '/x\t/../admin',
        '/x%0d%0aHost:%20evil',
        '/ｘ/．．/admin',
      ];
      const before = calls.length;
      for (const path of paths) {
        const res = await send({ path, body: { pan: '{{card.number}}' } });
        expect([200, 400], `${path}: ${res.text}`).toContain(res.status);
      }
      for (const c of calls.slice(before)) {
        expect(c.url.startsWith('/api/v1/'), c.url).toBe(true);
        expect(new URL(c.url, 'http://x').pathname.split('/').slice(0, 3).join('/')).toBe('/api/v1');
      }
      expect(elsewhereCalls).toHaveLength(0);
    });

    it('fills no placeholder outside the body: not in the path or query, even percent-encoded, nor in a header', async () => {
      const before = calls.length;
      for (const request of [
        { path: '/x?pan={{card.number}}', body: {} },
        { path: '/x?pan={{ card.number }}', body: {} },
        { path: '/x?pan=%7B%7Bcard.number%7D%7D', body: {} },
        { path: '/%7B%7Bcard.number%7D%7D', body: {} },
        { headers: { 'X-Pan': '{{ card.number }}' }, body: {} },
        { headers: { 'X-Pan': '{ {card.number}}' }, body: {} },
      ]) {
        await send(request);
      }
      for (const c of calls.slice(before)) {
        expect(c.url).not.toContain(PAN);
        expect(JSON.stringify(c.headers)).not.toContain(PAN);
      }
    });

    it("lets the merchant's query repeat none of the registered URL's parameters", async () => {
      const before = calls.length;
      for (const path of ['/pay?account=evil', '/pay?x=1&ACCOUNT=evil', '/pay?acc%6Funt=evil', '/pay?account', '/pay?account[]=evil']) {
        const res = await send({ path, body: { pan: '{{card.number}}' } });
        expect(res.status, `${path}: ${res.text}`).toBe(400);
        expect(res.body.error.param).toBe('request.path');
      }
      expect(calls.length).toBe(before);
      const ok = await send({ path: '/pay?order=1', body: { pan: '{{card.number}}' } });
      expect(ok.status, ok.text).toBe(200);
      expect(calls.at(-1)!.url).toBe('/api/v1/pay?account=op-123&order=1');
    });

    it('refuses a header that a server would read as the registered one: another case, or _ for -', async () => {
      const before = calls.length;
      for (const name of ['x-api-key', 'X_Api_Key', 'x_API-key']) {
        const res = await send({ headers: { [name]: 'mine' }, body: { pan: '{{card.number}}' } }, 'psp-key');
        expect(res.status, `${name}: ${res.text}`).toBe(400);
        expect(res.body.error.param).toBe('request.headers');
      }
      expect(calls.length).toBe(before);
    });

    it('refuses a line break in a header the merchant writes, and sends nothing', async () => {
      const before = calls.length;
      for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\rb', 'a\u0000b']) {
        const res = await send({ headers: { 'X-Ref': value }, body: { pan: '{{card.number}}' } });
        expect(res.status).toBe(400);
      }
      expect(calls.length).toBe(before);
    });

    it('refuses a header value HTTP cannot carry, rather than answering 502 and raising card.forwarded for a card never sent', async () => {
      const imported = await shop.api('POST', '/v1/customers/hdr-1/cards', { number: '5555555105194444', exp_month: 4, exp_year: YEAR });
      expect(imported.status, imported.text).toBe(201);
      const before = calls.length;
      for (const value of ['€uro', 'a\u0001b', 'a\u007fb']) {
        const res = await forward(shop, {
          destination: 'psp',
          customer: 'hdr-1',
          card: imported.body.token,
          request: { method: 'POST', headers: { 'X-Ref': value }, body: { pan: '{{card.number}}' } },
        });
        expect(res.status, `${JSON.stringify(value)}: ${res.text}`).toBe(400);
        expect(res.body.error.param).toBe('request.headers');
      }
      expect(calls.length).toBe(before);
      const events = await shop.api('GET', '/v1/events?type=card.forwarded&limit=100');
      expect(events.body.data.filter((e: { data: { card: string } }) => e.data.card === imported.body.token)).toEqual([]);
    });

    it('sends the card only once for two identical forwards at the same moment (one Idempotency-Key)', async () => {
      handler = (_c, res) =>
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"ok":true}');
        }, 200);
      const before = calls.length;
      const key = `same-${target}`;
      const body = { destination: 'psp', customer: 'victim', card, request: { method: 'POST', body: { pan: '{{card.number}}' } } };
      const results = await Promise.all([forward(shop, body, key), forward(shop, body, key), forward(shop, body, key)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
      expect(calls.length).toBe(before + 1);
    });
  });

  describe('whose card', () => {
    it("answers 404 to a sister shop naming a card the customer saved at this shop's checkout, and sends nothing", async () => {
      const s = await shop.api('POST', '/v1/sessions', { amount: 500, currency: 'EUR', customer: 'shared-1' });
      expect(s.status, s.text).toBe(201);
      const paid = await v.frame('/frame/v1/confirm', s.body.client_secret, { card: newCard('5555555555554444'), save: true });
      expect(paid.status, paid.text).toBe(200);
      const token = paid.body.card.token;
      const before = calls.length;
      // The sister shop, then a merchant of another group.
      for (const who of [sister, other]) {
        const res = await forward(who, {
          destination: 'psp',
          customer: 'shared-1',
          card: token,
          request: { method: 'POST', body: { pan: '{{card.number}}' } },
        });
        expect(res.status).toBe(404);
        expect(res.body.error.param).toBe('card');
      }
      expect(calls.length).toBe(before);
      // The shop whose checkout it was sends it.
      const own = await forward(shop, { destination: 'psp', customer: 'shared-1', card: token, request: { method: 'POST', body: { pan: '{{card.number}}' } } });
      expect(own.status, own.text).toBe(200);
    });

    it('answers 404 for a card named with another customer, and for a deleted card', async () => {
      const imported = await shop.api('POST', '/v1/customers/del-1/cards', { number: '5555555105194444', exp_month: 4, exp_year: YEAR });
      expect(imported.status, imported.text).toBe(201);
      const token = imported.body.token;
      const before = calls.length;
      const wrong = await forward(shop, { destination: 'psp', customer: 'victim', card: token, request: { method: 'POST', body: { pan: '{{card.number}}' } } });
      expect(wrong.status).toBe(404);
      const del = await shop.api('DELETE', `/v1/customers/del-1/cards/${token}`);
      expect(del.status, del.text).toBe(200);
      const gone = await forward(shop, { destination: 'psp', customer: 'del-1', card: token, request: { method: 'POST', body: { pan: '{{card.number}}' } } });
      expect(gone.status).toBe(404);
      expect(calls.length).toBe(before);
    });
  });

  describe('what comes back', () => {
    it('masks the number however a provider echoes it in its body', async () => {
      handler = (c, res) => {
        const pan = JSON.parse(c.body).pan as string;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            raw: c.body,
            pan,
            asNumber: Number(pan),
            exp: Number(pan).toExponential(),
            grouped: pan.match(/.{1,4}/g)!.join(' '),
            thousands: Number(pan).toLocaleString('en-US'),
            glued: `ref${pan}x`,
            prefixed: `9${pan}`,
            suffixed: `${pan}00`,
            message: `Card ${pan} was declined`,
          }),
        );
      };
      const res = await send({ body: { pan: '{{card.number}}' } });
      expect(res.status, res.text).toBe(200);
      for (const f of numberForms(PAN)) expect(res.text).not.toContain(f);
      expect(res.text).not.toContain(MIDDLE);
    });

    it('masks the number in a UTF-16 answer', async () => {
      handler = (c, res) => {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-16le' });
        res.end(Buffer.from(`echo: ${JSON.parse(c.body).pan}`, 'utf16le'));
      };
      const res = await send({ body: { pan: '{{card.number}}' } });
      expect(res.status, res.text).toBe(200);
      expect(res.body.body.replace(/\0/g, '')).not.toContain(MIDDLE);
    });

    it('hands back no header but the safe ones, the number masked in those', async () => {
      handler = (c, res) => {
        const pan = JSON.parse(c.body).pan as string;
        res.writeHead(200, {
          'content-type': `application/json; pan=${pan}`,
          'x-request-id': `${pan}`,
          'set-cookie': `pan=${pan}`,
          location: `https://psp.example/cards/${pan}`,
          'x-debug-pan': pan,
        });
        res.end('{}');
      };
      const res = await send({ body: { pan: '{{card.number}}' } });
      expect(res.status, res.text).toBe(200);
      expect(Object.keys(res.body.headers).sort()).toEqual(['content-type', 'date', 'x-request-id']);
      expect(res.text).not.toContain(MIDDLE);
    });

    it("never hands back the operator's registered credential, even when the destination echoes the request's headers", async () => {
      handler = (c, res) => {
        res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': String(c.headers.authorization) });
        res.end(JSON.stringify({ error: `invalid credentials: ${c.headers.authorization}`, token: String(c.headers.authorization).split(' ')[1] }));
      };
      const res = await send({ body: { pan: '{{card.number}}' } });
      expect(res.status, res.text).toBe(200);
      expect(calls.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET}`);
      expect(res.text).not.toContain(SECRET);
      const stored = await v.runtime.deps.db.selectFrom('idempotency_keys').selectAll().execute();
      expect(JSON.stringify(stored)).not.toContain(SECRET);
    });

    it("hides a Basic credential's pair and password too, and the credential in a session forward's answer", async () => {
      handler = (c, res) => {
        const auth = String(c.headers.authorization);
        const pair = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : auth;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ auth, pair, password: pair.split(':').at(-1), query: encodeURIComponent(auth) }));
      };
      const basic = await send({ body: { pan: '{{card.number}}' } }, 'psp-basic');
      expect(basic.status, basic.text).toBe(200);
      expect(calls.at(-1)!.headers.authorization).toMatch(/^Basic /);
      expect(basic.text).not.toContain(SECRET);
      expect(basic.text).not.toContain(calls.at(-1)!.headers.authorization!.slice(6));

      const created = await shop.api('POST', '/v1/sessions', {
        amount: 1500,
        currency: 'EUR',
        forward: { destination: 'psp', request: { method: 'POST', body: { pan: '{{card.number}}' } } },
      });
      expect(created.status, created.text).toBe(201);
      const confirmed = await v.frame('/frame/v1/confirm', created.body.client_secret, { card: newCard(PAN) });
      expect(confirmed.status, confirmed.text).toBe(200);
      expect(calls.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET}`);
      const session = await record(shop.api('GET', `/v1/sessions/${created.body.id}`));
      expect(session.body.forward_result.status).toBe(200);
      expect(session.text).not.toContain(SECRET);
    });

    it('answers 502 to an answer over 1 MB, and 504 to one that trickles past the timeout', async () => {
      handler = (_c, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(Buffer.alloc(1024 * 1024 + 10, 'a'));
      };
      const big = await send({ body: { pan: '{{card.number}}' } });
      expect(big.status).toBe(502);
      expect(big.text).not.toContain('aaaa');

      let timer: NodeJS.Timeout | undefined;
      handler = (_c, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('a')), 100);
      };
      const started = Date.now();
      const slow = await send({ body: { pan: '{{card.number}}' } });
      clearInterval(timer);
      expect(slow.status).toBe(504);
      // The trickle never ends: only the timeout ends the wait (the margin is for a busy machine).
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 5000);
    });
  });

  describe("a session's forward", () => {
    it('shows only the named fields of an answer to a request that carried the CVC, whatever the destination echoes', async () => {
      handler = (c, res) => {
        const sent = JSON.parse(c.body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'pm_1', status: `ok`, echo: sent, cvc: sent.cvc, ['id.x']: sent.cvc }));
      };
      const created = await shop.api('POST', '/v1/sessions', {
        amount: 1500,
        currency: 'EUR',
        customer: 'cvc-1',
        forward: { destination: 'psp-cvc', request: { method: 'POST', body: { pan: '{{card.number}}', cvc: '{{card.cvc}}' } } },
      });
      expect(created.status, created.text).toBe(201);
      const confirmed = await v.frame('/frame/v1/confirm', created.body.client_secret, { card: { ...newCard(PAN), cvc: CVC } });
      expect(confirmed.status, confirmed.text).toBe(200);
      expect(calls.at(-1)!.body).toContain(`"cvc":"${CVC}"`);
      const session = await shop.api('GET', `/v1/sessions/${created.body.id}`);
      expect(session.body.forward_result).toEqual({ status: 200, body: JSON.stringify({ id: 'pm_1', status: 'ok' }) });
      // A second confirmation of the completed session sends nothing more.
      const before = calls.length;
      const again = await v.frame('/frame/v1/confirm', created.body.client_secret, { card: { ...newCard(PAN), cvc: CVC } });
      expect(again.status).not.toBe(200);
      expect(calls.length).toBe(before);
    });
  });

  it('never writes the number, the CVC or the credential in a log line, an event or an answer', async () => {
    const events = JSON.stringify((await v.runtime.deps.db.selectFrom('events').select('data').execute()).map((e) => e.data));
    for (const [where, text] of [
      ['the logs', v.logs.join('\n')],
      ['the events', events],
      ['the answers', replies.map((r) => r.text).join('\n')],
    ] as const) {
      for (const f of numberForms(PAN)) expect(text.includes(f), `card number in ${where}`).toBe(false);
      expect(text.includes(MIDDLE), `middle digits in ${where}`).toBe(false);
      expect(text.includes(SECRET), `credential in ${where}`).toBe(false);
    }
  });
});
