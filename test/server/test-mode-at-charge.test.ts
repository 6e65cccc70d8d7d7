// Test mode's rule (a test-mode shop on the simulated processor takes test cards only) when a stored
// card is charged: an invoice's automatic payment, a merchant charge and its Idempotency-Key, a
// recurring or setup checkout, a sister shop, a card whose key left the ring, and the fields' list of
// saved cards. Then PostgreSQL's hot reads, which go straight to the read pipeline: many at once, and
// during another connection's ALTER TABLE. (Written as an attack review of both changes.)
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { saveCard } from '../../server/cards/card-store.ts';
import { ensureCustomer, noteCardSaved } from '../../server/customers/customer-store.ts';
import { ReadPipeline } from '../../server/db/pg-read-pipeline.ts';
import { merchantOverview } from '../../server/dashboard/overview.ts';
import { findById } from '../../server/merchants/merchant-store.ts';
import { binFacts } from '../../server/payments/bin-facts.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { recordingSink } from '../helpers/local-server.ts';
import { runCli } from '../helpers/storage-scan.ts';
import { startLocalProvider, type LocalProvider } from '../helpers/provider-fixtures.ts';
import { freshVisa, realLookingVisa, withEnds } from '../helpers/test-cards.ts';
import {
  CARDS,
  LIFTABLE_LIMITS,
  newCard,
  newShop,
  recordMandate,
  openSession,
  recordAuthorizations,
  type Reply,
  type Shop,
  startTestVault,
  type TestVault,
} from '../helpers/test-vault.ts';

