// Attacks on the money paths (merchant-initiated charges, mandates, invoices and the scheduler, limits,
// refunds), each written as the attack and asserting the safe behaviour. The first group reproduces what
// a review found (an invoice charged twice across midnight or after a lost answer, charges dated at a
// pass's start, a 3-D Secure payment beside the customer's limits); the second, attacks that held.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizeRequest, Processor } from '../../server/payments/processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, type Shop, startTestVault, type TestVault } from '../helpers/test-vault.ts';
import { at, issuerReturn, nextYear, plusDays, schedulerPass, subscribe as subscribeIn, today, useRedirectingProcessor } from '../helpers/money-days.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDb('money path attacks', (target) => {
  let v: TestVault;
  let realProcessor: Processor;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    realProcessor = v.runtime.deps.processor;
  });
  afterAll(() => v.close());
  beforeEach(() => {
    v.setNow(undefined);
    v.runtime.deps.processor = realProcessor;
  });

  let n = 0;
  const uniq = (p: string) => `${p}-${target}-${++n}`;

  async function shop(settings: Record<string, unknown> = {}, group?: string): Promise<Shop> {
    return newShop(v, { group, settings: { frame_limit_per_address: 0, ...settings } });
  }

  /** The customer agrees in a recurring setup checkout with a new card: its token and the mandate (no charge counts toward the frequency). */
  const subscribe = (s: Shop, customer: string, recurring: Record<string, unknown> = {}, number?: string) => subscribeIn(v, s, customer, recurring, number);

  let keys = 0;
  const charge = (s: Shop, body: Record<string, unknown>, key = `review-${target}-${++keys}`) =>
    s.api('POST', '/v1/charges', { currency: 'USD', ...body }, { 'idempotency-key': key });
  const succeeded = async (customer: string) =>
    (await v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).where('status', '=', 'succeeded').execute()).filter(
      (c) => c.initiator === 'merchant',
    );
  /** What the (simulated) processor approved under an invoice's references: the money actually taken for it. */
  const approvalsFor = async (invoice: string) =>
    (await v.runtime.deps.db.selectFrom('simulated_operations').selectAll().where('reference', 'like', `invoice:${invoice}:%`).execute()).filter(
      (r) => r.kind === 'authorize' && JSON.parse(r.result).outcome === 'approved',
    );
  const invoice = async (s: Shop, body: Record<string, unknown>) => {
    const res = await s.api('POST', '/v1/invoices', { amount: 2500, currency: 'USD', ...body });
    if (res.status !== 201) throw new Error(`invoice refused: ${res.text}`);
    return res.body as { id: string };
  };
  const pass = schedulerPass;

  /**
   * A pass one second before midnight whose charge of the invoice is slow at the processor (a real
   * provider may take up to PROCESSOR_TIMEOUT_MS), and another instance's pass just after midnight,
   * which claims the invoice while that charge is still there.
   */
  async function passesAcrossMidnight(s: Shop, invoiceId: string, d: string) {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let entered!: () => void;
    const atProcessor = new Promise<void>((r) => (entered = r));
    let gated = false;
    let asked!: () => void;
    const askedAbout = new Promise<void>((r) => (asked = r));
    v.runtime.deps.processor = {
      ...realProcessor,
      type: realProcessor.type,
      authorize: async (req) => {
        if (req.reference.startsWith(`invoice:${invoiceId}:`) && !gated) {
          gated = true;
          entered();
          await gate;
        }
        return realProcessor.authorize(req);
      },
      lookup: (ref) => {
        // The next day's pass asks about the first day's reference just before it queues for the customer.
        if (ref === `invoice:${invoiceId}:${d}`) asked();
        return realProcessor.lookup(ref);
      },
      cancel: (ref) => realProcessor.cancel(ref),
    } as Processor;
    v.setNow(at(d, '23:59:59.000'));
    const before = pass(s);
    await atProcessor;
    v.setNow(at(plusDays(d, 1), '00:00:01.000'));
    const after = pass(s);
    await askedAbout;
    await sleep(200);
    open();
    await Promise.all([before, after]);
  }

  /** A pass from one second before midnight whose invoice charge is answered at 00:05 the next day. */
  async function passPaidAfterMidnight(s: Shop, d: string) {
    v.runtime.deps.processor = {
      ...realProcessor,
      type: realProcessor.type,
      authorize: async (req) => {
        if (req.reference.startsWith('invoice:')) v.setNow(at(plusDays(d, 1), '00:05:00.000'));
        return realProcessor.authorize(req);
      },
      lookup: (ref) => realProcessor.lookup(ref),
      cancel: (ref) => realProcessor.cancel(ref),
    } as Processor;
    v.setNow(at(d, '23:59:59.000'));
    expect(await pass(s)).toMatchObject({ paid: 1 });
  }

  describe('found by review, fixed', () => {
    it('charges an invoice once when a pass after midnight claims it while the pass from before midnight is still at the processor', async () => {
      const s = await shop();
      const customer = uniq('midnight');
      await subscribe(s, customer);
      const d = today();
      const inv = await invoice(s, { customer, due_date: plusDays(d, 2) });

      await passesAcrossMidnight(s, inv.id, d);

      // one invoice, one payment.
      expect(await succeeded(customer)).toHaveLength(1);
      expect(await approvalsFor(inv.id)).toHaveLength(1);
    });

    it('leaves the invoice paid, with no failure announced or messaged, when the same overlap meets a mandate of every 30 days', async () => {
      const s = await shop();
      const customer = uniq('midnight');
      await subscribe(s, customer, { frequency_days: 30 });
      const d = today();
      const inv = await invoice(s, { customer, due_date: plusDays(d, 2) });

      await passesAcrossMidnight(s, inv.id, d);

      // the invoice was paid once; nothing says otherwise to the merchant or to the customer.
      const read = (await s.api('GET', `/v1/invoices/${inv.id}`)).body;
      expect(read).toMatchObject({ status: 'paid', failure_code: null });
      const failedEvents = (await s.api('GET', '/v1/events?type=invoice.payment_failed')).body.data.filter((e: any) => e.data.invoice === inv.id);
      expect(failedEvents).toEqual([]);
      const failedMessages = await v.runtime.deps.db
        .selectFrom('messages')
        .select('template')
        .where('customer', '=', customer)
        .where('template', '=', 'payment_failed')
        .execute();
      expect(failedMessages).toEqual([]);
    });

    it("charges an invoice once when the recovery of a lost answer fails once: the next day's pass keeps the reference that holds the money", async () => {
      const s = await shop();
      const customer = uniq('lost-ref');
      await subscribe(s, customer);
      const d = today();
      const inv = await invoice(s, { customer, due_date: plusDays(d, 3) });

      // A provider that cannot be asked about a reference without operating (Adyen's lookup answers
      // nothing): the vault asks again with the same reference, which the provider answers idempotently.
      let down = true;
      v.runtime.deps.processor = {
        ...realProcessor,
        type: 'adyen',
        authorize: async (req: AuthorizeRequest) => {
          const result = await realProcessor.authorize(req);
          // The money is taken; the answer is lost on the way back.
          if (down) throw new Error('connection reset');
          return result;
        },
        lookup: async () => undefined,
        cancel: async () => undefined,
      } as unknown as Processor;

      // Day 1: the provider took the money; the vault never heard. The day's claim and its reference stay.
      v.setNow(at(d, '12:00:00.000'));
      expect(await pass(s)).toMatchObject({ charged: 0 });
      // Day 2: the pass asks again with day 1's reference, and the provider is still not answering.
      v.setNow(at(plusDays(d, 1), '12:00:00.000'));
      await pass(s);
      // Day 3: the provider answers again.
      down = false;
      v.setNow(at(plusDays(d, 2), '12:00:00.000'));
      await pass(s);

      // the provider holds one payment for the invoice (day 1's reference, answered again).
      expect(await approvalsFor(inv.id)).toHaveLength(1);
      expect(await succeeded(customer)).toHaveLength(1);
    });

    it('dates a charge of a pass that runs past midnight when the processor answered: a mandate of one charge a day allows no second that day', async () => {
      const s = await shop();
      const customer = uniq('stale-now');
      const { card, mandate } = await subscribe(s, customer, { frequency_days: 1 });
      const d = today();
      await invoice(s, { customer, amount: 1000, due_date: plusDays(d, 2) });

      // A long pass (a merchant can queue as many invoices ahead of this one as it likes): by the time it
      // reaches this invoice the clock has passed midnight.
      await passPaidAfterMidnight(s, d);

      // The money moved at 00:05 on the next day; one minute later the merchant charges again under "once a day".
      v.setNow(at(plusDays(d, 1), '00:06:00.000'));
      const second = await charge(s, { customer, card, amount: 1000, mandate });
      // the mandate's one charge of that day was taken already.
      expect(second.status).toBe(402);
      expect(second.body.error.code).toBe('mandate_violation');
    });

    it("counts that charge on the day it was made: a charge just after it cannot pass the customer's daily limit", async () => {
      const s = await shop();
      const customer = uniq('stale-limit');
      const { card, mandate } = await subscribe(s, customer);
      await s.api('POST', `/v1/customers/${customer}`, { limits: { daily: 1000 } });
      const d = today();
      await invoice(s, { customer, amount: 1000, due_date: plusDays(d, 2) });
      await passPaidAfterMidnight(s, d);
      v.setNow(at(plusDays(d, 1), '00:06:00.000'));
      const second = await charge(s, { customer, card, amount: 1000, mandate });
      // 1000 was charged at 00:05 that day; a second 1000 passes the daily limit of 1000.
      expect(second.status).toBe(402);
      expect(second.body.error.code).toBe('limit_exceeded');
    });

    it("holds a payment paused at the issuer's 3-D Secure page against the customer's limits: a charge made meanwhile cannot pass them", async () => {
      const s = await shop();
      const customer = uniq('redirect-limit');
      // The customer has an agreement on one card, and a daily limit of 1000.
      const { card, mandate } = await subscribe(s, customer, {}, CARDS.mastercard);
      await s.api('POST', `/v1/customers/${customer}`, { limits: { daily: 1000 } });
      const checkout = await openSession(v, { customer, amount: 1000, currency: 'USD' }, s.secret_key);

      // A provider whose 3-D Secure sends the customer to the issuer's page (Stripe, Adyen): the payment
      // is finished by completeRedirect when the customer comes back.
      useRedirectingProcessor(v, realProcessor, checkout.id);

      // The customer pays 1000 in the fields: within the limit, and sent to the issuer's page.
      const first = await v.frame('/frame/v1/confirm', checkout.secret, { card: newCard(CARDS.visa) });
      expect(first.body).toMatchObject({ status: 'requires_action' });
      const challenge = first.body.next_action.challenge as string;
      // Meanwhile the merchant charges 1000 under the agreement: the limit sees nothing charged today yet.
      const mit = await charge(s, { customer, card, amount: 1000, mandate });
      // The customer comes back from the issuer: the provider finishes the payment.
      const back = await issuerReturn(v, challenge);
      expect(back.status).toBe(200);
      const resumed = await v.frame('/frame/v1/confirm', checkout.secret, { card: newCard(CARDS.visa), challenge });

      // the customer's successful charges today never pass the daily limit of 1000.
      const all = await v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).where('status', '=', 'succeeded').execute();
      const approvedAtProcessor = (await v.runtime.deps.db.selectFrom('simulated_operations').selectAll().execute()).filter(
        (r) => (r.reference.startsWith(`${checkout.id}:`) || r.reference.startsWith(`idem:${s.id}:`)) && JSON.parse(r.result).outcome === 'approved',
      );
      // The paused payment holds its 1000: the merchant's charge is refused, and the customer's payment goes through.
      expect(mit.status).toBe(402);
      expect(mit.body.error.code).toBe('limit_exceeded');
      expect(resumed.status).toBe(200);
      expect(approvedAtProcessor).toHaveLength(1);
      expect(all.reduce((sum, c) => sum + Number(c.amount), 0)).toBe(1000);
    });
  });

  describe('attacks that held', () => {
    it('refuses charges outside the mandate: amount, currency, end date, cancelled, another customer or merchant, a sister shop', async () => {
      const a = await shop();
      const b = await shop({}, a.group);
      const other = await shop();
      const customer = uniq('held-terms');
      const { card, mandate } = await subscribe(a, customer, { min_amount: 500, max_amount: 2000, end_date: plusDays(today(), 3) });
      const code = async (res: Promise<any>) => {
        const r = await res;
        return `${r.status} ${r.body.error?.code ?? ''}`.trim();
      };
      expect(await code(charge(a, { customer, card, amount: 499, mandate }))).toBe('402 mandate_violation');
      expect(await code(charge(a, { customer, card, amount: 2001, mandate }))).toBe('402 mandate_violation');
      expect(await code(charge(a, { customer, card, amount: 1000, mandate, currency: 'EUR' }))).toBe('402 mandate_violation');
      expect(await code(charge(a, { customer, card, amount: 1000, mandate, currency: 'usd' }))).toBe('400 parameter_invalid');
      expect(await code(charge(a, { customer, card, amount: 1000.5, mandate }))).toBe('400 parameter_invalid');
      expect(await code(charge(a, { customer, card, amount: -1000, mandate }))).toBe('400 parameter_invalid');
      expect(await code(charge(a, { customer, card, amount: 1e20, mandate }))).toBe('400 parameter_invalid');
      expect(await code(charge(a, { customer, card, amount: '1000', mandate }))).toBe('400 parameter_invalid');
      // A sister shop sees the card (same group) but not the mandate; another group sees neither.
      expect(await code(charge(b, { customer, card, amount: 1000, mandate }))).toBe('402 mandate_violation');
      expect(await code(charge(other, { customer, card, amount: 1000, mandate }))).toBe('404 resource_missing');
      // The sister shop cannot record an agreement on a card saved in the fields, even after "importing" its number.
      const imported = await b.api('POST', `/v1/customers/${customer}/cards`, { number: CARDS.visa, exp_month: 12, exp_year: nextYear + 2 });
      expect(imported.body.token).toBe(card);
      const recorded = await b.api('POST', `/v1/customers/${customer}/mandates`, {
        card,
        min_amount: 1,
        max_amount: 10_000_000,
        currency: 'USD',
        frequency_days: 0,
        end_date: `${nextYear}-12-31`,
        consent: { text: 'yes', accepted_at: new Date().toISOString() },
      });
      expect(recorded.status).toBe(402);
      // Past the end date (the last second of the day is still in; the next second is out).
      const end = plusDays(today(), 3);
      v.setNow(at(end, '23:59:59.999'));
      expect(await code(charge(a, { customer, card, amount: 1000, mandate }))).toBe('201');
      v.setNow(at(plusDays(end, 1), '00:00:00.000'));
      expect(await code(charge(a, { customer, card, amount: 1000, mandate }))).toBe('402 mandate_violation');
      v.setNow(undefined);
      expect((await a.api('DELETE', `/v1/mandates/${mandate}`)).status).toBe(200);
      expect(await code(charge(a, { customer, card, amount: 1000, mandate }))).toBe('402 mandate_violation');
    });

    it('refuses a charge on a deleted card, and under a mandate of another card of the same customer', async () => {
      const s = await shop();
      const customer = uniq('held-deleted');
      const one = await subscribe(s, customer);
      const two = await subscribe(s, customer, {}, CARDS.mastercard);
      expect((await charge(s, { customer, card: two.card, amount: 1000, mandate: one.mandate })).body.error.code).toBe('mandate_violation');
      expect((await s.api('DELETE', `/v1/customers/${customer}/cards/${one.card}`)).status).toBe(200);
      expect((await charge(s, { customer, card: one.card, amount: 1000, mandate: one.mandate })).status).toBe(404);
      // Saving the same number again makes a new card: the old mandate does not come back with it.
      const again = await subscribe(s, customer);
      expect(again.card).not.toBe(one.card);
      expect((await charge(s, { customer, card: again.card, amount: 1000, mandate: one.mandate })).body.error.code).toBe('mandate_violation');
    });

    it('never passes a weekly limit with concurrent charges from two sister shops', async () => {
      const a = await shop();
      const b = await shop({}, a.group);
      const customer = uniq('held-race');
      const ma = await subscribe(a, customer);
      const mb = await subscribe(b, customer, {}, CARDS.mastercard);
      await a.api('POST', `/v1/customers/${customer}`, { limits: { weekly: 3000 } });
      const replies = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 2
            ? charge(a, { customer, card: ma.card, amount: 1000, mandate: ma.mandate })
            : charge(b, { customer, card: mb.card, amount: 1000, mandate: mb.mandate }),
        ),
      );
      expect(replies.filter((r) => r.status === 201)).toHaveLength(3);
      const total = (await v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).where('status', '=', 'succeeded').execute())
        .length;
      expect(total).toBe(3);
    });

    it('keeps concurrent refunds within the charge, with and without Idempotency-Keys', async () => {
      const s = await shop();
      const customer = uniq('held-refund');
      const { card, mandate } = await subscribe(s, customer);
      const ch = (await charge(s, { customer, card, amount: 1000, mandate })).body.id as string;
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          s.api('POST', `/v1/charges/${ch}/refunds`, { amount: 300 }, i % 2 ? { 'idempotency-key': `rf-${ch}-${i}` } : undefined),
        ),
      );
      expect(replies.filter((r) => r.status === 201)).toHaveLength(3);
      const left = await s.api('POST', `/v1/charges/${ch}/refunds`, {});
      expect(left.body.amount).toBe(100);
      expect((await s.api('POST', `/v1/charges/${ch}/refunds`, { amount: 1 })).status).toBe(400);
      const row = await v.runtime.deps.db.selectFrom('charges').select('amount_refunded').where('id', '=', ch).executeTakeFirstOrThrow();
      expect(Number(row.amount_refunded)).toBe(1000);
      // Another merchant cannot refund it.
      const other = await shop();
      expect((await other.api('POST', `/v1/charges/${ch}/refunds`, { amount: 1 })).status).toBe(404);
    });

    it('answers an Idempotency-Key reused with another body 409, and one reused by another merchant as its own', async () => {
      const s = await shop();
      const t = await shop();
      const customer = uniq('held-idem');
      const { card, mandate } = await subscribe(s, customer);
      const first = await charge(s, { customer, card, amount: 1000, mandate }, 'shared-key');
      expect(first.status).toBe(201);
      const changed = await charge(s, { customer, card, amount: 2000, mandate }, 'shared-key');
      expect(changed.status).toBe(409);
      expect(changed.body.error.code).toBe('idempotency_key_reused');
      const foreign = await charge(t, { customer, card, amount: 1000, mandate }, 'shared-key');
      expect(foreign.status).toBe(404);
      expect(await succeeded(customer)).toHaveLength(1);
    });

    it('charges an invoice once when two passes run at once on the same day, and never above the mandate', async () => {
      const s = await shop();
      const customer = uniq('held-inv');
      await subscribe(s, customer, { max_amount: 2000 });
      const within = await invoice(s, { customer, amount: 2000, due_date: plusDays(today(), 1) });
      const above = await invoice(s, { customer, amount: 2001, due_date: plusDays(today(), 1) });
      const eur = await invoice(s, { customer, amount: 1000, currency: 'EUR', due_date: plusDays(today(), 1) });
      await Promise.all([pass(s), pass(s), pass(s)]);
      expect(await approvalsFor(within.id)).toHaveLength(1);
      expect(await approvalsFor(above.id)).toHaveLength(0);
      expect(await approvalsFor(eur.id)).toHaveLength(0);
      expect(await succeeded(customer)).toHaveLength(1);
    });
  });
});
