// Test mode and forwarding, and what the scheduler says of an invoice before its day. A test-mode shop on
// the simulated processor does not forward a saved real card (POST /v1/forward); plain http, which only
// a test-mode destination may use, carries test cards only, on a provider's test account too, for a
// saved card or one typed into a checkout's forward. The scheduler's rehearsal and the dashboard name the
// refusal the pass then records (test_mode_live_card, customer_denied), and an invoice.payment_failed
// found before the processor carries its decline_code. (Written as an attack review of f2c7e75: replays
// and racing retries, a sister shop, a test card's shown ends at another length, no mandate, a default
// swapped to a test card, and the published contract of POST /v1/forward.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { merchantOverview } from '../../server/dashboard/overview.ts';
import { addDestination } from '../../server/forward/destination-store.ts';
import { findById } from '../../server/merchants/merchant-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { recordingSink } from '../helpers/local-server.ts';
import { startLocalProvider, type LocalProvider } from '../helpers/provider-fixtures.ts';
import { freshVisa, realLookingVisa, withEnds } from '../helpers/test-cards.ts';
import { LIFTABLE_LIMITS, newShop, recordMandate, type Reply, type Shop, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
const nextYear = new Date().getUTCFullYear() + 3;
const exp = { exp_month: 12, exp_year: nextYear };
const recurring = { min_amount: 100, max_amount: 10_000, frequency_days: 0, end_date: `${nextYear}-12-31` };

describeEachDb('test mode: forwarding a saved real card, and the invoice said before its day', (target) => {
  let v: TestVault;
  let provider: LocalProvider;
  let sink: Awaited<ReturnType<typeof recordingSink>>;
  beforeAll(async () => {
    provider = await startLocalProvider('stripe');
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorBaseUrls: { stripe: provider.url } });
    sink = await recordingSink();
  });
  afterAll(async () => {
    await v?.close();
    await provider?.close();
    await sink?.close();
  });

  let n = 0;
  const uniq = (p: string) => `${p}-${target.slice(0, 2)}-${++n}`;
  /** A test-mode shop on the simulated processor with the local sink registered as `sink` (as `npm run forward -- add` does). */
  const shop = async (group?: string) => {
    const s = await newShop(v, { group, settings: { frame_limit_per_address: 0 } });
    await addDestination(v.runtime.deps.db, v.runtime.deps.ring, {
      merchantId: s.id,
      live: false,
      name: 'sink',
      url: sink.origin,
      headers: {},
      now: new Date(),
    });
    return s;
  };
  const toProvider = async (s: Shop) => expect((await s.api('POST', '/v1/merchant', { processor: provider.settings })).status).toBe(200);
  const toSimulated = async (s: Shop) => expect((await s.api('POST', '/v1/merchant', { processor: { type: 'simulated' } })).status).toBe(200);
  /** A real card imported while the shop was on a provider's test account (imports unchecked there), then back on the simulated processor. */
  const importOnProvider = async (s: Shop, customer: string, number: string) => {
    await toProvider(s);
    const imported = await s.api('POST', `/v1/customers/${customer}/cards`, { number, ...exp });
    // 201, or 200 with the group's card when the number is already saved there.
    expect([200, 201], imported.text).toContain(imported.status);
    await toSimulated(s);
    return imported.body.token as string;
  };
  const mandateOn = (s: Shop, customer: string, card: string) => recordMandate(s, customer, card, recurring);
  const forward = (s: Shop, customer: string, card: string, key: string) =>
    s.api(
      'POST',
      '/v1/forward',
      { customer, card, destination: 'sink', request: { method: 'POST', path: '/cards', body: { pan: '{{card.number}}' } } },
      { 'idempotency-key': key },
    );
  const expectRefused = (res: Reply, number: string) => {
    expect(res.status, res.text).toBe(402);
    expect(res.body.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'test_mode_live_card', param: 'card' });
    expect(res.text).not.toContain(number);
    expect(res.text).not.toContain(number.slice(6, 12));
  };
  const sentTo = (number: string) => sink.received.filter((r) => r.includes(number) || r.includes(number.slice(6, 12)));
  const eventsOf = async (s: Shop, type: string) => (await s.api('GET', `/v1/events?type=${type}&limit=100`)).body.data as any[];
  const everywhere = async (s: Shop) => {
    const { db } = v.runtime.deps;
    const keys = await db.selectFrom('idempotency_keys').selectAll().where('merchant_id', '=', s.id).execute();
    const events = await db.selectFrom('events').selectAll().where('merchant_id', '=', s.id).execute();
    return JSON.stringify({ keys, events, logs: v.logs });
  };
  /** The rehearsal's entries for an invoice, the dashboard's upcoming line for it. */
  const foretold = async (s: Shop, invoice: string, now = new Date()) => {
    const rehearsal = await s.api('POST', '/v1/scheduler/run', { now: now.toISOString() });
    expect(rehearsal.status, rehearsal.text).toBe(200);
    const merchant = (await findById(v.runtime.deps.db, s.id))!;
    return {
      charge: rehearsal.body.would_charge.filter((w: any) => w.invoice === invoice),
      notify: rehearsal.body.would_notify.filter((w: any) => w.invoice === invoice),
      upcoming: (await merchantOverview(v.runtime.deps, merchant, 30)).upcoming.find((u) => u.invoice === invoice),
    };
  };
  const invoiceFor = async (s: Shop, customer: string) => {
    const inv = await s.api('POST', '/v1/invoices', { customer, amount: 2500, currency: 'USD', due_date: inDays(2) });
    expect(inv.status, inv.text).toBe(201);
    return inv.body.id as string;
  };

  it('refuses a saved real card’s forward, its replay and a racing burst of one key: nothing sent, no event, no digits in any answer, row or log', async () => {
    const s = await shop();
    const customer = uniq('fwd');
    const number = realLookingVisa();
    const real = await importOnProvider(s, customer, number);
    const key = uniq('k-fwd');
    const first = await forward(s, customer, real, key);
    expectRefused(first, number);
    const replay = await forward(s, customer, real, key);
    expect(replay.status).toBe(402);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    const racing = uniq('k-race');
    const raced = await Promise.all(Array.from({ length: 8 }, () => forward(s, customer, real, racing)));
    for (const res of raced) expect([402, 409], res.text).toContain(res.status);
    expect(raced.filter((r) => r.status === 402).length).toBeGreaterThan(0);
    for (const res of raced.filter((r) => r.status === 402)) expectRefused(res, number);

    expect(sentTo(number)).toEqual([]);
    expect(await eventsOf(s, 'card.forwarded')).toEqual([]);
    const stored = await everywhere(s);
    expect(stored).toContain('test_mode_live_card');
    expect(stored).not.toContain(number);
    expect(stored).not.toContain(number.slice(6, 12));

    // A test card of the same customer is forwarded, once per key.
    const testNumber = freshVisa();
    const test = await s.api('POST', `/v1/customers/${customer}/cards`, { number: testNumber, ...exp });
    expect(test.status, test.text).toBe(201);
    const okKey = uniq('k-ok');
    expect((await forward(s, customer, test.body.token, okKey)).status).toBe(200);
    expect((await forward(s, customer, test.body.token, okKey)).headers.get('idempotent-replayed')).toBe('true');
    expect(sentTo(testNumber)).toHaveLength(1);
  });

  it('gives a sister shop 404 for the group’s real card it never imported, and 402 for the one it imported itself: nothing sent', async () => {
    const a = await shop();
    const b = await shop(a.group);
    const customer = uniq('sister');
    const number = realLookingVisa();
    const real = await importOnProvider(a, customer, number);
    const notHers = await forward(b, customer, real, uniq('k-sis'));
    expect(notHers.status, notHers.text).toBe(404);
    expect(notHers.text).toBe((await forward(b, customer, 'card_doesnotexist0000000000', uniq('k-sis'))).text);
    const again = await importOnProvider(b, customer, number);
    expect(again).toBe(real);
    expectRefused(await forward(b, customer, again, uniq('k-sis')), number);
    expect(sentTo(number)).toEqual([]);
    expect(await eventsOf(b, 'card.forwarded')).toEqual([]);
  });

  it('on a provider’s test account, sends a test card over plain http but never a real one; charges go to the provider', async () => {
    const s = await shop();
    const customer = uniq('prov');
    const number = realLookingVisa();
    const real = await importOnProvider(s, customer, number);
    const key = uniq('k-prov');
    const refused = await forward(s, customer, real, key);
    expectRefused(refused, number);

    await toProvider(s);
    // The old key still answers its first answer; a new key is refused too: the sink is plain http.
    expect((await forward(s, customer, real, key)).text).toBe(refused.text);
    const inClear = await forward(s, customer, real, uniq('k-prov'));
    expectRefused(inClear, number);
    expect(inClear.body.error.message).toContain('plain http');
    expect(sentTo(number)).toEqual([]);
    expect(await eventsOf(s, 'card.forwarded')).toEqual([]);
    const testNumber = freshVisa();
    const test = await s.api('POST', `/v1/customers/${customer}/cards`, { number: testNumber, ...exp });
    expect(test.status, test.text).toBe(201);
    expect((await forward(s, customer, test.body.token, uniq('k-prov'))).status).toBe(200);
    expect(sentTo(testNumber)).toHaveLength(1);
    await mandateOn(s, customer, real);
    // The rehearsal agrees: the rule is the simulated processor's.
    const invoice = await invoiceFor(s, customer);
    const said = await foretold(s, invoice);
    expect(said.charge.map((w: any) => w.card)).toEqual([real]);
    expect(said.upcoming).toMatchObject({ automatic: true, reason: null });
  });

  it('does not send a checkout’s forward of a real card typed on a provider’s test account over plain http; a test card is sent', async () => {
    const s = await shop();
    await toProvider(s);
    const checkout = async (number: string) => {
      const created = await s.api('POST', '/v1/sessions', {
        amount: 1500,
        currency: 'USD',
        forward: { destination: 'sink', request: { method: 'POST', path: '/typed', body: { pan: '{{card.number}}' } } },
      });
      expect(created.status, created.text).toBe(201);
      const confirmed = await v.frame('/frame/v1/confirm', created.body.client_secret, { card: { number, ...exp, cvc: '123' } });
      expect(confirmed.status, confirmed.text).toBe(200);
      return (await s.api('GET', `/v1/sessions/${created.body.id}`)).body;
    };
    const number = realLookingVisa();
    const paid = await checkout(number);
    expect(paid.forward_result).toEqual({ status: 0, body: null, error: 'forward_failed' });
    expect(sentTo(number)).toEqual([]);
    expect(await everywhere(s)).not.toContain(number.slice(6, 12));
    const testNumber = freshVisa();
    expect((await checkout(testNumber)).forward_result).toMatchObject({ status: 200 });
    expect(sentTo(testNumber)).toHaveLength(1);
  });

  it('rehearses, as the pass then does, an invoice on a card with a test card’s shown ends at another length (19 digits)', async () => {
    const s = await shop();
    const customer = uniq('len');
    await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
    const number = withEnds('424242', '4242', 19);
    const card = await importOnProvider(s, customer, number);
    expect((await s.api('GET', `/v1/customers/${customer}`)).body.default_card).toBe(card);
    await mandateOn(s, customer, card);
    const invoice = await invoiceFor(s, customer);
    const said = await foretold(s, invoice);

    const run = await s.api('POST', '/v1/scheduler/run', {});
    expect(run.body).toMatchObject({ paid: 0, failed: 1 });
    const failed = (await eventsOf(s, 'invoice.payment_failed')).map((e) => e.data);
    expect(failed).toEqual([expect.objectContaining({ invoice, code: 'card_declined', decline_code: 'test_mode_live_card' })]);

    // What the rehearsal and the dashboard said before the pass: the pass's own outcome.
    expect(said.charge).toEqual([]);
    expect(said.notify).toEqual([{ type: 'invoice.payment_failed', invoice, customer, code: 'card_declined', decline_code: 'test_mode_live_card' }]);
    expect(said.upcoming).toMatchObject({ automatic: false, reason: 'test_mode_live_card' });
  });

  it('rehearses the code the pass then records for a denied customer’s real card (the pass says customer_denied first)', async () => {
    const s = await shop();
    const customer = uniq('deny');
    await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
    const real = await importOnProvider(s, customer, realLookingVisa());
    await mandateOn(s, customer, real);
    expect((await s.api('POST', `/v1/customers/${customer}`, { status: 'deny' })).status).toBe(200);
    const invoice = await invoiceFor(s, customer);
    const said = await foretold(s, invoice);
    expect((await s.api('POST', '/v1/scheduler/run', {})).body).toMatchObject({ failed: 1 });
    const failed = (await eventsOf(s, 'invoice.payment_failed')).map((e) => e.data);
    expect(failed).toHaveLength(1);
    expect(said.charge).toEqual([]);
    expect(failed[0]).toMatchObject({ code: 'customer_denied', decline_code: null });
    expect(said.notify).toEqual([{ type: 'invoice.payment_failed', invoice, customer, code: 'customer_denied' }]);
    expect(said.upcoming).toMatchObject({ automatic: false, reason: 'customer_denied' });
  });

  it('says no_mandate (mandate_violation, no decline_code) for a real card without a mandate, and the pass agrees', async () => {
    const s = await shop();
    const customer = uniq('nomdt');
    await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
    const number = realLookingVisa();
    await importOnProvider(s, customer, number);
    const invoice = await invoiceFor(s, customer);
    const said = await foretold(s, invoice);
    expect(said.charge).toEqual([]);
    expect(said.notify).toEqual([{ type: 'invoice.payment_failed', invoice, customer, code: 'mandate_violation' }]);
    expect(said.upcoming).toMatchObject({ automatic: false, reason: 'no_mandate' });
    expect((await s.api('POST', '/v1/scheduler/run', {})).body).toMatchObject({ failed: 1 });
    const failed = (await eventsOf(s, 'invoice.payment_failed')).map((e) => e.data);
    expect(failed).toEqual([expect.objectContaining({ invoice, charge: null, code: 'mandate_violation', decline_code: null })]);
    expect(JSON.stringify(failed)).not.toContain(number.slice(6, 12));
  });

  it('after a refusal, rehearses the next day’s charge on the test card put in its place; a processor’s decline keeps its own code', async () => {
    const s = await shop();
    const customer = uniq('swap');
    await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
    const real = await importOnProvider(s, customer, realLookingVisa());
    await mandateOn(s, customer, real);
    const invoice = await invoiceFor(s, customer);
    expect((await s.api('POST', '/v1/scheduler/run', {})).body).toMatchObject({ failed: 1 });

    // A card the processor declines (a test card): tomorrow's rehearsal would charge it, the pass records the processor's code.
    const declining = await s.api('POST', `/v1/customers/${customer}/cards`, { number: '4000000000000002', ...exp });
    expect(declining.status, declining.text).toBe(201);
    expect((await s.api('POST', `/v1/customers/${customer}/cards/${declining.body.token}`, { default: true })).status).toBe(200);
    const mandate = await mandateOn(s, customer, declining.body.token);
    const tomorrow = new Date(Date.now() + DAY);
    const said = await foretold(s, invoice, tomorrow);
    expect(said.charge).toEqual([expect.objectContaining({ invoice, card: declining.body.token, mandate })]);
    expect(said.notify).toEqual([]);
    expect(said.upcoming).toMatchObject({ automatic: true, reason: null });
    v.setNow(tomorrow);
    try {
      expect((await s.api('POST', '/v1/scheduler/run', {})).body).toMatchObject({ failed: 1 });
    } finally {
      v.setNow(undefined);
    }
    const failed = (await eventsOf(s, 'invoice.payment_failed')).map((e) => e.data);
    expect(failed).toHaveLength(2);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ charge: null, code: 'card_declined', decline_code: 'test_mode_live_card' }),
        expect.objectContaining({ charge: expect.stringMatching(/^ch_/), code: 'card_declined', decline_code: 'generic_decline' }),
      ]),
    );
  });

  it('publishes the 402 that POST /v1/forward now answers in its OpenAPI document, as POST /v1/charges does', async () => {
    const doc = await v.api('GET', '/openapi.json', { key: '' });
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths['/v1/charges'].post.responses)).toContain('402');
    expect(Object.keys(doc.body.paths['/v1/forward'].post.responses)).toContain('402');
  });
});
