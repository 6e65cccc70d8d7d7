// A review, as an attacker and as a careful merchant, of the day's changes: the deleted-card path of a
// retried charge, the scheduler reading its verdict before the claim and recording a resumed attempt on
// the card it charged, a customer's deny and limits taken under the customer's lease, the forward
// path and query rules, ::1 as a private webhook address, and autoPayVerdict's `outside_mandate`.
// Its two defects (a resumed attempt at Adyen sent again on another card, and PHP's reading of an
// unclosed `[` in a forward's query name) are fixed; the other tests document attacks that held.
import crypto from 'node:crypto';
import type http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addDestination } from '../../server/forward/destination-store.ts';
import { addressKind } from '../../server/jobs/webhook-target.ts';
import type { Processor } from '../../server/payments/processor.ts';
import { dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startFakeAdyen, type FakeAdyen } from '../helpers/fake-adyen.ts';
import { listenLocally, type LocalServer } from '../helpers/local-server.ts';
import { at, holdAtProcessor, loseAnswers, plusDays, schedulerPass, subscribe as subscribeIn, today } from '../helpers/money-days.ts';
import { freshVisa } from '../helpers/test-cards.ts';
import { CARDS, LIFTABLE_LIMITS, newShop, type Shop, type TestVault, startTestVault } from '../helpers/test-vault.ts';

const PASSWORD = 'correct horse battery 42';

describe('::1 as a webhook address', () => {
  it('is private (refused unless private webhooks are allowed), as 127.0.0.1 is, in every spelling', () => {
    for (const a of ['::1', '0:0:0:0:0:0:0:1', '::0:1', '0000::0001']) expect(addressKind(a), a).toBe('private');
    expect(addressKind('127.0.0.1')).toBe('private');
    // Its neighbours in ::/96 stay never allowed; a scoped spelling is never allowed.
    for (const a of ['::', '::2', '::1%lo']) expect(addressKind(a), a).toBe('never');
  });
});

