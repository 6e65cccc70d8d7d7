// Forwarding a saved card to another provider: destinations the operator registers with
// `npm run forward` (headers sealed, never shown again), POST /v1/forward of an imported card to a
// WEBPAY stand-in (form-encoded), a session's forward from the customer's confirmation to a Lemonway
// RegisterCard stand-in (JSON, the CVC included), and everything an attacker or a careless provider
// could try: other merchants' destinations and cards, the CVC where it is never available, a provider
// echoing the number, a slow one. The stand-ins are the only thing not the vault's own.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDestination, openDestinationHeaders } from '../../server/forward/destination-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startFakeLemonway, type FakeLemonway } from '../helpers/fake-lemonway.ts';
import { startFakeWebpay, webpaySignature, type FakeWebpay } from '../helpers/fake-webpay.ts';
import { dataDirBytes, everyRow, runCli } from '../helpers/storage-scan.ts';
import { CARDS, LIFTABLE_LIMITS, newShop, startTestVault, type Reply, type Shop, type TestVault } from '../helpers/test-vault.ts';

const YEAR = new Date().getUTCFullYear() + 3;
/** Distinctive, so that a hit is a leak and not a coincidence. */
const CVC = '583';
// Not E.Msg: an error's message may quote what was sent.
const LEMONWAY_ANSWER_FIELDS = ['CARD.ID', 'CARD.EXTRA.NUM', 'E.Code'];
const WEBPAY_HEADER_SECRET = 'wp-shared-secret-91d2e6';
/** How long the vault waits for a destination here: the stand-ins answer in milliseconds unless told to be slow. */
const TIMEOUT_MS = 1500;

/** `npm run forward -- …` against this vault's storage: its exit code and everything it printed. */
const forwardCli = (v: TestVault, args: string[]) => runCli(v, 'server/cli/forward.ts', args);

/** A number as people write it: plain, in fours with spaces or dashes. */
const numberForms = (n: string) => [n, n.match(/.{1,4}/g)!.join(' '), n.match(/.{1,4}/g)!.join('-')];
/** A CVC counts as leaked when it stands alone, not inside an id, a base64 blob or a timestamp. */
const cvcLeak = new RegExp(`(?<![A-Za-z0-9+/=.])${CVC}(?![A-Za-z0-9+/=])`);

