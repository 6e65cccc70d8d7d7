// Attacks on recurring billing (invoices paid by the scheduler, mandates and their limits, merchant-
// initiated charges under a mandate), as a hostile sister shop, a careless merchant and a racing pair of
// passes. Its four defects (a lost approval never recorded, or announced as failed, once the card was
// deleted; a deny answered before a charge at the processor was recorded; a rehearsal that would charge
// an invoice outside its mandate) are fixed; the other tests document attacks the vault holds against.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Processor } from '../../server/payments/processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, LIFTABLE_LIMITS, newShop, type Shop, startTestVault, type TestVault } from '../helpers/test-vault.ts';
import { at, holdAtProcessor, loseAnswers, nextYear, plusDays, schedulerPass, subscribe as subscribeIn, today } from '../helpers/money-days.ts';
import { freshVisa } from '../helpers/test-cards.ts';

describeEachDb('recurring billing attacks', (target) => {
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
  const uniq = (p: string) => `${p}-${target.slice(0, 2)}-${++n}`;
  const shop = (group?: string): Promise<Shop> => newShop(v, { group, settings: { frame_limit_per_address: 0 } });
  const subscribe = (s: Shop, customer: string, recurring: Record<string, unknown> = {}, number?: string) => subscribeIn(v, s, customer, recurring, number);
  let keys = 0;
  const charge = (s: Shop, body: Record<string, unknown>) =>
    s.api('POST', '/v1/charges', { currency: 'USD', ...body }, { 'idempotency-key': `rb-${target}-${++keys}` });
  const invoice = async (s: Shop, body: Record<string, unknown>) => {
    const res = await s.api('POST', '/v1/invoices', { amount: 2500, currency: 'USD', ...body });
    if (res.status !== 201) throw new Error(`invoice refused: ${res.text}`);
    return res.body as { id: string };
  };
  const succeeded = async (customer: string) =>
    v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).where('status', '=', 'succeeded').execute();
  /** What the (simulated) processor approved under an invoice's references: the money actually taken for it. */
  const approvalsFor = async (inv: string) =>
    (await v.runtime.deps.db.selectFrom('simulated_operations').selectAll().where('reference', 'like', `invoice:${inv}:%`).execute()).filter(
      (r) => r.kind === 'authorize' && JSON.parse(r.result).outcome === 'approved',
    );
  const eventsOf = async (s: Shop, type: string) => (await s.api('GET', `/v1/events?type=${type}&limit=100`)).body.data as any[];
  const code = (r: { status: number; body: any }) => `${r.status} ${r.body?.error?.code ?? ''}`.trim();

  /** The processor takes the money for the invoice's attempts; the answers are lost, and nothing can be asked until `reachable()`. */
  const lostAnswers = () => loseAnswers(v, realProcessor, { lost: (ref) => ref.startsWith('invoice:'), cancels: true });
  /** An invoice due `dueIn` days from today, whose pass today takes the money and never hears so. */
  const lostApproval = async (s: Shop, customer: string, dueIn: number) => {
    const d = today();
    const inv = await invoice(s, { customer, due_date: plusDays(d, dueIn) });
    const net = lostAnswers();
    v.setNow(at(d, '12:00:00.000'));
    // The processor approved; the vault never heard it, and keeps the attempt's reference pending.
    expect(await schedulerPass(s)).toMatchObject({ charged: 0, paid: 0 });
    expect(await approvalsFor(inv.id)).toHaveLength(1);
    net.reachable();
    return { d, inv };
  };

  describe('defects', () => {
    it('records a past-due invoice’s lost approval, and pays the invoice, though the customer deleted the card since', async () => {
      const s = await shop();
      const customer = uniq('lost-deleted');
      const { card } = await subscribe(s, customer);
      const { d, inv } = await lostApproval(s, customer, 0);
      // The customer then deletes the card (the card the money was taken from).
      expect((await s.api('DELETE', `/v1/customers/${customer}/cards/${card}`)).status).toBe(200);

      // The next days' passes end that attempt at the processor, which answers "approved".
      v.setNow(at(plusDays(d, 1), '12:00:00.000'));
      await schedulerPass(s);
      v.setNow(at(plusDays(d, 2), '12:00:00.000'));
      await schedulerPass(s);

      // The 25.00 the customer paid is in the merchant's ledger and pays the invoice ("never taken twice or lost").
      expect((await succeeded(customer)).map((c) => [c.processor_ref, Number(c.amount)])).toEqual([[`invoice:${inv.id}:${d}`, 2500]]);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid' });
    });

    it('records a resumed attempt whose money was taken, with no "payment failed" warning, though the customer deleted the card since', async () => {
      const s = await shop();
      const customer = uniq('resumed-deleted');
      await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
      const { card } = await subscribe(s, customer);
      const { d, inv } = await lostApproval(s, customer, 2);
      expect((await s.api('DELETE', `/v1/customers/${customer}/cards/${card}`)).status).toBe(200);

      // The next day the invoice is still open: the pass takes up the pending reference.
      v.setNow(at(plusDays(d, 1), '12:00:00.000'));
      await schedulerPass(s);

      // The processor holds the customer's money under that reference: nobody is told the payment failed.
      const failed = (await eventsOf(s, 'invoice.payment_failed')).filter((e) => e.data.invoice === inv.id);
      expect(failed.map((e) => e.data.code)).toEqual([]);
      const warned = await v.runtime.deps.db
        .selectFrom('messages')
        .selectAll()
        .where('customer', '=', customer)
        .where('template', '=', 'payment_failed')
        .execute();
      expect(warned).toHaveLength(0);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid' });
    });

    it('records a resumed attempt on the card the money was taken from, though the customer made another card the default since', async () => {
      const s = await shop();
      const customer = uniq('resumed-switched');
      const first = await subscribe(s, customer);
      const { d, inv } = await lostApproval(s, customer, 2);
      const second = await subscribe(s, customer, {}, freshVisa());
      const made = await s.api('POST', `/v1/customers/${customer}/cards/${second.card}`, { default: true });
      expect(made.status, made.text).toBe(200);

      v.setNow(at(plusDays(d, 1), '12:00:00.000'));
      await schedulerPass(s);
      expect((await succeeded(customer)).map((c) => [c.card_token, c.processor_ref])).toEqual([[first.card, `invoice:${inv.id}:${d}`]]);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid' });
      expect(await approvalsFor(inv.id)).toHaveLength(1);
    });

    it('records a merchant charge whose answer was lost when its key is retried after the card was deleted (502 while the processor cannot say)', async () => {
      const s = await shop();
      const customer = uniq('mit-deleted');
      const { card, mandate } = await subscribe(s, customer);
      const net = loseAnswers(v, realProcessor);
      const key = `rb-${target}-lost-${++keys}`;
      const pay = () => s.api('POST', '/v1/charges', { currency: 'USD', customer, card, mandate, amount: 1200 }, { 'idempotency-key': key });
      expect(code(await pay())).toMatch(/^50\d processor_unavailable$/);
      expect((await s.api('DELETE', `/v1/customers/${customer}/cards/${card}`)).status).toBe(200);
      // The processor cannot say yet: not "no such card", which the key would keep as its answer.
      expect(code(await pay())).toMatch(/^50\d processor_unavailable$/);
      net.reachable();
      const retried = await pay();
      expect(retried.status, retried.text).toBe(201);
      expect(retried.body).toMatchObject({ status: 'succeeded', amount: 1200, card: card });
      expect((await pay()).body.id).toBe(retried.body.id);
      expect((await succeeded(customer)).map((c) => c.id)).toEqual([retried.body.id]);
      // A new key on the deleted card is refused as before.
      expect(code(await charge(s, { customer, card, mandate, amount: 1200 }))).toBe('404 resource_missing');
    });

    it("answers a customer set to deny only once a charge at the processor is recorded, as for a mandate's cancellation", async () => {
      const s = await shop();
      const customer = uniq('deny-race');
      const { card, mandate } = await subscribe(s, customer);
      // The charge passes its checks (the customer allows saved cards) and waits at the processor.
      const atProcessor = holdAtProcessor(v, realProcessor, 600);
      const inFlight = charge(s, { customer, card, mandate, amount: 900 });
      await atProcessor;
      const deny = await s.api('POST', `/v1/customers/${customer}`, { status: 'deny' });
      // What the merchant sees the moment it is told the customer refuses saved cards.
      const seen = (await s.api('GET', `/v1/charges?customer=${customer}&initiator=merchant`)).body.data as any[];
      expect(deny.status).toBe(200);
      expect(deny.body.status).toBe('deny');
      const done = await inFlight;
      expect(done.status).toBe(201);
      // As for a cancellation or a deletion (which take the customer's lease): the charge the change
      // raced is already in the ledger when the change is answered, and nothing succeeds after it.
      expect(seen).toEqual([expect.objectContaining({ id: done.body.id, status: 'succeeded' })]);
      expect(code(await charge(s, { customer, card, mandate, amount: 900 }))).toBe('403 customer_denied');
    });

    it('rehearses an invoice above its mandate as the real pass treats it: would_notify with mandate_violation, not would_charge', async () => {
      const s = await shop();
      const customer = uniq('preview-range');
      const { card, mandate } = await subscribe(s, customer, { max_amount: 2000 });
      const d = today();
      const inv = await invoice(s, { customer, amount: 2001, due_date: plusDays(d, 2) });

      const rehearsal = await s.api('POST', '/v1/scheduler/run', { now: at(d, '12:00:00.000').toISOString() });
      expect(rehearsal.status).toBe(200);
      // The real pass on that day: refused before the processor (402 mandate_violation), customer warned.
      v.setNow(at(d, '12:00:00.000'));
      expect(await schedulerPass(s)).toMatchObject({ charged: 1, paid: 0, failed: 1 });
      const failed = (await eventsOf(s, 'invoice.payment_failed')).filter((e) => e.data.invoice === inv.id);
      expect(failed.map((e) => e.data.code)).toEqual(['mandate_violation']);
      // What the rehearsal said about the same pass.
      expect(rehearsal.body.would_charge).not.toContainEqual(expect.objectContaining({ invoice: inv.id, card, mandate }));
      expect(rehearsal.body.would_notify).toContainEqual({ type: 'invoice.payment_failed', invoice: inv.id, customer, code: 'mandate_violation' });
    });
  });

  it('rehearses an invoice its mandate’s frequency does not allow yet as the real pass treats it: would_notify with mandate_violation', async () => {
    const s = await shop();
    const customer = uniq('preview-frequency');
    const { card, mandate } = await subscribe(s, customer, { frequency_days: 30 });
    const d = today();
    v.setNow(at(d, '09:00:00.000'));
    expect(code(await charge(s, { customer, card, mandate, amount: 900 }))).toBe('201');
    const inv = await invoice(s, { customer, due_date: plusDays(d, 2) });
    const rehearsal = await s.api('POST', '/v1/scheduler/run', { now: at(d, '12:00:00.000').toISOString() });
    expect(rehearsal.status, rehearsal.text).toBe(200);
    expect(rehearsal.body.would_charge).toEqual([]);
    expect(rehearsal.body.would_notify).toContainEqual({ type: 'invoice.payment_failed', invoice: inv.id, customer, code: 'mandate_violation' });
    v.setNow(at(d, '12:00:00.000'));
    expect(await schedulerPass(s)).toMatchObject({ paid: 0, failed: 1 });
    expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ failure_code: 'mandate_violation' });
  });

  it('waits inside the window for the day a monthly mandate allows its next charge: no refusal, no warning before it, paid that day', async () => {
    const s = await shop();
    const customer = uniq('monthly');
    await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
    const { card, mandate } = await subscribe(s, customer, { frequency_days: 30 });
    const d = today();
    v.setNow(at(d, '09:00:00.000'));
    expect(code(await charge(s, { customer, card, mandate, amount: 900 }))).toBe('201');
    // Due in 31 days: the window opens on day 28, the mandate allows a charge from day 30.
    const inv = await invoice(s, { customer, due_date: plusDays(d, 31) });
    for (const day of [28, 29]) {
      const rehearsal = await s.api('POST', '/v1/scheduler/run', { now: at(plusDays(d, day), '12:00:00.000').toISOString() });
      expect(rehearsal.body).toMatchObject({ would_charge: [], would_notify: [] });
      v.setNow(at(plusDays(d, day), '12:00:00.000'));
      expect(await schedulerPass(s)).toMatchObject({ charged: 0, failed: 0 });
    }
    expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'open', attempts: 0, failure_code: null });
    expect(await eventsOf(s, 'invoice.payment_failed')).toEqual([]);
    v.setNow(at(plusDays(d, 30), '12:00:00.000'));
    expect(await schedulerPass(s)).toMatchObject({ charged: 1, paid: 1 });
    expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid', attempts: 1 });
  });

  describe('attacks that held', () => {
    it("keeps a sister shop away from another shop's invoices and mandates: no read, no cancel, no pass, no charge, no use of its own mandate", async () => {
      const a = await shop();
      const b = await shop(a.group);
      const customer = uniq('sister');
      const { card, mandate } = await subscribe(a, customer);
      const inv = await invoice(a, { customer, due_date: plusDays(today(), 1) });
      const missing = await b.api('DELETE', '/v1/mandates/mdt_0000000000000000000000000');
      const cancel = await b.api('DELETE', `/v1/mandates/${mandate}`);
      expect(cancel.status).toBe(404);
      expect(cancel.body.error).toEqual({ ...missing.body.error });
      expect((await b.api('GET', `/v1/customers/${customer}/mandates`)).body.data).toEqual([]);
      expect((await b.api('GET', `/v1/invoices?starting_after=${inv.id}`)).status).toBe(404);
      // The sister shop's pass covers its own account only: A's invoice is not touched by it.
      expect(await schedulerPass(b)).toMatchObject({ charged: 0, paid: 0 });
      expect((await a.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'open', attempts: 0 });
      // Nor can it charge the shared card under A's mandate.
      expect(code(await charge(b, { customer, card, amount: 1000, mandate }))).toBe('402 mandate_violation');
      // A's mandate is then cancelled; the sister shop's own agreement on the same default card pays none of A's invoices.
      expect((await a.api('DELETE', `/v1/mandates/${mandate}`)).status).toBe(200);
      await subscribe(b, customer);
      expect(await schedulerPass(a)).toMatchObject({ charged: 1, paid: 0, failed: 1 });
      expect((await a.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'open', failure_code: 'mandate_violation', charge: null });
      expect(await approvalsFor(inv.id)).toHaveLength(0);
      expect(await succeeded(customer)).toHaveLength(0);
    });

    it('charges an invoice once when a pass, a manual pass and a second instance of the pass all run at once, and once only the next day', async () => {
      const s = await shop();
      const customer = uniq('triple');
      await subscribe(s, customer);
      const inv = await invoice(s, { customer, due_date: plusDays(today(), 2) });
      const { runSchedulerPass } = await import('../../server/jobs/scheduler.ts');
      await Promise.all([schedulerPass(s), runSchedulerPass(v.runtime.deps), runSchedulerPass(v.runtime.deps, { merchantId: s.id }), schedulerPass(s)]);
      expect(await approvalsFor(inv.id)).toHaveLength(1);
      v.setNow(at(plusDays(today(), 1), '08:00:00.000'));
      await Promise.all([schedulerPass(s), schedulerPass(s)]);
      expect(await approvalsFor(inv.id)).toHaveLength(1);
      expect(await succeeded(customer)).toHaveLength(1);
      expect((await s.api('GET', `/v1/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid', attempts: 1 });
    });

    it("holds a mandate's frequency and the customer's limits across a month and year boundary, to the UTC day", async () => {
      const s = await shop();
      const customer = uniq('boundary');
      const y = nextYear;
      const { card, mandate } = await subscribe(s, customer, { frequency_days: 30, end_date: `${y}-12-31` });
      await s.api('POST', `/v1/customers/${customer}`, { limits: { daily: 5000, weekly: 7000 } });
      v.setNow(new Date(`${y}-01-31T23:59:59.000Z`));
      expect(code(await charge(s, { customer, card, mandate, amount: 4000 }))).toBe('201');
      // 29 UTC days later, at the last millisecond of the day: not yet.
      v.setNow(new Date(`${y}-03-01T23:59:59.999Z`));
      expect(code(await charge(s, { customer, card, mandate, amount: 1000 }))).toBe('402 mandate_violation');
      // 30 days: allowed, once.
      v.setNow(new Date(`${y}-03-02T00:00:00.000Z`));
      expect(code(await charge(s, { customer, card, mandate, amount: 1000 }))).toBe('201');
      expect(code(await charge(s, { customer, card, mandate, amount: 1000 }))).toBe('402 mandate_violation');

      // Limits, with an every-time agreement: a new UTC day frees the daily cap, not the rolling week.
      const free = await subscribe(s, customer, { frequency_days: 0, end_date: `${y + 1}-12-31` }, CARDS.mastercard);
      v.setNow(new Date(`${y}-12-31T23:59:59.000Z`));
      expect(code(await charge(s, { customer, card: free.card, mandate: free.mandate, amount: 4000 }))).toBe('201');
      expect(code(await charge(s, { customer, card: free.card, mandate: free.mandate, amount: 1001 }))).toBe('402 limit_exceeded');
      v.setNow(new Date(`${y + 1}-01-01T00:00:00.000Z`));
      expect(code(await charge(s, { customer, card: free.card, mandate: free.mandate, amount: 3001 }))).toBe('402 limit_exceeded');
      expect(code(await charge(s, { customer, card: free.card, mandate: free.mandate, amount: 3000 }))).toBe('201');
      // The rolling week holds the charge of 31 December to the millisecond, seven days on.
      v.setNow(new Date(`${y + 1}-01-07T23:59:59.000Z`));
      expect(code(await charge(s, { customer, card: free.card, mandate: free.mandate, amount: 100 }))).toBe('402 limit_exceeded');
      v.setNow(new Date(`${y + 1}-01-07T23:59:59.001Z`));
      expect(code(await charge(s, { customer, card: free.card, mandate: free.mandate, amount: 100 }))).toBe('201');
    });

    it('answers bad input to the recurring endpoints in the error shape, never a 500', async () => {
      const s = await shop();
      const customer = uniq('input');
      const { card, mandate } = await subscribe(s, customer);
      const due = plusDays(today(), 2);
      const inv = { customer, amount: 100, currency: 'USD', due_date: due };
      const mdt = {
        card,
        min_amount: 1,
        max_amount: 100,
        currency: 'USD',
        frequency_days: 0,
        end_date: `${nextYear}-12-31`,
        consent: { text: 'ok', accepted_at: '2024-01-01T00:00:00Z' },
      };
      const cases: [string, string, unknown, string, string?][] = [
        ['POST', '/v1/invoices', { ...inv, amount: 1e20 }, '400 parameter_invalid', 'amount'],
        ['POST', '/v1/invoices', { ...inv, amount: 0 }, '400 parameter_invalid', 'amount'],
        ['POST', '/v1/invoices', { ...inv, amount: 10.5 }, '400 parameter_invalid', 'amount'],
        ['POST', '/v1/invoices', { ...inv, amount: '100' }, '400 parameter_invalid', 'amount'],
        ['POST', '/v1/invoices', { ...inv, currency: 'usd' }, '400 parameter_invalid', 'currency'],
        ['POST', '/v1/invoices', { ...inv, due_date: `${nextYear}-02-30` }, '400 parameter_invalid', 'due_date'],
        ['POST', '/v1/invoices', { ...inv, due_date: `${nextYear}-01-01T00:00:00Z` }, '400 parameter_invalid', 'due_date'],
        ['POST', '/v1/invoices', { ...inv, due_date: '0000-01-01' }, '400 parameter_invalid', 'due_date'],
        ['POST', '/v1/invoices', { ...inv, status: 'paid' }, '400 parameter_unknown', 'status'],
        ['POST', '/v1/invoices', { ...inv, description: 'x'.repeat(501) }, '400 parameter_invalid', 'description'],
        ['POST', '/v1/invoices', { ...inv, description: `card ${CARDS.visa.replace(/(\d{4})/g, '$1.').slice(0, -1)}` }, '400 parameter_invalid', 'description'],
        ['POST', '/v1/invoices', { ...inv, customer: 'c'.repeat(33) }, '400 parameter_invalid', 'customer'],
        ['GET', `/v1/invoices/${'x'.repeat(65)}`, undefined, '400 parameter_invalid', 'id'],
        ['GET', '/v1/invoices/inv_%F0%9F%98%80', undefined, '404 resource_missing', 'id'],
        ['GET', '/v1/invoices?limit=101', undefined, '400 parameter_invalid', 'limit'],
        ['POST', `/v1/customers/${customer}/mandates`, { ...mdt, max_amount: 2 ** 60 }, '400 parameter_invalid', 'max_amount'],
        ['POST', `/v1/customers/${customer}/mandates`, { ...mdt, frequency_days: 3661 }, '400 parameter_invalid', 'frequency_days'],
        [
          'POST',
          `/v1/customers/${customer}/mandates`,
          { ...mdt, consent: { text: 'ok', accepted_at: '2023-02-29T00:00:00Z' } },
          '400 parameter_invalid',
          'consent.accepted_at',
        ],
        ['POST', `/v1/customers/${customer}/mandates`, { ...mdt, card: 'card_nope' }, '404 resource_missing', 'card'],
        ['DELETE', `/v1/mandates/${'m'.repeat(65)}`, undefined, '400 parameter_invalid', 'id'],
        ['POST', '/v1/scheduler/run', { now: `${nextYear}-02-31T00:00:00Z` }, '400 parameter_invalid', 'now'],
        ['POST', '/v1/scheduler/run', { now: 1_800_000_000_000 }, '400 parameter_invalid', 'now'],
        ['POST', '/v1/scheduler/run', { merchant: 'mer_x' }, '400 parameter_unknown', 'merchant'],
      ];
      for (const [method, path, body, expected, param] of cases) {
        const res = await s.api(method, path, body);
        expect(`${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}: ${code(res)}`).toBe(
          `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}: ${expected}`,
        );
        if (param) expect(res.body.error.param).toBe(param);
        expect(Object.keys(res.body.error)).toEqual(expect.arrayContaining(['type', 'code', 'message']));
      }
      // A huge but valid invoice is charged only within the mandate: refused before the processor.
      const big = await invoice(s, { customer, amount: 99_999_999_999, due_date: due });
      await schedulerPass(s);
      expect((await s.api('GET', `/v1/invoices/${big.id}`)).body).toMatchObject({ status: 'open', failure_code: 'mandate_violation' });
      expect(code(await charge(s, { customer, card, mandate, amount: 99_999_999_999 }))).toBe('402 mandate_violation');
    });

    it('puts no card number in the answers, events, messages or logs of automatic payments, declined, lost or paid', async () => {
      const s = await shop();
      const customer = uniq('no-leak');
      await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
      const paid = await subscribe(s, customer);
      const declineCustomer = uniq('no-leak-decline');
      await s.api('POST', `/v1/customers/${declineCustomer}`, { email: `${declineCustomer}@example.test` });
      // A card the simulated processor declines on a later charge, after the setup's check.
      const numbers = Object.values(CARDS) as string[];
      const declined = await subscribe(s, declineCustomer, {}, CARDS.declineAfterSave);
      const d = today();
      const i1 = await invoice(s, { customer, due_date: plusDays(d, 1) });
      const i2 = await invoice(s, { customer: declineCustomer, due_date: plusDays(d, 1) });
      // The first pass loses its answers, the second settles them.
      const net = lostAnswers();
      await schedulerPass(s);
      net.reachable();
      v.runtime.deps.processor = realProcessor;
      v.setNow(at(plusDays(d, 1), '09:00:00.000'));
      await schedulerPass(s);
      const answers = [
        await s.api('GET', `/v1/invoices/${i1.id}`),
        await s.api('GET', `/v1/invoices/${i2.id}`),
        await s.api('GET', `/v1/invoices?limit=100`),
        await s.api('GET', `/v1/events?limit=100`),
        await s.api('GET', `/v1/messages?limit=100`),
        await s.api('GET', `/v1/charges?limit=100`),
        await s.api('GET', `/v1/customers/${customer}/mandates`),
      ];
      expect((await s.api('GET', `/v1/invoices/${i1.id}`)).body.status).toBe('paid');
      expect((await s.api('GET', `/v1/invoices/${i2.id}`)).body).toMatchObject({ status: 'open', failure_code: 'card_declined' });
      expect(paid.card).toBeTruthy();
      expect(declined.card).toBeTruthy();
      const haystack = [...answers.map((a) => a.text), ...v.logs].join('\n');
      for (const number of numbers) {
        expect(haystack.includes(number)).toBe(false);
        expect(haystack.includes(number.match(/.{1,4}/g)!.join(' '))).toBe(false);
      }
    });
  });
});