describeEachDb('session review attacks', (target) => {
  let v: TestVault;
  let adyen: FakeAdyen;
  let realProcessor: Processor;
  let dest: LocalServer;
  const calls: { url: string }[] = [];
  beforeAll(async () => {
    adyen = await startFakeAdyen();
    dest = await listenLocally((req: http.IncomingMessage, res: http.ServerResponse) => {
      req.resume();
      req.on('end', () => {
        calls.push({ url: req.url! });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    v = await startTestVault(target, {
      limits: { ...LIFTABLE_LIMITS, TRUST_PROXY: 1 },
      processorBaseUrls: { adyen: adyen.url },
      processorTimeoutMs: 1500,
    });
    realProcessor = v.runtime.deps.processor;
  }, 60_000);
  afterAll(async () => {
    v?.setNow(undefined);
    await v?.close();
    await adyen?.close();
    await dest?.close();
  });
  beforeEach(() => {
    v.setNow(undefined);
    v.runtime.deps.processor = realProcessor;
    adyen.clearDrops();
  });

  let n = 0;
  const uniq = (p: string) => `${p}-${target.slice(0, 2)}-${++n}`;
  const shop = (group?: string, settings: Record<string, unknown> = {}): Promise<Shop> =>
    newShop(v, { group, settings: { frame_limit_per_address: 0, ...settings } });
  const subscribe = (s: Shop, customer: string, recurring: Record<string, unknown> = {}, number?: string) => subscribeIn(v, s, customer, recurring, number);
  let keys = 0;
  const newKey = () => `sr-${target}-${++keys}-${crypto.randomBytes(3).toString('hex')}`;
  const charge = (s: Shop, body: Record<string, unknown>, key = newKey()) =>
    s.api('POST', '/v1/charges', { currency: 'USD', ...body }, { 'idempotency-key': key });
  const invoice = async (s: Shop, body: Record<string, unknown>) => {
    const res = await s.api('POST', '/v1/invoices', { amount: 2500, currency: 'USD', ...body });
    if (res.status !== 201) throw new Error(`invoice refused: ${res.text}`);
    return res.body as { id: string };
  };
  const chargesOf = (customer: string) => v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).orderBy('created_at').execute();
  const code = (r: { status: number; body: any }) => `${r.status} ${r.body?.error?.code ?? ''}`.trim();
  const messagesOf = (customer: string, template: string) =>
    v.runtime.deps.db.selectFrom('messages').selectAll().where('customer', '=', customer).where('template', '=', template).execute();

  /** The processor approves, the answer is lost, and nothing can be asked until `reachable()`. */
  const lostAnswer = () => loseAnswers(v, realProcessor);

  describe('defects', () => {
    it('records a resumed attempt at Adyen (which cannot be asked) on the card the money came from, though another card is the default now', async () => {
      const s = await shop();
      const customer = uniq('adyen-switch');
      const first = await subscribe(s, customer);
      const second = await subscribe(s, customer, {}, freshVisa());
      const moved = await s.api('POST', '/v1/merchant', {
        processor: { type: 'adyen', api_key: adyen.apiKey, merchant_account: adyen.merchantAccount, environment: 'test', hmac_key: adyen.hmacKey },
      });
      expect(moved.status, moved.text).toBe(200);
      const d = today();
      const inv = await invoice(s, { customer, due_date: plusDays(d, 2) });
      const reference = `invoice:${inv.id}:${d}`;

      // Day 1: Adyen authorises the first card, and the connection drops before each answer arrives
      // (the connector retries the same request a few times).
      for (let i = 0; i < 6; i++) adyen.dropNext({ afterOperating: true });
      v.setNow(at(d, '12:00:00.000'));
      await schedulerPass(s);
      adyen.clearDrops();
      const taken = adyen.payments.filter((p: any) => p.reference?.includes(inv.id));
      expect(taken.length).toBe(1);
      expect(await chargesOf(customer)).toEqual([]);

      // The customer then makes the second card the default.
      const made = await s.api('POST', `/v1/customers/${customer}/cards/${second.card}`, { default: true });
      expect(made.status, made.text).toBe(200);

      // Day 2 and 3: the passes take the attempt up.
      adyen.clearDrops();
      v.setNow(at(plusDays(d, 1), '12:00:00.000'));
      await schedulerPass(s);
      v.setNow(at(plusDays(d, 2), '12:00:00.000'));
      await schedulerPass(s);

      // Adyen took 25.00 from the first card once; the vault's ledger should say so and the invoice be paid.
      // Every retry under the attempt's reference must name the card it charged: Adyen answers a reused
      // reference with its first answer only for the same request (704 otherwise), and never charges again.
      const numbers = adyen
        .requestsTo('/payments')
        .filter((r) => r.idempotencyKey === reference)
        .map((r) => r.body?.paymentMethod?.number);
      expect(new Set(numbers)).toEqual(new Set([CARDS.visa]));
      expect(adyen.payments.filter((p: any) => p.reference?.includes(inv.id)).length).toBe(1);
      const rows = await chargesOf(customer);
      expect(rows.map((c) => [c.card_token, c.status, c.processor_ref])).toEqual([[first.card, 'succeeded', reference]]);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid' });
    }, 30_000);

    it('ends at Adyen a resumed attempt whose card the customer deleted, and charges the new default card under a new reference', async () => {
      const s = await shop();
      const customer = uniq('adyen-deleted');
      const first = await subscribe(s, customer);
      const second = await subscribe(s, customer, {}, freshVisa());
      const made = await s.api('POST', `/v1/customers/${customer}/cards/${first.card}`, { default: true });
      expect(made.status, made.text).toBe(200);
      const moved = await s.api('POST', '/v1/merchant', {
        processor: { type: 'adyen', api_key: adyen.apiKey, merchant_account: adyen.merchantAccount, environment: 'test', hmac_key: adyen.hmacKey },
      });
      expect(moved.status, moved.text).toBe(200);
      const d = today();
      const inv = await invoice(s, { customer, due_date: plusDays(d, 2) });
      const lost = `invoice:${inv.id}:${d}`;
      // Every answer of the day's pass is lost (the connector retries the same request a few times).
      for (let i = 0; i < 6; i++) adyen.dropNext({ afterOperating: true });
      v.setNow(at(d, '12:00:00.000'));
      await schedulerPass(s);
      adyen.clearDrops();
      expect(await chargesOf(customer)).toEqual([]);
      const sentBefore = adyen.requestsTo('/payments').filter((r) => r.idempotencyKey === lost).length;
      expect((await s.api('DELETE', `/v1/customers/${customer}/cards/${first.card}`)).status).toBe(200);
      const again = await s.api('POST', `/v1/customers/${customer}/cards/${second.card}`, { default: true });
      expect(again.status, again.text).toBe(200);

      adyen.clearDrops();
      v.setNow(at(plusDays(d, 1), '12:00:00.000'));
      await schedulerPass(s);
      // The deleted card's attempt was ended at Adyen by its reference (Adyen reverses what it took),
      // never sent again; the second card paid under the day's own reference.
      expect(adyen.cancels.map((c) => c.paymentReference)).toContain(lost);
      expect(adyen.requestsTo('/payments').filter((r) => r.idempotencyKey === lost)).toHaveLength(sentBefore);
      const rows = await chargesOf(customer);
      expect(rows.map((c) => [c.card_token, c.status, c.processor_ref])).toEqual([[second.card, 'succeeded', `invoice:${inv.id}:${plusDays(d, 1)}`]]);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid' });
      expect(await messagesOf(customer, 'payment_failed')).toEqual([]);
    }, 30_000);

    it("refuses a forward's query name PHP reads as the registered one (`account[id` is PHP's `account_id`)", async () => {
      const s = await shop();
      await addDestination(v.runtime.deps.db, v.runtime.deps.ring, {
        merchantId: s.id,
        live: false,
        name: 'php-psp',
        url: `http://127.0.0.1:${dest.port}/api/v1?account_id=op-123`,
        headers: {},
        cvcAnswerFields: [],
        now: new Date(),
      });
      const imported = await s.api('POST', '/v1/customers/fwd-php/cards', { number: CARDS.visa, exp_month: 4, exp_year: new Date().getUTCFullYear() + 3 });
      expect(imported.status, imported.text).toBe(201);
      const send = (path: string) =>
        s.api(
          'POST',
          '/v1/forward',
          { destination: 'php-psp', customer: 'fwd-php', card: imported.body.token, request: { method: 'POST', path, body: { pan: '{{card.number}}' } } },
          { 'idempotency-key': newKey() },
        );
      // The rules that held: the name itself, PHP's dot and space, and a `;` separator.
      for (const path of ['/pay?account_id=evil', '/pay?account.id=evil', '/pay?account%20id=evil', '/pay?x=1;account_id=evil', '/pay?%20account_id=evil']) {
        expect(code(await send(path)), path).toBe('400 parameter_invalid');
      }
      // PHP replaces an unclosed `[` by `_` as well: `$_GET['account_id']` is then the merchant's `evil`.
      const before = calls.length;
      const res = await send('/pay?account[id=evil');
      expect(code(res)).toBe('400 parameter_invalid');
      expect(calls.slice(before).map((c) => c.url)).toEqual([]);
    });
  });

  describe('attacks that held', () => {
    it("shows a subscription's next invoice as paid automatically from its window's first day, as the pass then does (not outside_mandate)", async () => {
      const s = await shop();
      const customer = uniq('monthly');
      const { card, mandate } = await subscribe(s, customer, { frequency_days: 30 });
      const d = today();
      v.setNow(at(d, '09:00:00.000'));
      // This month's charge under the monthly agreement.
      expect(code(await charge(s, { customer, card, mandate, amount: 900 }))).toBe('201');
      // Next month's invoice: due in 33 days, so the window (3 days) opens on day 30, when the frequency allows it.
      const inv = await invoice(s, { customer, amount: 900, due_date: plusDays(d, 33) });
      const d2 = dashboard(v);
      const cookie = await d2.signedIn(`review${n}.${Date.now()}@shop.example`, PASSWORD, { merchant: s.id, role: 'viewer' });
      const overview = await d2.call('GET', '/overview', { cookie });
      expect(overview.status, overview.text).toBe(200);
      const upcoming = (overview.body.upcoming as any[]).find((u) => u.invoice === inv.id);

      // What the scheduler then does: on the window's first day, it pays the invoice by itself.
      v.setNow(at(plusDays(d, 30), '09:00:00.000'));
      expect(await schedulerPass(s)).toMatchObject({ charged: 1, paid: 1 });
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid' });

      // The overview had warned the merchant it would not ("outside what the customer agreed to").
      expect(upcoming).toMatchObject({ automatic: true, reason: null, charge_from: plusDays(d, 30) });
    });

    it('records a lost approval on a deleted card only under the original key: not under a new key, nor by a sister shop reusing the key', async () => {
      const a = await shop();
      const b = await shop(a.group);
      const customer = uniq('deleted-key');
      const { card, mandate } = await subscribe(a, customer);
      await subscribe(b, customer);
      const key = newKey();
      const body = { customer, card, mandate, amount: 1200 };
      const net = lostAnswer();
      expect(code(await charge(a, body, key))).toMatch(/^50\d processor_unavailable$/);
      expect((await a.api('DELETE', `/v1/customers/${customer}/cards/${card}`)).status).toBe(200);
      net.reachable();
      // The sister shop, with the very same Idempotency-Key and body: its own key, never sent: 404, nothing recorded.
      expect(code(await charge(b, body, key))).toBe('404 resource_missing');
      expect(code(await charge(b, { ...body, mandate: undefined }, newKey()))).toBe('404 resource_missing');
      // The shop itself with a new key, or the old key with another body (another customer, another amount).
      expect(code(await charge(a, body))).toBe('404 resource_missing');
      expect(code(await charge(a, { ...body, amount: 1300 }, key))).toBe('409 idempotency_key_reused');
      expect(code(await charge(a, { ...body, customer: uniq('other') }, key))).toBe('409 idempotency_key_reused');
      expect(await chargesOf(customer)).toEqual([]);
      // The original retry records the money once, on the deleted card, for this shop.
      const retried = await charge(a, body, key);
      expect(retried.status, retried.text).toBe(201);
      expect((await charge(a, body, key)).body.id).toBe(retried.body.id);
      const rows = await chargesOf(customer);
      expect(rows.map((c) => [c.merchant_id, c.card_token, c.status, Number(c.amount)])).toEqual([[a.id, card, 'succeeded', 1200]]);
      expect(v.logs.join('\n')).not.toContain(CARDS.visa);
    });

    it('answers a deleted card whose key was never sent 404, not 502, while the processor is down (no key left unresolved)', async () => {
      const s = await shop();
      const customer = uniq('deleted-down');
      const { card, mandate } = await subscribe(s, customer);
      expect((await s.api('DELETE', `/v1/customers/${customer}/cards/${card}`)).status).toBe(200);
      lostAnswer();
      const key = newKey();
      expect(code(await charge(s, { customer, card, mandate, amount: 500 }, key))).toBe('404 resource_missing');
      // Replayed as 404: the key is resolved.
      const again = await charge(s, { customer, card, mandate, amount: 500 }, key);
      expect(code(again)).toBe('404 resource_missing');
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });

    it('records a resumed attempt on the card it charged, once, when the default card changed and two passes race the next day', async () => {
      const s = await shop();
      const customer = uniq('race-switch');
      await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
      const first = await subscribe(s, customer);
      const second = await subscribe(s, customer, {}, freshVisa());
      const d = today();
      const inv = await invoice(s, { customer, due_date: plusDays(d, 2) });
      const net = lostAnswer();
      v.setNow(at(d, '23:59:59.000'));
      await schedulerPass(s);
      net.reachable();
      expect((await s.api('POST', `/v1/customers/${customer}/cards/${second.card}`, { default: true })).status).toBe(200);
      v.setNow(at(plusDays(d, 1), '00:00:01.000'));
      await Promise.all([schedulerPass(s), schedulerPass(s)]);
      const rows = await chargesOf(customer);
      expect(rows.map((c) => [c.card_token, c.status])).toEqual([[first.card, 'succeeded']]);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid', decline_code: null, failure_code: null });
      const approved = await messagesOf(customer, 'payment_approved');
      expect(approved).toHaveLength(1);
      expect(JSON.stringify(approved[0])).toContain('4242');
      expect(await messagesOf(customer, 'payment_failed')).toHaveLength(0);
    });

    it("keeps a decline's own code on the invoice, and clears it when the invoice is paid", async () => {
      const s = await shop();
      const customer = uniq('decline-code');
      await subscribe(s, customer, {}, CARDS.declineAfterSave);
      const d = today();
      const inv = await invoice(s, { customer, due_date: plusDays(d, 2) });
      v.setNow(at(d, '12:00:00.000'));
      await schedulerPass(s);
      const seen = (await s.api('GET', `/v1/invoices/${inv.id}`)).body;
      expect(seen).toMatchObject({ status: 'open', failure_code: 'card_declined' });
      expect(typeof seen.decline_code).toBe('string');
      const other = await subscribe(s, customer, {}, freshVisa());
      expect((await s.api('POST', `/v1/customers/${customer}/cards/${other.card}`, { default: true })).status).toBe(200);
      v.setNow(at(plusDays(d, 1), '12:00:00.000'));
      await schedulerPass(s);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid', failure_code: null, decline_code: null });
    });

    it('takes limits and deny under the lease without slowing other changes, and many changes in a row all answer', async () => {
      const s = await shop();
      const customer = uniq('lease');
      const { card, mandate } = await subscribe(s, customer);
      const atProcessor = holdAtProcessor(v, realProcessor, 1500);
      const inFlight = charge(s, { customer, card, mandate, amount: 900 });
      await atProcessor;
      // An email is no charge's business: answered at once.
      const t0 = Date.now();
      expect((await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` })).status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(1000);
      // New limits wait for the charge, then hold for the next one.
      const limited = await s.api('POST', `/v1/customers/${customer}`, { limits: { daily: 1000 } });
      expect(limited.status).toBe(200);
      expect(code(await inFlight)).toBe('201');
      v.runtime.deps.processor = realProcessor;
      expect(code(await charge(s, { customer, card, mandate, amount: 200 }))).toBe('402 limit_exceeded');
      // Twenty changes at once: every one answered, none a 409 or a 500.
      const many = await Promise.all(
        Array.from({ length: 20 }, (_, i) => s.api('POST', `/v1/customers/${customer}`, i % 2 ? { limits: { daily: 5000 + i } } : { status: 'none' })),
      );
      expect(many.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect((await s.api('POST', `/v1/customers/${customer}`, { status: 'deny', limits: { daily: null } })).body.status).toBe('deny');
      expect(code(await charge(s, { customer, card, mandate, amount: 200 }))).toBe('403 customer_denied');
    }, 30_000);

    it('lets forward paths and queries through that no server reads as a way out or as the registered name', async () => {
      const s = await shop();
      await addDestination(v.runtime.deps.db, v.runtime.deps.ring, {
        merchantId: s.id,
        live: false,
        name: 'legit',
        url: `http://127.0.0.1:${dest.port}/api/v1?key=op-1`,
        headers: {},
        cvcAnswerFields: [],
        now: new Date(),
      });
      const imported = await s.api('POST', '/v1/customers/fwd-ok/cards', { number: CARDS.visa, exp_month: 4, exp_year: new Date().getUTCFullYear() + 3 });
      expect(imported.status, imported.text).toBe(201);
      const send = (path: string) =>
        s.api(
          'POST',
          '/v1/forward',
          { destination: 'legit', customer: 'fwd-ok', card: imported.body.token, request: { method: 'POST', path, body: { pan: '{{card.number}}' } } },
          { 'idempotency-key': newKey() },
        );
      for (const path of ['/app;jsessionid=ABC123/pay', '/pay;v=2', '/pay?q=a;b', '/pay?note=a%3Bkey%3Dx', '/pay?first+name=Ada', '/a..b/c', '/...;x']) {
        const res = await send(path);
        expect(res.status, `${path}: ${res.text}`).toBe(200);
      }
      for (const path of ['/x/..;/admin', '/x/.;/admin', '/x/%2e%2e;a/admin', '/pay?a=1;key=evil', '/pay?KEY=evil', '/pay?%00=1&key%00x=evil']) {
        const res = await send(path);
        expect(code(res), path).toBe('400 parameter_invalid');
        expect(res.status).not.toBe(500);
      }
    });
  });
});
