// Attacks on the Idempotency-Key contract of the merchant API (docs/api.md#idempotency): a second
// merchant or a sister shop reusing a key while the first request is at the processor, a buggy client
// retrying in flight with the same or another body, after a key roll, with the key's case changed or
// the header repeated, and replays compared byte for byte with the first answer after the state moved
// on. Each test is the attack, asserting the safe behaviour. Written as an attack review; its defect (the
// header sent twice read as one new key, "K, K", so a retry charged again) is fixed.
// Both databases; the processor is the simulated one, held at a gate by the test where a request must
// be caught in flight (no timing).
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthorizeRequest, Processor, RefundRequest } from '../../server/payments/processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { subscribe } from '../helpers/money-days.ts';
import { serveTestVault, type ServedVault } from '../helpers/served-vault.ts';
import { LIFTABLE_LIMITS, newShop, type Reply, type Shop, startTestVault, type TestVault } from '../helpers/test-vault.ts';

/** A gate: `reached` resolves once a call waits at it, `open()` lets every waiting call through. */
function gate() {
  let open!: () => void;
  let arrived!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (arrived = r));
  return { opened, reached, open, arrived };
}

describeEachDb('Idempotency-Key contract attacks', (target) => {
  let v: TestVault;
  let processor: Processor;
  let realAuthorize: Processor['authorize'];
  let realRefund: Processor['refund'];
  let authorized: AuthorizeRequest[] = [];
  let refunded: RefundRequest[] = [];
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    processor = v.runtime.deps.processor;
    realAuthorize = processor.authorize.bind(processor);
    realRefund = processor.refund.bind(processor);
  });
  afterAll(() => v.close());
  afterEach(() => {
    processor.authorize = realAuthorize;
    processor.refund = realRefund;
    authorized = [];
    refunded = [];
    v.setNow(undefined);
  });

  /** Every authorisation recorded; those of `merchant` wait at the gate given. */
  function holdAuthorizations(merchant: string, g: ReturnType<typeof gate>) {
    processor.authorize = async (req) => {
      authorized.push(req);
      if (req.merchant === merchant) {
        g.arrived();
        await g.opened;
      }
      return realAuthorize(req);
    };
  }

  let n = 0;
  const uniq = (p: string) => `${p}-${target.slice(0, 2)}-${++n}`;
  const shop = (group?: string): Promise<Shop> => newShop(v, { group, settings: { frame_limit_per_address: 0 } });
  const db = () => v.runtime.deps.db;
  const charge = (s: Shop, body: Record<string, unknown>, key: string) =>
    s.api('POST', '/v1/charges', { currency: 'USD', ...body }, { 'idempotency-key': key });
  const succeeded = async (merchant: string, customer: string) =>
    db().selectFrom('charges').selectAll().where('merchant_id', '=', merchant).where('customer', '=', customer).where('status', '=', 'succeeded').execute();
  /** The contract's error shape, with its type and code. */
  const refused = (res: Reply, status: number, type: string, code: string) => {
    expect(res.status, res.text).toBe(status);
    expect(res.body.error).toMatchObject({ type, code });
    expect(typeof res.body.error.message).toBe('string');
  };
  const headersOf = (res: Reply) => [...res.headers].filter(([name]) => name !== 'idempotent-replayed');

  describe('a request still in flight', () => {
    it('answers a retry while the first charge is at the processor with 409 request_in_progress and Retry-After, then replays the first answer', async () => {
      const s = await shop();
      const customer = uniq('inflight');
      const { card, mandate } = await subscribe(v, s, customer);
      const g = gate();
      holdAuthorizations(s.id, g);
      const body = { customer, card, mandate, amount: 1500 };
      const key = uniq('k-inflight');
      const first = charge(s, body, key);
      await g.reached;
      const retry = await charge(s, body, key);
      refused(retry, 409, 'idempotency_error', 'request_in_progress');
      expect(retry.headers.get('retry-after')).toBe('1');
      // Another body under the key while it runs: refused as reused, never run.
      refused(await charge(s, { ...body, amount: 1600 }, key), 409, 'idempotency_error', 'idempotency_key_reused');
      // Not stored: the in-progress answer is not what a later retry gets.
      g.open();
      const done = await first;
      expect(done.status, done.text).toBe(201);
      const replay = await charge(s, body, key);
      expect(replay.status).toBe(201);
      expect(replay.text).toBe(done.text);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(authorized.filter((r) => r.merchant === s.id)).toHaveLength(1);
      expect(await succeeded(s.id, customer)).toHaveLength(1);
    });

    it("never lets another merchant's or a sister shop's request with the same key wait on, or see, the first one at the processor", async () => {
      const a = await shop();
      const sister = await shop(a.group);
      const other = await shop();
      const customerA = uniq('hold-a');
      const customerO = uniq('hold-o');
      const subA = await subscribe(v, a, customerA);
      const subO = await subscribe(v, other, customerO);
      const g = gate();
      holdAuthorizations(a.id, g);
      const key = uniq('k-shared');
      const first = charge(a, { customer: customerA, card: subA.card, mandate: subA.mandate, amount: 1100 }, key);
      await g.reached;
      // The other group's shop charges its own customer under the same key meanwhile: it runs, at once.
      const theirs = await charge(other, { customer: customerO, card: subO.card, mandate: subO.mandate, amount: 1100 }, key);
      expect(theirs.status, theirs.text).toBe(201);
      expect(theirs.headers.get('idempotent-replayed')).toBeNull();
      // The sister shop's session under the same key: its own, not blocked by a's running key.
      const session = await sister.api('POST', '/v1/sessions', { amount: 1100, currency: 'USD' }, { 'idempotency-key': key });
      expect(session.status, session.text).toBe(201);
      expect(session.headers.get('idempotent-replayed')).toBeNull();
      g.open();
      const mine = await first;
      expect(mine.status, mine.text).toBe(201);
      expect(mine.body.id).not.toBe(theirs.body.id);
      // Each replays its own answer only.
      expect((await charge(other, { customer: customerO, card: subO.card, mandate: subO.mandate, amount: 1100 }, key)).text).toBe(theirs.text);
      expect((await charge(a, { customer: customerA, card: subA.card, mandate: subA.mandate, amount: 1100 }, key)).text).toBe(mine.text);
      expect(await succeeded(a.id, customerA)).toHaveLength(1);
      expect(await succeeded(other.id, customerO)).toHaveLength(1);
    });

    it('refunds once when a retry of a refund comes while the first is at the processor, and refuses another amount under the key', async () => {
      const s = await shop();
      const customer = uniq('refund-hold');
      const { card, mandate } = await subscribe(v, s, customer);
      const paid = await charge(s, { customer, card, mandate, amount: 3000 }, uniq('k-paid'));
      expect(paid.status, paid.text).toBe(201);
      const g = gate();
      processor.refund = async (req) => {
        refunded.push(req);
        g.arrived();
        await g.opened;
        return realRefund(req);
      };
      const key = uniq('k-refund');
      const path = `/v1/charges/${paid.body.id}/refunds`;
      const first = s.api('POST', path, { amount: 1000 }, { 'idempotency-key': key });
      await g.reached;
      refused(await s.api('POST', path, { amount: 1000 }, { 'idempotency-key': key }), 409, 'idempotency_error', 'request_in_progress');
      refused(await s.api('POST', path, { amount: 2000 }, { 'idempotency-key': key }), 409, 'idempotency_error', 'idempotency_key_reused');
      g.open();
      const done = await first;
      expect(done.status, done.text).toBe(201);
      const again = await s.api('POST', path, { amount: 1000 }, { 'idempotency-key': key });
      expect(again.text).toBe(done.text);
      expect(refunded).toHaveLength(1);
      expect((await s.api('GET', `/v1/charges/${paid.body.id}`)).body.amount_refunded).toBe(1000);
    });
  });

  describe('replays', () => {
    it("replays a charge's first answer byte for byte, with the same headers, after the charge was refunded: never its newer state", async () => {
      const s = await shop();
      const customer = uniq('replay');
      const { card, mandate } = await subscribe(v, s, customer);
      const key = uniq('k-replay');
      const body = { customer, card, mandate, amount: 2000 };
      const first = await charge(s, body, key);
      expect(first.status, first.text).toBe(201);
      expect(first.body.amount_refunded).toBe(0);
      expect((await s.api('POST', `/v1/charges/${first.body.id}/refunds`, { amount: 500 })).status).toBe(201);
      const replay = await charge(s, body, key);
      expect(replay.status).toBe(201);
      expect(replay.text).toBe(first.text);
      expect(headersOf(replay)).toEqual(headersOf(first));
      // A refusal (402: no mandate named) is replayed as it was, even once the charge would pass.
      const noMandate = { customer, card, amount: 2000 };
      const key402 = uniq('k-402');
      const declined = await charge(s, noMandate, key402);
      refused(declined, 402, 'card_error', 'mandate_violation');
      const again = await charge(s, noMandate, key402);
      expect(again.text).toBe(declined.text);
      expect(again.status).toBe(402);
      expect(headersOf(again)).toEqual(headersOf(declined));
      expect(await succeeded(s.id, customer)).toHaveLength(1);
    });

    it("replays the first answer to the merchant's new secret key and to its previous one after a roll, and charges nothing more", async () => {
      const s = await shop();
      const customer = uniq('roll');
      const { card, mandate } = await subscribe(v, s, customer);
      const key = uniq('k-roll');
      // The body as charge() sends it: the same text from every key.
      const body = { currency: 'USD', customer, card, mandate, amount: 1200 };
      const first = await charge(s, body, key);
      expect(first.status, first.text).toBe(201);
      const rolled = await s.api('POST', '/v1/merchant/roll_secret_key', { previous_key_expires_in_hours: 1 });
      expect(rolled.status, rolled.text).toBe(200);
      const fresh = rolled.body.secret_key as string;
      for (const secret of [fresh, s.secret_key]) {
        const res = await v.api('POST', '/v1/charges', { key: secret, body, headers: { 'idempotency-key': key } });
        expect(res.text).toBe(first.text);
        expect(res.headers.get('idempotent-replayed')).toBe('true');
      }
      // Another body under the key from the new key: refused, as from the old one.
      refused(
        await v.api('POST', '/v1/charges', { key: fresh, body: { ...body, amount: 1300 }, headers: { 'idempotency-key': key } }),
        409,
        'idempotency_error',
        'idempotency_key_reused',
      );
      expect(await succeeded(s.id, customer)).toHaveLength(1);
    });
  });

  describe('odd keys', () => {
    it('keeps a key exactly as sent: one differing only in case is its own key, never given the other its answer', async () => {
      const s = await shop();
      const key = uniq('Order-Key');
      const first = await s.api('POST', '/v1/sessions', { amount: 700, currency: 'USD' }, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      const lower = await s.api('POST', '/v1/sessions', { amount: 800, currency: 'USD' }, { 'idempotency-key': key.toLowerCase() });
      expect(lower.status, lower.text).toBe(201);
      expect(lower.headers.get('idempotent-replayed')).toBeNull();
      expect(lower.body.id).not.toBe(first.body.id);
      const upper = await s.api('POST', '/v1/sessions', { amount: 700, currency: 'USD' }, { 'idempotency-key': key });
      expect(upper.body.id).toBe(first.body.id);
      expect(upper.headers.get('idempotent-replayed')).toBe('true');
    });

    it('answers 400 parameter_invalid, never a 500, to keys of only spaces, 256 characters of Latin-1, or a grouped card number', async () => {
      const s = await shop();
      const keys = ['   ', '\u00e9'.repeat(256), '4242 - 4242 - 4242 - 4242', '4242, 4242, 4242, 4242', '%34%32%34%32%34%32%34%32%34%32%34%32%34%32%34%32'];
      for (const key of keys) {
        const res = await s.api('POST', '/v1/sessions', { amount: 100, currency: 'USD' }, { 'idempotency-key': key });
        refused(res, 400, 'invalid_request_error', 'parameter_invalid');
        expect(res.body.error.param).toBe('Idempotency-Key');
        expect(res.text.replace(/\D/g, '')).not.toContain('4242424242424242');
      }
      // 255 of them is a key like any other.
      const longest = await s.api('POST', '/v1/sessions', { amount: 100, currency: 'USD' }, { 'idempotency-key': '\u00e9'.repeat(255) });
      expect(longest.status, longest.text).toBe(201);
      expect(await db().selectFrom('idempotency_keys').select('key').where('merchant_id', '=', s.id).execute()).toHaveLength(1);
    });
  });

  describe('the header repeated, over HTTP', () => {
    let served: ServedVault;
    beforeAll(async () => {
      served = await serveTestVault(target);
    });
    afterAll(() => served.close());

    /** POST over a real connection, each value of `keys` its own Idempotency-Key header line. */
    const post = (path: string, secret: string, body: unknown, keys: string[]) =>
      new Promise<{ status: number; body: any; replayed: string | undefined }>((resolve, reject) => {
        const text = JSON.stringify(body);
        const req = http.request(`${served.url}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${secret}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
            'idempotency-key': keys,
          },
        });
        req.on('response', (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (data += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(data), replayed: res.headers['idempotent-replayed'] as string | undefined }),
          );
        });
        req.on('error', reject);
        req.end(text);
      });

    it('never charges again when a retry carries its Idempotency-Key header twice (a proxy or an SDK adding it again)', async () => {
      const sv = served.v;
      const s = await newShop(sv);
      const customer = uniq('twice');
      const { card, mandate } = await subscribe(sv, s, customer);
      const body = { customer, card, mandate, amount: 900, currency: 'USD' };
      const key = uniq('k-twice');
      const first = await post('/v1/charges', s.secret_key, body, [key]);
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      // The same key, sent twice: either the first answer, or a refusal of the ambiguous header. Never a second charge.
      const retry = await post('/v1/charges', s.secret_key, body, [key, key]);
      if (retry.status === 201) {
        expect(retry.replayed).toBe('true');
        expect(retry.body.id).toBe(first.body.id);
      } else expect(retry.body.error).toMatchObject({ code: 'parameter_invalid', param: 'Idempotency-Key' });
      const charged = await sv.runtime.deps.db.selectFrom('charges').select('id').where('customer', '=', customer).where('status', '=', 'succeeded').execute();
      expect(charged).toHaveLength(1);
    });

    it('refuses two different Idempotency-Key headers instead of making up a key of both ("a, b") that the client never sent', async () => {
      const sv = served.v;
      const s = await newShop(sv);
      const [a, b] = [uniq('k-a'), uniq('k-b')];
      const res = await post('/v1/sessions', s.secret_key, { amount: 100, currency: 'USD' }, [a, b]);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'Idempotency-Key' });
      expect(await sv.runtime.deps.db.selectFrom('idempotency_keys').select('key').where('merchant_id', '=', s.id).execute()).toEqual([]);
    });
  });
});