describeEachDb('forwarding a saved card to another provider', (target) => {
  let v: TestVault;
  let lemonway: FakeLemonway;
  let webpay: FakeWebpay;
  let shop: Shop;
  /** Another merchant, in a group of its own: an attacker with its own secret key. */
  let other: Shop;
  /** A sister shop of `shop`'s group. */
  let sister: Shop;
  const replies: Reply[] = [];
  const cliOutput: string[] = [];
  let keys = 0;

  const cli = async (args: string[]) => {
    const res = await forwardCli(v, args);
    cliOutput.push(res.out, res.err);
    return res;
  };
  const record = async (p: Promise<Reply>) => {
    const r = await p;
    replies.push(r);
    return r;
  };
  const forward = (s: Shop, body: Record<string, unknown>, key: string | null = `fwd-${target}-${++keys}`) =>
    record(s.api('POST', '/v1/forward', body, key === null ? {} : { 'idempotency-key': key }));
  const importCard = async (s: Shop, customer: string, number: string, holder?: string) => {
    const res = await record(s.api('POST', `/v1/customers/${customer}/cards`, { number, exp_month: 4, exp_year: YEAR, ...(holder ? { holder } : {}) }));
    expect(res.status, res.text).toBe(201);
    return res.body.token as string;
  };

  /** WEBPAY's recurring request for a card bound elsewhere, as the shop writes it: signed, the card left to the vault. */
  const webpayRequest = (order: string) => {
    const fields: Record<string, string> = {
      wsb_version: '2',
      wsb_seed: '1242649174',
      wsb_storeid: '11111111',
      wsb_customer_id: 'cust-77',
      wsb_order_num: order,
      wsb_test: '1',
      wsb_currency_id: 'BYN',
      wsb_total: '31.40',
      wsb_operation_type: 'recurring_pay',
      wsb_return_format: 'json',
    };
    fields.wsb_signature = webpaySignature(fields, webpay.secretKey);
    const form = Object.entries(fields)
      .map(([k, val]) => `${k}=${encodeURIComponent(val)}`)
      .join('&');
    return { method: 'POST', body: `${form}&cc_pan={{card.number}}&cc_exp={{card.exp_mm_yyyy}}&cc_name={{card.holder}}` };
  };

  /** Lemonway's RegisterCard, as the shop writes it: the vault fills the number, the CVC and the expiry. */
  const registerCard = (extra: Record<string, string> = {}) => ({
    method: 'POST',
    path: '/RegisterCard',
    body: {
      wlLogin: 'demo-shop',
      language: 'fr',
      version: '1.2',
      walletIp: '203.0.113.7',
      walletUa: 'Mozilla/5.0',
      wallet: 'taxi67',
      cardType: '1',
      cardNumber: '{{card.number}}',
      cardCode: '{{card.cvc}}',
      cardDate: '{{card.exp_mm_yyyy}}',
      specialConfig: '',
      ...extra,
    },
  });

  beforeAll(async () => {
    [lemonway, webpay] = await Promise.all([startFakeLemonway(), startFakeWebpay()]);
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorTimeoutMs: TIMEOUT_MS });
    shop = await newShop(v, { settings: { frame_limit_per_address: 0 } });
    other = await newShop(v);
    sister = await newShop(v, { group: shop.group });
    const added = await Promise.all(
      (
        [
          // The fields of RegisterCard's answer Lemonway writes itself: the card's id, its masked number, the error.
          [shop, 'lemonway', lemonway.url, [`Authorization:Bearer ${lemonway.token}`], LEMONWAY_ANSWER_FIELDS],
          [shop, 'webpay', webpay.url, [`X-Shop-Secret:${WEBPAY_HEADER_SECRET}`], []],
          [other, 'webpay', webpay.url, [], []],
          [sister, 'webpay', webpay.url, [], []],
        ] as const
      ).map(([s, name, url, headers, fields]) =>
        cli([
          'add',
          '--merchant',
          s.id,
          '--name',
          name,
          '--url',
          url,
          ...headers.flatMap((h) => ['--header', h]),
          ...fields.flatMap((f) => ['--cvc-answer', f]),
        ]),
      ),
    );
    for (const res of added) expect(res.code, res.err).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await v?.close();
    await Promise.all([lemonway?.close(), webpay?.close()]);
  });

  describe('npm run forward', () => {
    it('prints the destination with its headers named, never their values', async () => {
      const res = await cli([
        'add',
        '--merchant',
        shop.id,
        '--name',
        'lemonway-2',
        '--url',
        lemonway.url,
        '--header',
        `Authorization:Bearer ${lemonway.token}`,
        '--header',
        'PSU-IP-Address:203.0.113.7',
      ]);
      expect(res.code, res.err).toBe(0);
      const printed = JSON.parse(res.out);
      expect(printed).toEqual({
        id: expect.stringMatching(/^fwd_/),
        merchant: shop.id,
        name: 'lemonway-2',
        url: lemonway.url,
        headers: ['Authorization', 'PSU-IP-Address'],
        cvc_answer_fields: [],
        created_at: expect.any(String),
      });
      expect(res.out + res.err).not.toContain(lemonway.token);

      const listed = await cli(['list', '--merchant', shop.id]);
      expect(JSON.parse(listed.out).map((d: { name: string }) => d.name)).toEqual(['lemonway', 'lemonway-2', 'webpay']);
      expect(JSON.parse(listed.out)[0].cvc_answer_fields).toEqual(LEMONWAY_ANSWER_FIELDS);
      const removed = await cli(['remove', '--merchant', shop.id, '--name', 'lemonway-2']);
      expect(removed.code).toBe(0);
      expect(JSON.parse((await cli(['list', '--merchant', shop.id])).out).map((d: { name: string }) => d.name)).toEqual(['lemonway', 'webpay']);
      expect((await cli(['remove', '--merchant', shop.id, '--name', 'lemonway-2'])).code).toBe(1);
    }, 30_000);

    it('refuses a --cvc-answer that is not a dot path of a JSON answer', async () => {
      for (const field of ['CARD..ID', 'CARD.ID[0]', '', 'a b']) {
        const res = await cli(['add', '--merchant', shop.id, '--name', 'lemonway-3', '--url', lemonway.url, '--cvc-answer', field]);
        expect(res.code, field).toBe(1);
        expect(res.err).toMatch(/--cvc-answer must be a dot path/);
      }
      expect(await findDestination(v.runtime.deps.db, shop.id, 'lemonway-3')).toBeUndefined();
    }, 30_000);

    it('keeps the header values only sealed: never in a table, in the database file or in what it printed', async () => {
      const row = (await findDestination(v.runtime.deps.db, shop.id, 'lemonway'))!;
      expect(row.headers_sealed).toBeTruthy();
      // Sealed, not lost: the vault's key ring opens them for the request that carries them.
      expect(openDestinationHeaders(v.runtime.deps.ring, row)).toEqual({ Authorization: `Bearer ${lemonway.token}` });
      const stored = target === 'sqlite' ? dataDirBytes(v.dataDir).toString('latin1') : await everyRow(v, target, 'forward_destinations');
      for (const secret of [lemonway.token, WEBPAY_HEADER_SECRET]) {
        expect(stored).not.toContain(secret);
        expect(cliOutput.join('\n')).not.toContain(secret);
      }
    });

    it('refuses an http destination for a live merchant, and takes an https one', async () => {
      const live = await v.newMerchant();
      await v.runtime.deps.db.updateTable('merchants').set({ livemode: 1 }).where('id', '=', live.id).execute();
      const refused = await cli([
        'add',
        '--merchant',
        live.id,
        '--name',
        'lemonway',
        '--url',
        lemonway.url,
        '--header',
        `Authorization:Bearer ${lemonway.token}`,
      ]);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/https.*live mode/);
      expect(await findDestination(v.runtime.deps.db, live.id, 'lemonway')).toBeUndefined();
      const ok = await cli([
        'add',
        '--merchant',
        live.id,
        '--name',
        'lemonway',
        '--url',
        'https://sandbox-api.lemonway.fr/mb/demo/dev/directkitjson2/Service.asmx',
      ]);
      expect(ok.code, ok.err).toBe(0);
      // A test merchant may use a local http stand-in (as every test here does).
      expect((await findDestination(v.runtime.deps.db, shop.id, 'webpay'))!.url).toMatch(/^http:/);
    }, 30_000);

    it('refuses credentials in the URL and a header the vault sets itself', async () => {
      const inUrl = await cli(['add', '--merchant', shop.id, '--name', 'x', '--url', 'https://user:hunter2@psp.example/api']);
      expect(inUrl.code).toBe(1);
      expect(inUrl.err).toMatch(/credentials/);
      expect(inUrl.err).not.toContain('hunter2');
      const managed = await cli(['add', '--merchant', shop.id, '--name', 'x', '--url', 'https://psp.example/api', '--header', 'Host:evil.example']);
      expect(managed.code).toBe(1);
      expect(await findDestination(v.runtime.deps.db, shop.id, 'x')).toBeUndefined();
    }, 30_000);
  });

  describe('POST /v1/forward', () => {
    it('sends an imported card to WEBPAY as a signed recurring request, form-encoded, and answers its answer', async () => {
      const holder = 'Anna & Co = Ltd';
      const card = await importCard(shop, 'wp-1', CARDS.mastercard, holder);
      const before = webpay.calls.length;
      const res = await forward(shop, { destination: 'webpay', customer: 'wp-1', card, request: webpayRequest('ORDER-1') });
      expect(res.status, res.text).toBe(200);

      expect(webpay.calls).toHaveLength(before + 1);
      const sent = webpay.calls.at(-1)!;
      expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(sent.headers['x-shop-secret']).toBe(WEBPAY_HEADER_SECRET);
      expect(sent.fields).toMatchObject({ cc_pan: CARDS.mastercard, cc_exp: `04/${YEAR}`, cc_name: holder, wsb_order_num: 'ORDER-1', wsb_total: '31.40' });
      expect(sent.raw).not.toContain('{{');

      expect(res.body).toEqual({
        status: 200,
        headers: { 'content-type': 'application/json', date: expect.any(String), 'x-request-id': expect.any(String) },
        body: expect.any(String),
      });
      expect(JSON.parse(res.body.body)).toMatchObject({ orderNumber: 'ORDER-1', trimPan: '555555xxxxxx4444', payee: holder, amount: '31.40' });
    });

    it('raises card.forwarded with the card, the destination and the status, never a body', async () => {
      const card = await importCard(shop, 'wp-evt', CARDS.visa);
      expect((await forward(shop, { destination: 'webpay', customer: 'wp-evt', card, request: webpayRequest('ORDER-EVT') })).status).toBe(200);
      const events = await record(shop.api('GET', '/v1/events?type=card.forwarded&limit=100'));
      const mine = events.body.data.filter((e: { data: { card: string } }) => e.data.card === card);
      expect(mine).toHaveLength(1);
      expect(mine[0].data).toEqual({ card, destination: 'webpay', status: 200 });
    });

    it('replays the first answer for the same Idempotency-Key, and the provider is asked once', async () => {
      const card = await importCard(shop, 'wp-idem', CARDS.visa);
      const body = { destination: 'webpay', customer: 'wp-idem', card, request: webpayRequest('ORDER-IDEM') };
      const before = webpay.calls.length;
      const first = await forward(shop, body, `idem-${target}`);
      const again = await forward(shop, body, `idem-${target}`);
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.text).toBe(first.text);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(webpay.calls.length).toBe(before + 1);
    });

    it('needs an Idempotency-Key', async () => {
      const card = await importCard(shop, 'wp-nokey', CARDS.visa);
      const before = webpay.calls.length;
      const res = await forward(shop, { destination: 'webpay', customer: 'wp-nokey', card, request: webpayRequest('ORDER-NOKEY') }, null);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing', param: 'Idempotency-Key' });
      expect(webpay.calls.length).toBe(before);
    });

    it('masks a card number the provider echoes, in the body and in a header', async () => {
      const card = await importCard(shop, 'wp-echo', CARDS.visa);
      webpay.echoPan = true;
      try {
        const res = await forward(shop, { destination: 'webpay', customer: 'wp-echo', card, request: webpayRequest('ORDER-ECHO') });
        expect(res.status).toBe(200);
        // The stand-in did echo it: the vault is what took it out.
        expect(webpay.calls.at(-1)!.fields.cc_pan).toBe(CARDS.visa);
        for (const f of numberForms(CARDS.visa)) expect(res.text).not.toContain(f);
        const answer = JSON.parse(res.body.body);
        expect(answer.debug).toEqual({ pan: '424242••••••4242', spaced: '424242••••••4242' });
        expect(res.body.headers['x-request-id']).toBe('req-424242••••••4242');
      } finally {
        webpay.echoPan = false;
      }
    });

    it('refuses {{card.cvc}}: the CVC is never stored, so it cannot be sent from here', async () => {
      const card = await importCard(shop, 'wp-cvc', CARDS.visa);
      const before = lemonway.calls.length;
      const res = await forward(shop, { destination: 'lemonway', customer: 'wp-cvc', card, request: registerCard() });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'request.body' });
      expect(res.body.error.message).toMatch(/CVC is never stored/);
      expect(lemonway.calls.length).toBe(before);
    });

    it('refuses an unknown placeholder, a placeholder in a key, and one outside the body', async () => {
      const card = await importCard(shop, 'wp-bad', CARDS.visa);
      const send = (request: Record<string, unknown>) =>
        forward(shop, { destination: 'lemonway', customer: 'wp-bad', card, request: { method: 'POST', ...request } });
      const before = lemonway.calls.length;
      for (const [request, param] of [
        [{ body: { cardNumber: '{{card.pan}}' } }, 'request.body'],
        [{ body: { '{{card.number}}': 'x' } }, 'request.body'],
        [{ body: '{"cardNumber": {{card.number}}}', headers: { 'Content-Type': 'application/json' } }, 'request.body'],
        [{ path: '/RegisterCard/{{card.number}}', body: {} }, 'request.path'],
        [{ path: '/../other', body: {} }, 'request.path'],
        [{ headers: { 'X-Card': '{{card.number}}' }, body: {} }, 'request.headers'],
        [{ headers: { authorization: 'Bearer mine' }, body: {} }, 'request.headers'],
        [{ body: `cardNumber=${CARDS.visa}` }, 'request.body'],
      ] as const) {
        const res = await send(request);
        expect(res.status, JSON.stringify(request)).toBe(400);
        expect(res.body.error.param, JSON.stringify(request)).toBe(param);
      }
      expect(lemonway.calls.length).toBe(before);
    });

    it('answers 404 for an unknown destination', async () => {
      const card = await importCard(shop, 'wp-404', CARDS.visa);
      const res = await forward(shop, { destination: 'stripe', customer: 'wp-404', card, request: webpayRequest('ORDER-404') });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'resource_missing', param: 'destination' });
    });

    it("answers 404 to another merchant naming this one's destination or card, as to a sister shop", async () => {
      const card = await importCard(shop, 'wp-victim', CARDS.visa);
      const before = [lemonway.calls.length, webpay.calls.length];
      // Another merchant's own destination, this merchant's card: not found, as if it did not exist.
      const stolenCard = await forward(other, { destination: 'webpay', customer: 'wp-victim', card, request: webpayRequest('ORDER-X1') });
      expect(stolenCard.status).toBe(404);
      expect(stolenCard.body.error).toMatchObject({ code: 'resource_missing', param: 'card' });
      // This merchant's destination name, from the other merchant, with a card of its own.
      const own = await importCard(other, 'wp-attacker', CARDS.mastercard);
      const stolenDestination = await forward(other, {
        destination: 'lemonway',
        customer: 'wp-attacker',
        card: own,
        request: { method: 'POST', path: '/RegisterCard', body: { cardNumber: '{{card.number}}' } },
      });
      expect(stolenDestination.status).toBe(404);
      expect(stolenDestination.body.error).toMatchObject({ code: 'resource_missing', param: 'destination' });
      // A sister shop sees the group's cards, but may send only a card it imported or its customer used there.
      const sisterTry = await forward(sister, { destination: 'webpay', customer: 'wp-victim', card, request: webpayRequest('ORDER-X2') });
      expect(sisterTry.status).toBe(404);
      expect(sisterTry.body.error).toMatchObject({ code: 'resource_missing', param: 'card' });
      expect([lemonway.calls.length, webpay.calls.length]).toEqual(before);
      // The card's own merchant still sends it.
      expect((await forward(shop, { destination: 'webpay', customer: 'wp-victim', card, request: webpayRequest('ORDER-X3') })).status).toBe(200);
    });

    it('answers 504 forward_timeout when the destination is slower than PROCESSOR_TIMEOUT_MS', async () => {
      const card = await importCard(shop, 'wp-slow', CARDS.visa);
      webpay.delayMs = TIMEOUT_MS + 1000;
      try {
        const started = Date.now();
        const res = await forward(shop, { destination: 'webpay', customer: 'wp-slow', card, request: webpayRequest('ORDER-SLOW') });
        expect(res.status).toBe(504);
        expect(res.body.error).toMatchObject({ type: 'api_error', code: 'forward_timeout' });
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 900);
      } finally {
        webpay.delayMs = 0;
      }
      const events = await shop.api('GET', '/v1/events?type=card.forwarded&limit=100');
      expect(events.body.data.find((e: { data: { card: string } }) => e.data.card === card)?.data).toEqual({ card, destination: 'webpay', status: 504 });
    });

    it('is documented in /openapi.json', async () => {
      const doc = (await v.api('GET', '/openapi.json', { key: '' })).body;
      expect(Object.keys(doc.paths['/v1/forward'].post.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '504']));
      expect(doc.paths['/v1/forward'].post.security).toEqual([{ bearer: [] }]);
    });

    it("is counted against the secret key's rate limit like any other request", async () => {
      const limited = await newShop(v);
      expect((await limited.api('POST', '/v1/merchant', { rate_limit: 2 })).status).toBe(200);
      // Two a second: six at once span at most two one-second windows, so one of them goes over.
      const statuses = (
        await Promise.all(
          Array.from({ length: 6 }, () => forward(limited, { destination: 'webpay', customer: 'nobody', card: 'card_x', request: webpayRequest('ORDER-RL') })),
        )
      ).map((r) => r.status);
      expect(statuses).toContain(429);
      expect(statuses).toContain(404);
    });
  });

  describe("a session's forward", () => {
    it("sends Lemonway's RegisterCard from the confirmation, CVC included, and shows the answer on the session", async () => {
      const holder = 'Zoë "Z" O\'Neil \\ Ltd';
      const before = lemonway.calls.length;
      const created = await record(
        shop.api('POST', '/v1/sessions', {
          amount: 1500,
          currency: 'EUR',
          customer: 'lw-1',
          forward: { destination: 'lemonway', request: registerCard({ specialConfig: '{{card.holder}}' }) },
        }),
      );
      expect(created.status, created.text).toBe(201);
      expect(created.body.forward_result).toBeUndefined();
      const confirmed = await record(
        v.frame('/frame/v1/confirm', created.body.client_secret, { card: { number: CARDS.visa, exp_month: 9, exp_year: YEAR, cvc: CVC, holder }, save: true }),
      );
      expect(confirmed.status, confirmed.text).toBe(200);
      expect(confirmed.body.status).toBe('succeeded');

      expect(lemonway.calls).toHaveLength(before + 1);
      const sent = lemonway.calls.at(-1)!;
      expect(sent.path).toBe('/mb/demo/dev/directkitjson2/Service.asmx/RegisterCard');
      expect(sent.headers.authorization).toBe(`Bearer ${lemonway.token}`);
      expect(sent.body).toEqual({
        wlLogin: 'demo-shop',
        language: 'fr',
        version: '1.2',
        walletIp: '203.0.113.7',
        walletUa: 'Mozilla/5.0',
        wallet: 'taxi67',
        cardType: '1',
        cardNumber: CARDS.visa,
        cardCode: CVC,
        cardDate: `09/${YEAR}`,
        specialConfig: holder,
      });

      const session = await record(shop.api('GET', `/v1/sessions/${created.body.id}`));
      expect(session.body.forward_result).toEqual({ status: 200, body: expect.any(String) });
      // Only the fields the operator named: the request carried the CVC, and EXP echoes what it was sent.
      expect(JSON.parse(session.body.forward_result.body)).toEqual({ CARD: { ID: expect.any(String), EXTRA: { NUM: '424242XXXXXX4242' } } });

      const events = await record(shop.api('GET', '/v1/events?type=card.forwarded&limit=100'));
      const token = confirmed.body.card.token;
      expect(token).toMatch(/^card_/);
      expect(events.body.data.filter((e: { data: { card: string } }) => e.data.card === token).map((e: { data: unknown }) => e.data)).toEqual([
        { card: token, destination: 'lemonway', status: 200 },
      ]);
    });

    it('never shows or keeps the CVC a destination echoes, even glued to other digits by the template', async () => {
      // The merchant hides the CVC in a field the destination echoes: Lemonway answers cardDate as EXP.
      const created = await record(
        shop.api('POST', '/v1/sessions', {
          amount: 1500,
          currency: 'EUR',
          customer: 'lw-echo',
          forward: { destination: 'lemonway', request: registerCard({ cardDate: '{{card.exp_month}}/0{{card.cvc}}' }) },
        }),
      );
      expect(created.status, created.text).toBe(201);
      const confirmed = await record(
        v.frame('/frame/v1/confirm', created.body.client_secret, { card: { number: CARDS.visa, exp_month: 9, exp_year: YEAR, cvc: CVC }, save: true }),
      );
      expect(confirmed.body.status).toBe('succeeded');
      expect(lemonway.calls.at(-1)?.body).toMatchObject({ cardDate: `09/0${CVC}` });
      const session = await record(shop.api('GET', `/v1/sessions/${created.body.id}`));
      expect(session.body.forward_result.status).toBe(200);
      expect(JSON.parse(session.body.forward_result.body)).toEqual({ CARD: { ID: expect.any(String), EXTRA: { NUM: '424242XXXXXX4242' } } });
      expect(session.text).not.toContain(CVC);
      const stored = await v.runtime.deps.db.selectFrom('sessions').select('forward_result').where('id', '=', created.body.id).executeTakeFirstOrThrow();
      expect(stored.forward_result).not.toContain('/0');
      expect(stored.forward_result).not.toContain(CVC);
    });

    it("shows the named fields as the provider wrote them, even where the CVC's digits appear in a value the merchant knows", async () => {
      // A CVC of 424 appears twice in 424242XXXXXX4242: masking it there would name it, as the BIN and last four are known.
      const created = await record(
        shop.api('POST', '/v1/sessions', { amount: 1500, currency: 'EUR', forward: { destination: 'lemonway', request: registerCard() } }),
      );
      const confirmed = await record(
        v.frame('/frame/v1/confirm', created.body.client_secret, { card: { number: CARDS.visa, exp_month: 9, exp_year: YEAR, cvc: '424' } }),
      );
      expect(confirmed.body.status).toBe('succeeded');
      expect(lemonway.calls.at(-1)?.body).toMatchObject({ cardCode: '424' });
      const session = await record(shop.api('GET', `/v1/sessions/${created.body.id}`));
      expect(JSON.parse(session.body.forward_result.body)).toEqual({ CARD: { ID: expect.any(String), EXTRA: { NUM: '424242XXXXXX4242' } } });
      expect(session.body.forward_result.body).not.toContain('•');
    });

    describe('a destination that echoes text the merchant chose', () => {
      let echo: http.Server;
      let echoUrl = '';
      beforeAll(async () => {
        // Like a provider echoing a reference or metadata: it never repeats the CVC, only the merchant's text.
        echo = http.createServer((req, res) => {
          let raw = '';
          req.on('data', (c: Buffer) => (raw += c));
          req.on('end', () => {
            res.writeHead(200, { 'content-type': 'application/json' });
            const reference = JSON.parse(raw).reference;
            res.end(JSON.stringify({ id: 'pm_1', status: 'registered', reference, metadata: { reference } }));
          });
        });
        await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
        echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/api`;
        for (const [name, fields] of [
          ['echo', []],
          // `metadata` is an object: named, it is left out all the same (it holds the echo).
          ['echo-id', ['id', 'status', 'metadata']],
        ] as const) {
          const added = await cli(['add', '--merchant', shop.id, '--name', name, '--url', echoUrl, ...fields.flatMap((f) => ['--cvc-answer', f])]);
          expect(added.code, added.err).toBe(0);
        }
      }, 30_000);
      afterAll(() => new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve())));

      /** Every three-digit number in a reference: a mask of the CVC's digits in the echo would show which one it is. */
      const guesses = Array.from({ length: 1000 }, (_, i) => `g${String(i).padStart(3, '0')}`).join('');

      const forwardWithGuesses = async (destination: string) => {
        const created = await record(
          shop.api('POST', '/v1/sessions', {
            amount: 1500,
            currency: 'EUR',
            forward: { destination, request: { method: 'POST', body: { number: '{{card.number}}', cvc: '{{card.cvc}}', reference: guesses } } },
          }),
        );
        expect(created.status, created.text).toBe(201);
        const confirmed = await record(
          v.frame('/frame/v1/confirm', created.body.client_secret, { card: { number: CARDS.visa, exp_month: 9, exp_year: YEAR, cvc: CVC } }),
        );
        expect(confirmed.body.status, confirmed.text).toBe('succeeded');
        const session = await record(shop.api('GET', `/v1/sessions/${created.body.id}`));
        const stored = await v.runtime.deps.db.selectFrom('sessions').select('forward_result').where('id', '=', created.body.id).executeTakeFirstOrThrow();
        return { result: session.body.forward_result, text: session.text, stored: stored.forward_result ?? '' };
      };

      it('withholds the answer when the operator named none of its fields', async () => {
        const { result, text, stored } = await forwardWithGuesses('echo');
        expect(result).toEqual({ status: 200, body: null, withheld: true });
        for (const shown of [text, stored]) {
          expect(shown).not.toContain('g582');
          expect(shown).not.toContain('•');
        }
      });

      it('shows only the named fields, so the echoed reference cannot name the CVC', async () => {
        const { result, text, stored } = await forwardWithGuesses('echo-id');
        expect(result).toEqual({ status: 200, body: JSON.stringify({ id: 'pm_1', status: 'registered' }) });
        for (const shown of [text, stored]) {
          expect(shown).not.toContain('g582');
          expect(shown).not.toContain('•');
        }
      });
    });

    it("keeps the provider's refusal as its answer, and a guest's forward names no card", async () => {
      const created = await record(
        shop.api('POST', '/v1/sessions', { amount: 700, currency: 'EUR', forward: { destination: 'lemonway', request: registerCard({ cardType: '9' }) } }),
      );
      expect(created.status).toBe(201);
      const confirmed = await record(
        v.frame('/frame/v1/confirm', created.body.client_secret, { card: { number: CARDS.mastercard, exp_month: 2, exp_year: YEAR, cvc: CVC } }),
      );
      expect(confirmed.status).toBe(200);
      const session = await record(shop.api('GET', `/v1/sessions/${created.body.id}`));
      // The error is one of the fields the operator named; CARD.ID and CARD.EXTRA.NUM are absent from it.
      expect(JSON.parse(session.body.forward_result.body)).toEqual({ E: { Code: '142' } });
      const events = await record(shop.api('GET', '/v1/events?type=card.forwarded&limit=100'));
      expect(events.body.data[0].data).toEqual({ card: null, destination: 'lemonway', status: 200 });
    });

    it('records forward_timeout on the session, and the payment still succeeds', async () => {
      const created = await record(
        shop.api('POST', '/v1/sessions', { amount: 900, currency: 'EUR', customer: 'lw-slow', forward: { destination: 'lemonway', request: registerCard() } }),
      );
      lemonway.delayMs = TIMEOUT_MS + 1000;
      try {
        const confirmed = await record(
          v.frame('/frame/v1/confirm', created.body.client_secret, { card: { number: CARDS.visa, exp_month: 9, exp_year: YEAR, cvc: CVC } }),
        );
        expect(confirmed.status).toBe(200);
        expect(confirmed.body).toMatchObject({ status: 'succeeded', charge: expect.stringMatching(/^ch_/) });
      } finally {
        lemonway.delayMs = 0;
      }
      const session = await record(shop.api('GET', `/v1/sessions/${created.body.id}`));
      expect(session.body).toMatchObject({ status: 'complete', forward_result: { status: 504, body: null, error: 'forward_timeout' } });
    });

    it("refuses at creation a destination that is not this merchant's, and a template that would not fill", async () => {
      const stolen = await record(
        other.api('POST', '/v1/sessions', { amount: 100, currency: 'EUR', forward: { destination: 'lemonway', request: registerCard() } }),
      );
      expect(stolen.status).toBe(404);
      expect(stolen.body.error).toMatchObject({ code: 'resource_missing', param: 'forward.destination' });
      const bad = await record(
        shop.api('POST', '/v1/sessions', {
          amount: 100,
          currency: 'EUR',
          forward: { destination: 'lemonway', request: registerCard({ cardNumber: '{{card.numbr}}' }) },
        }),
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'parameter_invalid', param: 'forward.request.body' });
    });

    it('never writes the CVC or the number anywhere: not the database, a log line, an event or an answer', async () => {
      expect(lemonway.calls.some((c) => c.body?.cardCode === CVC)).toBe(true);
      const stored = target === 'sqlite' ? dataDirBytes(v.dataDir).toString('latin1') : await everyRow(v, target, 'forward_destinations');
      const events = JSON.stringify((await v.runtime.deps.db.selectFrom('events').select('data').execute()).map((e) => e.data));
      for (const [where, text] of [
        ['the database', stored],
        ['the logs', v.logs.join('\n')],
        ['the events', events],
        ['the answers', replies.map((r) => r.text).join('\n')],
      ] as const) {
        expect(cvcLeak.test(text), `CVC in ${where}`).toBe(false);
        for (const n of [CARDS.visa, CARDS.mastercard]) for (const f of numberForms(n)) expect(text.includes(f), `card number in ${where}`).toBe(false);
        for (const secret of [lemonway.token, WEBPAY_HEADER_SECRET]) expect(text.includes(secret), `registered header in ${where}`).toBe(false);
      }
    });
  });
});
