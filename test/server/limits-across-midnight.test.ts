// Edges of the money paths around midnight and at the issuer's 3-D Secure page, each written as the
// attack and asserting the safe behaviour: a payment paused at the issuer holds the customer's limits
// in every window it may land in, an abandoned one stops holding them, and a pass from before midnight
// that fails a check never forgets the reference a pass after midnight is charging under.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { AuthorizeRequest, Processor } from '../../server/payments/processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, type Shop, startTestVault, type TestVault } from '../helpers/test-vault.ts';
import { at, issuerReturn, loseAnswers, plusDays, schedulerPass, subscribe as subscribeIn, today, useRedirectingProcessor } from '../helpers/money-days.ts';

describeEachDb('limits and invoices across midnight', (target) => {
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
  const shop = (group?: string): Promise<Shop> => newShop(v, { group, settings: { frame_limit_per_address: 0 } });

  const subscribe = (s: Shop, customer: string, recurring: Record<string, unknown> = {}, number?: string) => subscribeIn(v, s, customer, recurring, number);
  let keys = 0;
  const charge = (s: Shop, body: Record<string, unknown>) =>
    s.api('POST', '/v1/charges', { currency: 'USD', ...body }, { 'idempotency-key': `midnight-${target}-${++keys}` });
  const succeededSince = async (customer: string, since: string) =>
    (await v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).where('status', '=', 'succeeded').execute()).filter(
      (c) => c.created_at >= since,
    );
  const pass = schedulerPass;
  const redirectingProcessor = (checkoutId: string) => useRedirectingProcessor(v, realProcessor, checkoutId);

  it("holds a 3-D Secure payment paused before midnight against the next day's daily limit: it is charged that day when the customer returns", async () => {
    const s = await shop();
    const customer = uniq('held-midnight');
    const { card, mandate } = await subscribe(s, customer, {}, CARDS.mastercard);
    await s.api('POST', `/v1/customers/${customer}`, { limits: { daily: 1000 } });
    const d = today();
    const d1 = plusDays(d, 1);
    v.setNow(at(d, '23:50:00.000'));
    const checkout = await openSession(v, { customer, amount: 1000, currency: 'USD' }, s.secret_key);
    redirectingProcessor(checkout.id);

    // 23:55: the customer pays 1000 and is sent to the issuer's page.
    v.setNow(at(d, '23:55:00.000'));
    const first = await v.frame('/frame/v1/confirm', checkout.secret, { card: newCard(CARDS.visa) });
    expect(first.body).toMatchObject({ status: 'requires_action' });
    const challenge = first.body.next_action.challenge as string;

    // 00:01: the merchant charges 1000 under the agreement; the paused 1000 was claimed "yesterday", so it is not held.
    v.setNow(at(d1, '00:01:00.000'));
    const mit = await charge(s, { customer, card, amount: 1000, mandate });
    // 00:03: the customer comes back from the issuer (8 minutes, well within REDIRECT_STALE_MS), the payment completes.
    v.setNow(at(d1, '00:03:00.000'));
    expect((await issuerReturn(v, challenge)).status).toBe(200);
    await v.frame('/frame/v1/confirm', checkout.secret, { card: newCard(CARDS.visa), challenge });

    // The customer's successful charges of that day never pass the daily limit of 1000.
    const onD1 = await succeededSince(customer, `${d1}T00:00:00.000Z`);
    expect(onD1.reduce((sum, c) => sum + Number(c.amount), 0)).toBeLessThanOrEqual(1000);
    expect(mit.status).toBe(402);
  });

  it('ends, not finishes, a 3-D Secure payment whose customer comes back after the limits stopped holding it', async () => {
    const s = await shop();
    const customer = uniq('late-return');
    const { card, mandate } = await subscribe(s, customer, {}, CARDS.mastercard);
    await s.api('POST', `/v1/customers/${customer}`, { limits: { daily: 1000 } });
    const d = today();
    v.setNow(at(d, '10:00:00.000'));
    const checkout = await openSession(v, { customer, amount: 1000, currency: 'USD' }, s.secret_key);
    redirectingProcessor(checkout.id);
    const first = await v.frame('/frame/v1/confirm', checkout.secret, { card: newCard(CARDS.visa) });
    expect(first.body).toMatchObject({ status: 'requires_action' });
    const challenge = first.body.next_action.challenge as string;

    // 10:16, past REDIRECT_STALE_MS: the paused 1000 no longer holds the limit, and the merchant charges 1000.
    v.setNow(at(d, '10:16:00.000'));
    expect((await charge(s, { customer, card, amount: 1000, mandate })).status).toBe(201);
    // 10:17: the customer comes back from the issuer; the payment is ended at the provider, not taken.
    v.setNow(at(d, '10:17:00.000'));
    expect((await issuerReturn(v, challenge)).status).toBe(200);
    const resumed = await v.frame('/frame/v1/confirm', checkout.secret, { card: newCard(CARDS.visa), challenge });
    expect(resumed.status).not.toBe(200);
    const taken = await succeededSince(customer, `${d}T00:00:00.000Z`);
    expect(taken.reduce((sum, c) => sum + Number(c.amount), 0)).toBe(1000);
    const checkoutApprovals = (await v.runtime.deps.db.selectFrom('simulated_operations').selectAll().execute()).filter(
      (r) => r.reference.startsWith(`${checkout.id}:`) && JSON.parse(r.result).outcome === 'approved',
    );
    expect(checkoutApprovals).toEqual([]);
  });

  it("does not let a sister shop's abandoned 3-D Secure checkout block the customer's limits for days", async () => {
    const a = await shop();
    const b = await shop(a.group);
    const customer = uniq('held-stale');
    const { card, mandate } = await subscribe(a, customer, {}, CARDS.mastercard);
    await a.api('POST', `/v1/customers/${customer}`, { limits: { weekly: 1000 } });
    const d = today();
    // The sister shop opens a 1000 checkout for the group's customer, pays it with any card that asks for
    // 3-D Secure, and never finishes: the session stays in processing (nothing settles it unless read).
    v.setNow(at(d, '10:00:00.000'));
    const checkout = await openSession(v, { customer, amount: 1000, currency: 'USD' }, b.secret_key);
    redirectingProcessor(checkout.id);
    const first = await v.frame('/frame/v1/confirm', checkout.secret, { card: newCard(CARDS.visa) });
    expect(first.body).toMatchObject({ status: 'requires_action' });
    v.runtime.deps.processor = realProcessor;

    // Three days later (the attempt is long past REDIRECT_STALE_MS, the session long expired), shop A
    // charges 500 under its own agreement, well within the weekly limit of 1000: nothing was taken this week.
    v.setNow(at(plusDays(d, 3), '10:00:00.000'));
    const mit = await charge(a, { customer, card, amount: 500, mandate });
    // An attempt past REDIRECT_STALE_MS no longer holds the customer's limit.
    expect(mit.body.error?.code ?? null).not.toBe('limit_exceeded');
    expect(mit.status).toBe(201);
  });

  it('charges an invoice once when the pass from before midnight fails a check while the pass after it charges under the same reference', async () => {
    const s = await shop();
    const customer = uniq('fail-clears');
    const { card, mandate } = await subscribe(s, customer);
    // A daily limit the invoice fits only on a day with nothing else charged.
    await s.api('POST', `/v1/customers/${customer}`, { limits: { daily: 2500 } });
    const d = today();
    const d1 = plusDays(d, 1);
    const res = await s.api('POST', '/v1/invoices', { amount: 2500, currency: 'USD', customer, due_date: plusDays(d, 3) });
    expect(res.status).toBe(201);
    const inv = res.body as { id: string };
    const refD = `invoice:${inv.id}:${d}`;
    // Day d, noon: the merchant charges 100 under the agreement, so day d has no room left for the invoice.
    v.setNow(at(d, '12:00:00.000'));
    expect((await charge(s, { customer, card, amount: 100, mandate })).status).toBe(201);

    let lookups = 0;
    let secondClaimed!: () => void;
    const claimed = new Promise<void>((r) => (secondClaimed = r));
    let passAfter: Promise<unknown> | undefined;
    let lost = false;
    v.runtime.deps.processor = {
      ...realProcessor,
      type: realProcessor.type,
      authorize: async (req: AuthorizeRequest) => {
        const result = await realProcessor.authorize(req);
        // The after-midnight pass's charge under day d's reference: the money is taken, the answer lost.
        if (req.reference === refD) {
          lost = true;
          throw new Error('connection reset');
        }
        return result;
      },
      lookup: async (ref: string) => {
        if (ref === refD) {
          if (lost) throw new Error('processor unreachable');
          lookups++;
          if (lookups === 1) {
            // The 23:59:59 pass, under the customer's lease, asks about its own reference: meanwhile
            // midnight passes and another instance's pass claims the invoice, taking refD up.
            v.setNow(at(d1, '00:00:01.000'));
            passAfter = pass(s);
            await claimed;
          } else if (lookups === 2) secondClaimed();
        }
        return realProcessor.lookup(ref);
      },
      cancel: (ref: string) => realProcessor.cancel(ref),
    } as unknown as Processor;

    v.setNow(at(d, '23:59:59.000'));
    // The pass from before midnight: its limit check (as of day d) refuses; it records the failure.
    await pass(s);
    // The pass after midnight charged refD (the money moved, the answer was lost): it keeps refD pending for the next pass.
    await passAfter;
    expect(lost).toBe(true);
    // Two days on the processor answers again; the invoice is still open, and a pass runs.
    v.runtime.deps.processor = realProcessor;
    v.setNow(at(plusDays(d, 2), '12:00:00.000'));
    await pass(s);

    // One payment for the invoice at the processor (day d's reference took the money once).
    const approvals = (
      await v.runtime.deps.db.selectFrom('simulated_operations').selectAll().where('reference', 'like', `invoice:${inv.id}:%`).execute()
    ).filter((r) => r.kind === 'authorize' && JSON.parse(r.result).outcome === 'approved');
    expect(approvals.map((r) => r.reference)).toEqual([refD]);
  });

  it('records what an attempt on the due date took when its answer was lost, once the invoice is past due, and charges nothing more', async () => {
    const s = await shop();
    const customer = uniq('past-due');
    await subscribe(s, customer);
    const d = today();
    const res = await s.api('POST', '/v1/invoices', { amount: 2500, currency: 'USD', customer, due_date: d });
    expect(res.status).toBe(201);
    const inv = res.body as { id: string };
    // The processor takes the money on the due date, the answer is lost on the way back, and it cannot
    // be asked about it that day.
    const net = loseAnswers(v, realProcessor, { cancels: true });
    v.setNow(at(d, '12:00:00.000'));
    expect(await pass(s)).toMatchObject({ charged: 0, paid: 0 });
    net.reachable();

    // The next day the invoice is past due: the pass records the money the lost attempt took.
    v.setNow(at(plusDays(d, 1), '12:00:00.000'));
    expect(await pass(s)).toMatchObject({ past_due: 1, paid: 1 });
    const read = (await s.api('GET', `/v1/invoices/${inv.id}`)).body;
    expect(read).toMatchObject({ status: 'paid', failure_code: null });
    const ledger = await succeededSince(customer, `${d}T00:00:00.000Z`);
    expect(ledger.map((c) => [c.processor_ref, c.amount])).toEqual([[`invoice:${inv.id}:${d}`, 2500]]);
    const paidEvents = (await s.api('GET', '/v1/events?type=invoice.paid')).body.data.filter((e: any) => e.data.invoice === inv.id);
    expect(paidEvents).toHaveLength(1);

    // Later passes find nothing more to do, and the processor holds one authorisation.
    v.setNow(at(plusDays(d, 2), '12:00:00.000'));
    expect(await pass(s)).toMatchObject({ charged: 0, paid: 0 });
    const approvals = (
      await v.runtime.deps.db.selectFrom('simulated_operations').selectAll().where('reference', 'like', `invoice:${inv.id}:%`).execute()
    ).filter((r) => r.kind === 'authorize' && JSON.parse(r.result).outcome === 'approved');
    expect(approvals).toHaveLength(1);
  });

  it('forgets a lost attempt at a past-due invoice that took nothing, once the processor has ended it', async () => {
    const s = await shop();
    const customer = uniq('past-due-nothing');
    await subscribe(s, customer);
    const d = today();
    const res = await s.api('POST', '/v1/invoices', { amount: 2500, currency: 'USD', customer, due_date: d });
    const inv = res.body as { id: string };
    // The call never reaches the processor, and the vault cannot tell.
    v.runtime.deps.processor = {
      ...realProcessor,
      type: realProcessor.type,
      authorize: async () => {
        throw new Error('connection reset');
      },
      lookup: (ref: string) => realProcessor.lookup(ref),
      cancel: (ref: string) => realProcessor.cancel(ref),
    } as unknown as Processor;
    v.setNow(at(d, '12:00:00.000'));
    await pass(s);
    v.runtime.deps.processor = realProcessor;
    v.setNow(at(plusDays(d, 1), '12:00:00.000'));
    expect(await pass(s)).toMatchObject({ past_due: 1, paid: 0, charged: 0 });
    expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'past_due', charge: null });
    const row = await v.runtime.deps.db.selectFrom('invoices').select(['pending_ref']).where('id', '=', inv.id).executeTakeFirstOrThrow();
    expect(row.pending_ref).toBeNull();
    expect(await succeededSince(customer, `${d}T00:00:00.000Z`)).toEqual([]);
  });
});
