// Invoices and the scheduler: automatic payment from the default card under its mandate, at most
// once a day, with events and customer messages; overdue invoices, lapsed mandates, expiring cards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, type Reply, type TestVault, startTestVault, LIFTABLE_LIMITS } from '../helpers/test-vault.ts';

const DAY = 86_400_000;
const day = (time: number) => new Date(time).toISOString().slice(0, 10);
const inDays = (n: number) => day(Date.now() + n * DAY);
const nextYear = new Date().getUTCFullYear() + 1;
const longDate = (d: string) => new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`));

describeEachDb('invoices and automatic payment', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
  });
  afterAll(() => v.close());

  /** Each case runs for a shop of its own: a scheduler pass covers all of the calling merchant's invoices. */
  async function shop(): Promise<CreatedMerchant & { api: (method: string, path: string, body?: unknown) => Promise<Reply> }> {
    const m = await v.newMerchant();
    const api = (method: string, path: string, body?: unknown) => v.api(method, path, { key: m.secret_key, body });
    await api('POST', '/v1/merchant', { rate_limit: 0, frame_limit_per_address: 0 });
    return { ...m, api };
  }
  type Shop = Awaited<ReturnType<typeof shop>>;

  /** The customer saves a card through a checkout: with a recurring agreement unless told otherwise. */
  async function saveCard(s: Shop, customer: string, options: { number?: string; recurring?: boolean } = {}) {
    await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
    const recurring =
      options.recurring === false ? {} : { recurring: { min_amount: 100, max_amount: 50_000, frequency_days: 0, end_date: `${nextYear}-12-31` } };
    const session = await openSession(v, { customer, mode: 'setup', amount: undefined, save_card: 'require', ...recurring }, s.secret_key);
    const res = await v.frame('/frame/v1/confirm', session.secret, { card: newCard(options.number ?? CARDS.visa), save: true, consent_text: 'I agree' });
    if (res.status !== 200) throw new Error(`card not saved: ${res.text}`);
    return { card: res.body.card.token as string, mandate: res.body.mandate as string | undefined };
  }

  const invoice = async (s: Shop, body: Record<string, unknown>) => {
    const res = await s.api('POST', '/v1/invoices', { amount: 2500, currency: 'USD', ...body });
    expect(res.status).toBe(201);
    return res.body;
  };
  /** A pass on the vault's clock, moved to `now` for the pass as an operator's clock would be. */
  const run = async (s: Shop, now?: Date) => {
    v.setNow(now);
    try {
      const res = await s.api('POST', '/v1/scheduler/run', {});
      expect(res.status).toBe(200);
      return res.body;
    } finally {
      v.setNow(undefined);
    }
  };
  const events = async (s: Shop, type: string) => (await v.api('GET', `/v1/events?type=${type}&limit=100`, { key: s.secret_key })).body.data as any[];
  const messages = (customer: string, template: string) =>
    v.runtime.deps.db
      .selectFrom('messages')
      .selectAll()
      .where('customer', '=', customer)
      .where('template', '=', template)
      .where('channel', '=', 'email')
      .execute();
  const charges = async (customer: string) =>
    v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).where('initiator', '=', 'merchant').execute();

  describe('POST /v1/invoices and reading them', () => {
    it("creates an open invoice, reads it back and lists a customer's invoices newest first", async () => {
      const s = await shop();
      const first = await invoice(s, { customer: 'inv-read', due_date: inDays(20), description: 'March' });
      expect(first).toEqual({
        id: expect.stringMatching(/^inv_/),
        status: 'open',
        customer: 'inv-read',
        amount: 2500,
        currency: 'USD',
        due_date: inDays(20),
        description: 'March',
        auto_pay: true,
        charge: null,
        created: expect.any(String),
        paid_at: null,
        attempts: 0,
        last_attempt_on: null,
        failure_code: null,
        decline_code: null,
      });
      const second = await invoice(s, { customer: 'inv-read', due_date: inDays(50), auto_pay: false });
      expect(second).toMatchObject({ auto_pay: false, description: null });
      await invoice(s, { customer: 'inv-other', due_date: inDays(20) });
      expect((await s.api('GET', `/v1/invoices/${first.id}`)).body).toEqual(first);
      const list = await s.api('GET', '/v1/invoices?customer=inv-read');
      expect(list.body.data.map((i: any) => i.id)).toEqual([second.id, first.id]);
      expect(list.body.has_more).toBe(false);
    });

    it('keeps invoices to their merchant and checks the request', async () => {
      const s = await shop();
      const inv = await invoice(s, { customer: 'inv-private', due_date: inDays(5) });
      const sibling = await v.newMerchant({ group: s.group });
      expect((await v.api('GET', `/v1/invoices/${inv.id}`, { key: sibling.secret_key })).status).toBe(404);
      expect((await v.api('GET', '/v1/invoices?customer=inv-private', { key: sibling.secret_key })).body.data).toEqual([]);
      expect((await s.api('POST', '/v1/invoices', { customer: 'x', amount: 100, currency: 'USD', due_date: '2001-01-01' })).body.error).toMatchObject({
        code: 'parameter_invalid',
        param: 'due_date',
      });
      expect((await s.api('POST', '/v1/invoices', { amount: 100, currency: 'USD', due_date: inDays(3) })).body.error).toMatchObject({
        code: 'parameter_missing',
        param: 'customer',
      });
      expect((await s.api('POST', '/v1/invoices', { customer: 'x', amount: -1, currency: 'USD', due_date: inDays(3) })).body.error).toMatchObject({
        code: 'parameter_invalid',
        param: 'amount',
      });
    });
  });

  describe('POST /v1/scheduler/run', () => {
    it('pays an invoice due in 2 days from the default card under its mandate, once a day only', async () => {
      const s = await shop();
      const { card, mandate } = await saveCard(s, 'inv-pay');
      const inv = await invoice(s, { customer: 'inv-pay', due_date: inDays(2), description: 'Coffee club, May' });

      const summary = await run(s);
      expect(summary).toMatchObject({ charged: 1, paid: 1, failed: 0 });
      const paid = (await s.api('GET', `/v1/invoices/${inv.id}`)).body;
      expect(paid).toMatchObject({
        status: 'paid',
        charge: expect.stringMatching(/^ch_/),
        paid_at: expect.any(String),
        attempts: 1,
        last_attempt_on: inDays(0),
      });
      const charge = (await s.api('GET', `/v1/charges/${paid.charge}`)).body;
      expect(charge).toMatchObject({ status: 'succeeded', amount: 2500, initiator: 'merchant', card, mandate, order: inv.id });
      expect((await events(s, 'invoice.paid')).map((e) => e.data)).toEqual([expect.objectContaining({ invoice: inv.id, charge: paid.charge })]);
      const approved = await messages('inv-pay', 'payment_approved');
      expect(approved).toHaveLength(1);
      expect(approved[0]).toMatchObject({ merchant_id: s.id, recipient: 'inv-pay@example.test' });
      expect(approved[0].body).toContain('4242');

      expect(await run(s)).toMatchObject({ charged: 0, paid: 0 });
      expect(await charges('inv-pay')).toHaveLength(1);
    });

    it('charges an open invoice at most once a day, even when it fails', async () => {
      const s = await shop();
      await saveCard(s, 'inv-daily', { number: CARDS.declineAfterSave });
      const inv = await invoice(s, { customer: 'inv-daily', due_date: inDays(2) });
      expect(await run(s)).toMatchObject({ charged: 1, failed: 1 });
      expect(await run(s)).toMatchObject({ charged: 0, failed: 0 });
      expect(await charges('inv-daily')).toHaveLength(1);
      expect(await run(s, new Date(Date.now() + DAY))).toMatchObject({ charged: 1, failed: 1 });
      expect(await charges('inv-daily')).toHaveLength(2);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'open', attempts: 2, last_attempt_on: inDays(1) });
    });

    it('waits for auto_pay_days before the due date, and leaves invoices without auto_pay alone', async () => {
      const s = await shop();
      await saveCard(s, 'inv-window');
      const due = inDays(10);
      const inv = await invoice(s, { customer: 'inv-window', due_date: due });
      const manual = await invoice(s, { customer: 'inv-window', due_date: inDays(12), auto_pay: false });
      expect(await run(s)).toMatchObject({ charged: 0 });
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'open', attempts: 0 });
      expect(await run(s, new Date(Date.parse(`${due}T09:00:00Z`) - 4 * DAY))).toMatchObject({ charged: 0 });
      expect(await run(s, new Date(Date.parse(`${due}T09:00:00Z`) - 3 * DAY))).toMatchObject({ charged: 1, paid: 1 });
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body.status).toBe('paid');
      expect((await s.api('GET', `/v1/invoices/${manual.id}`)).body).toMatchObject({ status: 'open', attempts: 0, charge: null });
    });

    it('warns the customer when the saved card is declined: invoice.payment_failed and a payment_failed message naming the due date', async () => {
      const s = await shop();
      await saveCard(s, 'inv-decline', { number: CARDS.declineAfterSave });
      const due = inDays(3);
      const inv = await invoice(s, { customer: 'inv-decline', due_date: due });
      expect(await run(s)).toMatchObject({ charged: 1, paid: 0, failed: 1 });
      const after = (await s.api('GET', `/v1/invoices/${inv.id}`)).body;
      expect(after).toMatchObject({ status: 'open', charge: null, failure_code: 'card_declined', decline_code: 'generic_decline' });
      const failed = await events(s, 'invoice.payment_failed');
      expect(failed.map((e) => e.data)).toEqual([expect.objectContaining({ invoice: inv.id, code: 'card_declined', charge: expect.stringMatching(/^ch_/) })]);
      const warned = await messages('inv-decline', 'payment_failed');
      expect(warned).toHaveLength(1);
      expect(warned[0].body).toContain(longDate(due));
      expect(warned[0].body).toContain('0341');
      expect((await charges('inv-decline')).map((c) => c.status)).toEqual(['failed']);
    });

    it('charges nothing without an active mandate on the default card: payment_failed with mandate_violation', async () => {
      const s = await shop();
      await saveCard(s, 'inv-nomandate', { recurring: false });
      const inv = await invoice(s, { customer: 'inv-nomandate', due_date: inDays(1) });
      const calls: unknown[] = [];
      const processor = v.runtime.deps.processor;
      const real = processor.authorize;
      processor.authorize = async (request) => {
        calls.push(request);
        return real.call(processor, request);
      };
      try {
        expect(await run(s)).toMatchObject({ charged: 1, failed: 1 });
      } finally {
        processor.authorize = real;
      }
      expect(calls).toEqual([]);
      expect(await charges('inv-nomandate')).toEqual([]);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'open', failure_code: 'mandate_violation', decline_code: null });
      expect((await events(s, 'invoice.payment_failed')).map((e) => e.data)).toEqual([
        expect.objectContaining({ invoice: inv.id, code: 'mandate_violation', charge: null }),
      ]);
      expect(await messages('inv-nomandate', 'payment_failed')).toHaveLength(1);
    });

    it('fails with mandate_violation for a customer with no card at all, and after the mandate is cancelled', async () => {
      const s = await shop();
      const nobody = await invoice(s, { customer: 'inv-nocard', due_date: inDays(1) });
      const { mandate } = await saveCard(s, 'inv-cancelled');
      await s.api('DELETE', `/v1/mandates/${mandate}`);
      const cancelled = await invoice(s, { customer: 'inv-cancelled', due_date: inDays(1) });
      expect(await run(s)).toMatchObject({ charged: 2, failed: 2 });
      for (const inv of [nobody, cancelled]) expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body.failure_code).toBe('mandate_violation');
      expect(await charges('inv-cancelled')).toEqual([]);
    });

    it('stops charging an invoice past its due date and marks it past_due', async () => {
      const s = await shop();
      await saveCard(s, 'inv-late', { number: CARDS.declineAfterSave });
      const inv = await invoice(s, { customer: 'inv-late', due_date: inDays(1) });
      expect(await run(s)).toMatchObject({ charged: 1, failed: 1 });
      expect(await run(s, new Date(Date.now() + 2 * DAY))).toMatchObject({ charged: 0, past_due: 1 });
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'past_due', attempts: 1 });
      expect(await charges('inv-late')).toHaveLength(1);
    });

    it("keeps the day when the processor cannot be reached: no warning, and the next day's pass charges once", async () => {
      const s = await shop();
      await saveCard(s, 'inv-down');
      const inv = await invoice(s, { customer: 'inv-down', due_date: inDays(2) });
      const processor = v.runtime.deps.processor;
      const real = processor.authorize;
      processor.authorize = async () => {
        throw new Error('connection reset');
      };
      try {
        expect(await run(s)).toMatchObject({ charged: 0, paid: 0, failed: 0 });
      } finally {
        processor.authorize = real;
      }
      // The outcome is unknown, so the day's claim (and its processor reference) stays.
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'open', attempts: 1 });
      expect(await messages('inv-down', 'payment_failed')).toEqual([]);
      expect(await run(s)).toMatchObject({ charged: 0 });
      expect(await run(s, new Date(Date.now() + DAY))).toMatchObject({ charged: 1, paid: 1 });
      expect(await charges('inv-down')).toHaveLength(1);
    });

    it('records a payment an earlier pass took but never recorded, instead of charging again', async () => {
      const s = await shop();
      await saveCard(s, 'inv-crash');
      const inv = await invoice(s, { customer: 'inv-crash', due_date: inDays(2) });
      const yesterday = inDays(-1);
      const { db } = v.runtime.deps;
      // Yesterday's pass claimed the invoice and the processor approved; then that vault died.
      await db
        .updateTable('invoices')
        .set({ last_attempt_on: yesterday, attempts: 1, pending_ref: `invoice:${inv.id}:${yesterday}` })
        .where('id', '=', inv.id)
        .execute();
      await db
        .insertInto('simulated_operations')
        .values({
          reference: `invoice:${inv.id}:${yesterday}`,
          kind: 'authorize',
          result: JSON.stringify({ outcome: 'approved', processor_id: 'sim_lost', network_transaction_id: 'ntid_lost' }),
          created_at: new Date().toISOString(),
        })
        .execute();
      expect(await run(s)).toMatchObject({ charged: 1, paid: 1 });
      const paid = (await s.api('GET', `/v1/invoices/${inv.id}`)).body;
      expect(paid).toMatchObject({ status: 'paid', attempts: 2 });
      expect((await s.api('GET', `/v1/charges/${paid.charge}`)).body).toMatchObject({ status: 'succeeded', network_transaction_id: 'ntid_lost' });
      const ledger = await db.selectFrom('simulated_operations').select('reference').where('reference', 'like', `invoice:${inv.id}:%`).execute();
      expect(ledger.map((r) => r.reference)).toEqual([`invoice:${inv.id}:${yesterday}`]);
    });

    it("asks the processor about a past-due invoice's lost attempt once a day, and still shows that attempt's day as its last", async () => {
      const s = await shop();
      await saveCard(s, 'inv-late-check');
      const inv = await invoice(s, { customer: 'inv-late-check', due_date: inDays(2) });
      const attemptDay = inDays(-3);
      // An attempt three days ago whose answer was lost; the invoice has been past due since yesterday.
      await v.runtime.deps.db
        .updateTable('invoices')
        .set({ status: 'past_due', due_date: inDays(-1), last_attempt_on: attemptDay, attempts: 1, pending_ref: `invoice:${inv.id}:${attemptDay}` })
        .where('id', '=', inv.id)
        .execute();
      const processor = v.runtime.deps.processor;
      const cancel = processor.cancel;
      const asked: string[] = [];
      processor.cancel = async (reference) => {
        asked.push(reference);
        throw new Error('processor down');
      };
      try {
        await run(s);
        await run(s);
      } finally {
        processor.cancel = cancel;
      }
      expect(asked).toEqual([`invoice:${inv.id}:${attemptDay}`]);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'past_due', last_attempt_on: attemptDay, attempts: 1 });
      // The next day it answers that the attempt took nothing: forgotten, and still no attempt since.
      await run(s, new Date(Date.now() + DAY));
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'past_due', last_attempt_on: attemptDay, attempts: 1 });
      const row = await v.runtime.deps.db.selectFrom('invoices').select('pending_ref').where('id', '=', inv.id).executeTakeFirstOrThrow();
      expect(row.pending_ref).toBeNull();
      expect(await charges('inv-late-check')).toEqual([]);
    });

    it('announces a card that expires before the end of next month with card.expiring, once', async () => {
      const s = await shop();
      const now = new Date();
      const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
      const soon = await s.api('POST', '/v1/customers/inv-expiring/cards', {
        number: CARDS.mastercard,
        exp_month: next.getUTCMonth() + 1,
        exp_year: next.getUTCFullYear(),
      });
      expect(soon.body.expiring_soon).toBe(true);
      const later = await s.api('POST', '/v1/customers/inv-expiring/cards', { number: CARDS.visa, exp_month: 12, exp_year: nextYear + 2 });
      expect(later.body.expiring_soon).toBe(false);
      expect((await run(s)).expiring).toBe(1);
      expect((await run(s)).expiring).toBe(0);
      const announced = await events(s, 'card.expiring');
      expect(announced.map((e) => e.data)).toEqual([
        {
          card: soon.body.token,
          customer: 'inv-expiring',
          brand: 'mastercard',
          last4: '4444',
          exp_month: next.getUTCMonth() + 1,
          exp_year: next.getUTCFullYear(),
        },
      ]);
    });
  });
  describe('a processor outage across midnight', () => {
    it('never charges an invoice twice when the answer of an approved charge was lost', async () => {
      const s = await shop();
      await saveCard(s, 'outage');
      await invoice(s, { customer: 'outage', due_date: inDays(2), auto_pay: true });
      const processor = v.runtime.deps.processor;
      const { authorize, lookup } = { authorize: processor.authorize.bind(processor), lookup: processor.lookup.bind(processor) };
      // Day 1: the processor takes the money, then the connection drops, and it cannot be asked.
      processor.authorize = async (req) => {
        await authorize(req);
        throw new Error('connection reset');
      };
      processor.lookup = async () => {
        throw new Error('processor down');
      };
      await run(s);
      processor.authorize = authorize;
      // Day 2: still not reachable for questions: nothing may be charged.
      await run(s, new Date(Date.now() + DAY));
      processor.lookup = lookup;
      expect(await charges('outage')).toHaveLength(0);
      // Day 3: it answers: the first charge is recorded, nothing is charged again.
      const third = await run(s, new Date(Date.now() + 2 * DAY));
      expect(third.paid).toBe(1);
      const recorded = await charges('outage');
      expect(recorded).toHaveLength(1);
      // The processor holds exactly one authorisation for this invoice: the first day's.
      const authorisations = (await v.runtime.deps.db.selectFrom('simulated_operations').select(['reference', 'kind']).execute()).filter(
        (r) => r.kind === 'authorize' && r.reference.startsWith(`invoice:${recorded[0].order_ref}:`),
      );
      expect(authorisations.map((r) => r.reference)).toEqual([recorded[0].processor_ref]);
    });
  });
});