const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
const nextYear = new Date().getUTCFullYear() + 3;
const exp = { exp_month: 12, exp_year: nextYear };
const recurring = { min_amount: 100, max_amount: 10_000, frequency_days: 0, end_date: `${nextYear}-12-31` };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const realLooking = () => realLookingVisa();
describeEachDb('test mode at charge time, and the pipelined reads', (target) => {
  let v: TestVault;
  let provider: LocalProvider;
  beforeAll(async () => {
    provider = await startLocalProvider('stripe');
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorBaseUrls: { stripe: provider.url } });
  });
  afterAll(async () => {
    await v?.close();
    await provider?.close();
  });

  let n = 0;
  const uniq = (p: string) => `${p}-${target.slice(0, 2)}-${++n}`;
  const shop = (group?: string) => newShop(v, { group, settings: { frame_limit_per_address: 0 } });

  /** A card stored as the vault stored them before the rule (a checkout save), paid with once so that one click offers it. */
  const plant = async (s: Shop, customer: string, number: string, options: { makeDefault?: boolean } = {}) => {
    const { deps } = v.runtime;
    const now = new Date();
    const owner = await ensureCustomer(deps.db, s.group, customer, now);
    const brand = number.startsWith('37') ? 'amex' : number.startsWith('5') ? 'mastercard' : 'visa';
    const { row } = await saveCard(deps.db, deps.ring, deps.fingerprints, {
      groupId: s.group,
      customer,
      card: { number, brand, ...exp },
      bin: binFacts(number.slice(0, 6)),
      source: 'checkout',
      now,
    });
    await deps.db.updateTable('cards').set({ successful_payments: 1 }).where('token', '=', row.token).execute();
    if (options.makeDefault) await noteCardSaved(deps.db, owner, row.token, now);
    return row.token;
  };
  /** A real card imported while the shop was on a provider's test account (imports unchecked there), then back on the simulated processor. */
  const importOnProvider = async (s: Shop, customer: string, number: string) => {
    const set = await s.api('POST', '/v1/merchant', { processor: { type: 'stripe', secret_key: 'sk_test_local_provider_account' } });
    expect(set.status, set.text).toBe(200);
    const imported = await s.api('POST', `/v1/customers/${customer}/cards`, { number, ...exp });
    expect(imported.status, imported.text).toBe(201);
    const back = await s.api('POST', '/v1/merchant', { processor: { type: 'simulated' } });
    expect(back.status, back.text).toBe(200);
    return imported.body.token as string;
  };
  const mandateOn = (s: Shop, customer: string, card: string) => recordMandate(s, customer, card, recurring);
  const charge = (s: Shop, body: Record<string, unknown>, key: string) =>
    s.api('POST', '/v1/charges', { amount: 1000, currency: 'USD', ...body }, { 'idempotency-key': key });
  const expectRefused = (res: Reply, param: string, number: string) => {
    expect(res.status, res.text).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'card_declined', decline_code: 'test_mode_live_card', param });
    expect(res.body.error.charge).toBeUndefined();
    expect(res.text).not.toContain(number);
    expect(res.text).not.toContain(number.slice(6, 12));
  };
  const chargesOf = (customer: string) =>
    v.runtime.deps.db.selectFrom('charges').select(['id', 'status', 'card_token']).where('customer', '=', customer).execute();
  const askedFor = (asked: { card: { number: string } }[], number: string) => asked.filter((a) => a.card.number === number);

  it('refuses an invoice’s automatic payment from a real default card (no charge, not paid, no number anywhere); a test card pays it next day', async () => {
    const asked = recordAuthorizations(v);
    const s = await shop();
    const customer = uniq('inv');
    await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
    const number = realLooking();
    const real = await importOnProvider(s, customer, number);
    expect((await s.api('GET', `/v1/customers/${customer}`)).body.default_card).toBe(real);
    await mandateOn(s, customer, real);
    const inv = await s.api('POST', '/v1/invoices', { customer, amount: 2500, currency: 'USD', due_date: inDays(2) });
    expect(inv.status, inv.text).toBe(201);

    // Before the pass, the rehearsal and the dashboard's upcoming payments say it will not be paid, and why.
    const rehearsal = await s.api('POST', '/v1/scheduler/run', { now: new Date().toISOString() });
    expect(rehearsal.status, rehearsal.text).toBe(200);
    expect(rehearsal.body.would_charge.filter((w: any) => w.invoice === inv.body.id)).toEqual([]);
    expect(rehearsal.body.would_notify.filter((w: any) => w.invoice === inv.body.id)).toEqual([
      { type: 'invoice.payment_failed', invoice: inv.body.id, customer, code: 'card_declined', decline_code: 'test_mode_live_card' },
    ]);
    const merchant = (await findById(v.runtime.deps.db, s.id))!;
    const upcoming = (await merchantOverview(v.runtime.deps, merchant, 30)).upcoming.find((u) => u.invoice === inv.body.id);
    expect(upcoming).toMatchObject({ automatic: false, charge_from: null, reason: 'test_mode_live_card' });

    const run = await s.api('POST', '/v1/scheduler/run', {});
    expect(run.status, run.text).toBe(200);
    expect(run.body).toMatchObject({ paid: 0, failed: 1 });
    expect((await s.api('GET', `/v1/invoices/${inv.body.id}`)).body).toMatchObject({
      status: 'open',
      charge: null,
      paid_at: null,
      failure_code: 'card_declined',
      decline_code: 'test_mode_live_card',
    });
    expect(askedFor(asked, number)).toEqual([]);
    expect(await chargesOf(customer)).toEqual([]);
    const failed = await s.api('GET', '/v1/events?type=invoice.payment_failed');
    expect(failed.body.data.map((e: any) => e.data)).toEqual([
      expect.objectContaining({ invoice: inv.body.id, charge: null, code: 'card_declined', decline_code: 'test_mode_live_card' }),
    ]);
    expect((await s.api('GET', '/v1/events?limit=100')).body.data.filter((e: any) => e.type === 'invoice.paid')).toEqual([]);
    const messages = await v.runtime.deps.db.selectFrom('messages').selectAll().where('customer', '=', customer).execute();
    expect(JSON.stringify(messages)).not.toContain(number);
    expect(JSON.stringify(failed.body)).not.toContain(number);

    // The shop puts a test card in its place: the next day's pass charges it and pays the invoice.
    const test = await s.api('POST', `/v1/customers/${customer}/cards`, { number: freshVisa(), ...exp });
    expect(test.status, test.text).toBe(201);
    expect((await s.api('POST', `/v1/customers/${customer}/cards/${test.body.token}`, { default: true })).status).toBe(200);
    await mandateOn(s, customer, test.body.token);
    v.setNow(new Date(Date.now() + DAY));
    try {
      expect((await s.api('POST', '/v1/scheduler/run', {})).body).toMatchObject({ charged: 1, paid: 1, failed: 0 });
    } finally {
      v.setNow(undefined);
    }
    const paid = (await s.api('GET', `/v1/invoices/${inv.body.id}`)).body;
    expect((await merchantOverview(v.runtime.deps, merchant, 30)).upcoming.find((u) => u.invoice === inv.body.id)).toBeUndefined();
    expect(paid).toMatchObject({ status: 'paid', charge: expect.stringMatching(/^ch_/) });
    expect(await chargesOf(customer)).toEqual([expect.objectContaining({ id: paid.charge, status: 'succeeded', card_token: test.body.token })]);
  });

  it('does not forward a saved real card from a test-mode shop (nothing reaches the destination); a test card is forwarded', async () => {
    const sink = await recordingSink();
    const { received } = sink;
    try {
      const s = await shop();
      const added = await runCli(v, 'server/cli/forward.ts', ['add', '--merchant', s.id, '--name', 'sink', '--url', sink.origin]);
      expect(added.code, added.err).toBe(0);
      const customer = uniq('fwd');
      const number = realLooking();
      const real = await importOnProvider(s, customer, number);
      const send = (card: string, key: string) =>
        s.api(
          'POST',
          '/v1/forward',
          { customer, card, destination: 'sink', request: { method: 'POST', path: '/cards', body: { pan: '{{card.number}}' } } },
          { 'idempotency-key': key },
        );
      const key = uniq('k-fwd');
      const refused = await send(real, key);
      expectRefused(refused, 'card', number);
      expect((await send(real, key)).text).toBe(refused.text);
      expect(received).toEqual([]);
      const events = await s.api('GET', '/v1/events?type=card.forwarded');
      expect(events.body.data).toEqual([]);

      const testNumber = freshVisa();
      const test = await s.api('POST', `/v1/customers/${customer}/cards`, { number: testNumber, ...exp });
      expect(test.status, test.text).toBe(201);
      const sent = await send(test.body.token, uniq('k-fwd'));
      expect(sent.status, sent.text).toBe(200);
      expect(received).toEqual([`/cards {"pan":"${testNumber}"}`]);
    } finally {
      await sink.close();
    }
  });

  it('stores a refused merchant charge under its key as a refusal: replays, racing retries, a deleted card, a test card in its place', async () => {
    const asked = recordAuthorizations(v);
    const s = await shop();
    const customer = uniq('idem');
    const number = realLooking();
    const real = await importOnProvider(s, customer, number);
    const mandate = await mandateOn(s, customer, real);
    const key = uniq('k-refused');
    const first = await charge(s, { customer, card: real, mandate }, key);
    expectRefused(first, 'card', number);
    const replay = await charge(s, { customer, card: real, mandate }, key);
    expect(replay.status).toBe(402);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    const racing = uniq('k-race');
    const raced = await Promise.all(Array.from({ length: 6 }, () => charge(s, { customer, card: real, mandate }, racing)));
    for (const res of raced) expect([402, 409], res.text).toContain(res.status);
    expect(raced.filter((r) => r.status === 402).length).toBeGreaterThan(0);
    for (const res of raced.filter((r) => r.status === 402)) expect(res.body.error.decline_code).toBe('test_mode_live_card');
    expect(askedFor(asked, number)).toEqual([]);
    expect(await chargesOf(customer)).toEqual([]);

    // The card is deleted: the key still answers its first answer, a new key finds no card.
    expect((await s.api('DELETE', `/v1/customers/${customer}/cards/${real}`)).status).toBe(200);
    expect((await charge(s, { customer, card: real, mandate }, key)).text).toBe(first.text);
    expect((await charge(s, { customer, card: real, mandate }, uniq('k-gone'))).status).toBe(404);

    // A test card in its place: the old key with its body is refused as reused, a new key charges it once.
    const test = await s.api('POST', `/v1/customers/${customer}/cards`, { number: freshVisa(), ...exp });
    expect(test.status, test.text).toBe(201);
    const second = await mandateOn(s, customer, test.body.token);
    const reused = await charge(s, { customer, card: test.body.token, mandate: second }, key);
    expect(reused.status, reused.text).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    const fresh = uniq('k-test');
    const ok = await charge(s, { customer, card: test.body.token, mandate: second }, fresh);
    expect(ok.status, ok.text).toBe(201);
    expect((await charge(s, { customer, card: test.body.token, mandate: second }, fresh)).body.id).toBe(ok.body.id);
    expect(await chargesOf(customer)).toEqual([expect.objectContaining({ id: ok.body.id, status: 'succeeded' })]);
  });

  it('refuses a saved real card in a recurring checkout each time: nothing closed, no lease held, nothing counted against limits', async () => {
    const asked = recordAuthorizations(v);
    const s = await shop();
    const customer = uniq('rec');
    const number = realLooking();
    const real = await plant(s, customer, number);
    // 1,500 a day: the six refused attempts below would pass it nine times over if they counted.
    expect((await s.api('POST', `/v1/customers/${customer}`, { limits: { daily: 2000 } })).status).toBe(200);
    const session = await openSession(v, { customer, amount: 1500, currency: 'USD', recurring }, s.secret_key);
    for (let i = 0; i < 6; i++) {
      const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: real, cvc: '123' }, save: true });
      expectRefused(res, 'saved_card.token', number);
    }
    const fields = await v.frame('/frame/v1/session', session.secret);
    expect(fields.status, fields.text).toBe(200);
    expect(fields.body).toMatchObject({ status: 'open', failed_attempts: 0 });
    expect((await s.api('GET', `/v1/customers/${customer}/mandates`)).body.data).toEqual([]);
    expect(askedFor(asked, number)).toEqual([]);
    const paid = await v.frame('/frame/v1/confirm', session.secret, { card: newCard(CARDS.visa), save: true });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body).toMatchObject({ status: 'succeeded', mandate: expect.stringMatching(/^mdt_/) });
    expect((await s.api('GET', `/v1/sessions/${session.id}`)).body.status).toBe('complete');
  });

  it('refuses a saved real card in a setup session’s agreement (no verification asked of the processor); a saved test card gives the agreement', async () => {
    const asked = recordAuthorizations(v);
    const s = await shop();
    const customer = uniq('setup');
    const number = realLooking();
    const real = await plant(s, customer, number);
    const test = await plant(s, customer, freshVisa());
    const session = await openSession(v, { customer, mode: 'setup', amount: undefined, currency: 'USD', recurring }, s.secret_key);
    const refused = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: real, cvc: '123' }, save: true });
    expectRefused(refused, 'saved_card.token', number);
    expect(askedFor(asked, number)).toEqual([]);
    const agreed = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: test, cvc: '123' }, save: true });
    expect(agreed.status, agreed.text).toBe(200);
    expect(agreed.body).toMatchObject({ status: 'succeeded', mandate: expect.stringMatching(/^mdt_/) });
    const mandates = (await s.api('GET', `/v1/customers/${customer}/mandates`)).body.data;
    expect(mandates.map((m: any) => m.card)).toEqual([test]);
  });

  it('does not offer in the fields, for one click, a saved real card that the confirmation would refuse', async () => {
    const s = await shop();
    const customer = uniq('offer');
    await plant(s, customer, realLooking());
    const test = await plant(s, customer, freshVisa());
    const session = await openSession(v, { customer, amount: 1500, currency: 'USD' }, s.secret_key);
    const fields = await v.frame('/frame/v1/session', session.secret);
    expect(fields.status, fields.text).toBe(200);
    // saved-card-offer.ts: "the fields never show a card the vault would refuse, nor hide one it would take".
    expect(fields.body.cards.map((c: { token: string }) => c.token)).toEqual([test]);
  });

  it('does not offer in the fields a test card’s shown ends at another length; one saved before its length was kept is refused when confirmed', async () => {
    const asked = recordAuthorizations(v);
    const s = await shop();
    const customer = uniq('length');
    const number = withEnds('424242', '4242', 19);
    const long = await plant(s, customer, number);
    const test = await plant(s, customer, withEnds('424242', '4242', 16));
    const session = await openSession(v, { customer, amount: 1500, currency: 'USD' }, s.secret_key);
    const offered = async () => (await v.frame('/frame/v1/session', session.secret)).body.cards.map((c: { token: string }) => c.token);
    expect(await offered()).toEqual([test]);

    // A row from before migration 0024 has no length: its ends alone show it, and the confirmation opens the number.
    await v.runtime.deps.db.updateTable('cards').set({ pan_length: null }).where('token', '=', long).execute();
    expect((await offered()).sort()).toEqual([long, test].sort());
    expectRefused(await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: long, cvc: '123' } }), 'saved_card.token', number);
    expect(askedFor(asked, number)).toEqual([]);
  });

  it('refuses a sister shop’s one click with the group’s real card, while a sister on a provider’s test account leaves it to the provider', async () => {
    const asked = recordAuthorizations(v);
    const a = await shop();
    const b = await shop(a.group);
    const customer = uniq('sister');
    const number = realLooking();
    const real = await plant(a, customer, number);
    const atB = await openSession(v, { customer, amount: 1200, currency: 'USD' }, b.secret_key);
    expectRefused(await v.frame('/frame/v1/confirm', atB.secret, { saved_card: { token: real, cvc: '123' } }), 'saved_card.token', number);
    expect((await v.frame('/frame/v1/session', atB.secret)).body.failed_attempts).toBe(0);
    expect(askedFor(asked, number)).toEqual([]);

    const c = await shop(a.group);
    expect((await c.api('POST', '/v1/merchant', { processor: provider.settings })).status).toBe(200);
    const before = provider.paid();
    const atC = await openSession(v, { customer, amount: 1200, currency: 'USD' }, c.secret_key);
    const viaProvider = await v.frame('/frame/v1/confirm', atC.secret, { saved_card: { token: real, cvc: '123' } });
    expect(viaProvider.status, viaProvider.text).toBe(200);
    expect(viaProvider.body.status).toBe('succeeded');
    expect(provider.paid()).toBe(before + 1);
    expect(askedFor(asked, number)).toEqual([]);
  });

  it('charges saved test cards with another middle; refuses test ends at another length, or a test BIN with another last four', async () => {
    const asked = recordAuthorizations(v);
    const s = await shop();
    const customer = uniq('variants');
    for (const number of [freshVisa(), withEnds('555555', '4444', 16), withEnds('378282', '0005', 15)]) {
      const card = await s.api('POST', `/v1/customers/${customer}/cards`, { number, ...exp });
      expect(card.status, `${number}: ${card.text}`).toBe(201);
      const res = await charge(s, { customer, card: card.body.token, mandate: await mandateOn(s, customer, card.body.token) }, uniq('k-var'));
      expect(res.status, `${number}: ${res.text}`).toBe(201);
      expect(res.body.status).toBe('succeeded');
      expect(askedFor(asked, number)).toHaveLength(1);
    }
    for (const number of [withEnds('424242', '4242', 19), withEnds('424242', '1881', 16)]) {
      const card = await importOnProvider(s, customer, number);
      const res = await charge(s, { customer, card, mandate: await mandateOn(s, customer, card) }, uniq('k-var'));
      expectRefused(res, 'card', number);
      expect(askedFor(asked, number)).toEqual([]);
    }
  });

  it('answers card_key_unavailable (not stored, no attempt counted) for a real card whose key left the ring, and the rule once the key is back', async () => {
    const { db } = v.runtime.deps;
    const s = await shop();
    const customer = uniq('ring');
    const number = realLooking();
    const oneClick = await plant(s, customer, number);
    const imported = await importOnProvider(s, customer, realLooking());
    const mandate = await mandateOn(s, customer, imported);
    const versions = await db.selectFrom('cards').select(['token', 'key_version']).where('token', 'in', [oneClick, imported]).execute();
    await db.updateTable('cards').set({ key_version: '9999' }).where('token', 'in', [oneClick, imported]).execute();
    const key = uniq('k-ring');
    try {
      const session = await openSession(v, { customer, amount: 1500, currency: 'USD' }, s.secret_key);
      const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: oneClick, cvc: '123' } });
      expect(res.status, res.text).toBe(503);
      expect(res.body.error.code).toBe('card_key_unavailable');
      expect((await v.frame('/frame/v1/session', session.secret)).body.failed_attempts).toBe(0);
      const mit = await charge(s, { customer, card: imported, mandate }, key);
      expect(mit.status, mit.text).toBe(503);
      expect(mit.body.error.code).toBe('card_key_unavailable');
    } finally {
      for (const row of versions) await db.updateTable('cards').set({ key_version: row.key_version }).where('token', '=', row.token).execute();
    }
    const retried = await charge(s, { customer, card: imported, mandate }, key);
    expect(retried.status, retried.text).toBe(402);
    expect(retried.body.error.decline_code).toBe('test_mode_live_card');
    expect(await chargesOf(customer)).toEqual([]);
  });

  /** Customers with a test card each, for the read bursts: each answer must name its own customer's card. */
  const readers = async (count: number) => {
    const s = await shop();
    const rows: { customer: string; token: string }[] = [];
    for (let i = 0; i < count; i++) {
      const customer = uniq('burst');
      const res = await s.api('POST', `/v1/customers/${customer}/cards`, { number: freshVisa(), ...exp });
      expect(res.status, res.text).toBe(201);
      rows.push({ customer, token: res.body.token });
    }
    return { s, rows };
  };
  const burst = async (s: Shop, rows: { customer: string; token: string }[], rounds = 2) => {
    const answers = await Promise.all(
      Array.from({ length: rounds }, () =>
        rows.flatMap(({ customer }) => [s.api('GET', `/v1/customers/${customer}/cards`), s.api('GET', `/v1/customers/${customer}`)]),
      ).flat(),
    );
    for (let i = 0; i < answers.length; i += 2) {
      const { customer, token } = rows[(i / 2) % rows.length];
      const [cards, who] = [answers[i], answers[i + 1]];
      expect(cards.status, cards.text).toBe(200);
      expect(cards.body.data.map((c: { token: string }) => c.token)).toEqual([token]);
      expect(who.status, who.text).toBe(200);
      expect(who.body).toMatchObject({ customer, default_card: token });
    }
  };

  it('answers every one of many concurrent reads with its own rows, past 32 in flight on PostgreSQL', async () => {
    const { s, rows } = await readers(40);
    const open = Object.getOwnPropertyDescriptor(ReadPipeline.prototype, 'open')!;
    let overflow = 0;
    Object.defineProperty(ReadPipeline.prototype, 'open', {
      configurable: true,
      get(this: ReadPipeline) {
        const value = open.get!.call(this) as boolean;
        if (!value) overflow++;
        return value;
      },
    });
    try {
      await burst(s, rows, 3);
    } finally {
      Object.defineProperty(ReadPipeline.prototype, 'open', open);
    }
    if (target === 'postgres') expect(overflow).toBeGreaterThan(0);
  });

  it.runIf(target === 'postgres')('answers reads during another instance’s ALTER TABLE and behind its lock, with the right rows', async () => {
    const { s, rows } = await readers(24);
    const admin = new pg.Client({ connectionString: v.databaseUrl });
    const migrator = new pg.Client({ connectionString: v.databaseUrl });
    await admin.connect();
    await migrator.connect();
    try {
      await burst(s, rows);
      // Added while a burst is in flight: the named `select *` of customers planned before it is stale.
      await Promise.all([burst(s, rows), sleep(5).then(() => admin.query('alter table customers add column review_note text'))]);
      await burst(s, rows);
      // Held past the pipeline's 50 ms lock timeout: the reads wait on the pool, and the answers are still each its own.
      await migrator.query('begin');
      await migrator.query('lock table customers in access exclusive mode');
      const behind = burst(s, rows, 1);
      await sleep(300);
      await migrator.query('commit');
      await behind;
      await admin.query('alter table customers drop column review_note');
      await burst(s, rows);
    } finally {
      await migrator.query('rollback').catch(() => undefined);
      await admin.query('alter table customers drop column if exists review_note').catch(() => undefined);
      await admin.end();
      await migrator.end();
    }
  });
});
