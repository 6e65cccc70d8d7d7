// Money and notices run on the vault's clock only. A merchant who sends POST /v1/scheduler/run with a
// future `now` gets a rehearsal of what a pass would do, and nothing changes: no charge dated in the
// future, no mandate ended early, no sister shop's once-only card.expiring notice spent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, newShop, openSession, type Shop, type TestVault, startTestVault } from '../helpers/test-vault.ts';

const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
const thisYear = new Date().getUTCFullYear();

describeEachDb('POST /v1/scheduler/run with now', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  const shop = (group?: string) => newShop(v, { group });

  /** A customer's card saved with an agreement (monthly by default) that ends in 60 days, the card expiring in two years' time. */
  async function subscribe(s: Shop, customer: string, frequency_days = 30) {
    await s.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test`, limits: { daily: 5000, weekly: 7000 } });
    const session = await openSession(
      v,
      { customer, amount: 2500, recurring: { min_amount: 100, max_amount: 5000, frequency_days, end_date: inDays(60) } },
      s.secret_key,
    );
    const res = await v.frame('/frame/v1/confirm', session.secret, { card: { ...newCard(CARDS.visa), exp_month: 1, exp_year: thisYear + 2 }, save: true });
    expect(res.status, res.text).toBe(200);
    return { card: res.body.card.token as string, mandate: res.body.mandate as string };
  }

  const count = async (table: 'charges' | 'events' | 'messages', merchantId: string) =>
    Number(
      (
        await v.runtime.deps.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('merchant_id', '=', merchantId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('only reports what a future pass would do, and changes nothing', async () => {
    const a = await shop();
    const sister = await shop(a.group);
    const { card, mandate } = await subscribe(a, 'clock-victim');
    const invoice = (await a.api('POST', '/v1/invoices', { customer: 'clock-victim', amount: 2500, currency: 'USD', due_date: inDays(40) })).body;
    const before = {
      charges: await count('charges', a.id),
      events: await count('events', a.id),
      messages: await count('messages', a.id),
      sisterEvents: await count('events', sister.id),
    };

    // Far enough ahead that the invoice is due, the mandate has ended and the card is about to expire.
    const future = new Date(Date.UTC(thisYear + 2, 0, 1, 9));
    const early = await a.api('POST', '/v1/scheduler/run', { now: new Date(Date.now() + 39 * DAY).toISOString() });
    expect(early.status).toBe(200);
    expect(early.body.would_charge).toEqual([
      { invoice: invoice.id, customer: 'clock-victim', amount: 2500, currency: 'USD', due_date: inDays(40), card, mandate },
    ]);
    const late = await a.api('POST', '/v1/scheduler/run', { now: future.toISOString() });
    expect(late.body).toMatchObject({ now: future.toISOString(), would_end_mandates: [mandate], would_mark_past_due: [invoice.id] });
    expect(late.body.would_notify).toContainEqual({
      type: 'card.expiring',
      card,
      customer: 'clock-victim',
      last4: '4242',
      exp_month: 1,
      exp_year: thisYear + 2,
    });
    expect(late.body.charged).toBeUndefined();

    expect(await count('charges', a.id)).toBe(before.charges);
    expect(await count('events', a.id)).toBe(before.events);
    expect(await count('messages', a.id)).toBe(before.messages);
    expect(await count('events', sister.id)).toBe(before.sisterEvents);
    expect((await a.api('GET', `/v1/invoices/${invoice.id}`)).body).toMatchObject({ status: 'open', attempts: 0, last_attempt_on: null });
    const [m] = (await a.api('GET', '/v1/customers/clock-victim/mandates')).body.data;
    expect(m).toMatchObject({ id: mandate, status: 'active' });
    const stored = await v.runtime.deps.db.selectFrom('cards').select('expiring_notified').where('token', '=', card).executeTakeFirstOrThrow();
    expect(stored.expiring_notified).toBe(0);
  });

  it("leaves the customer's own payments and the mandate's frequency untouched", async () => {
    const a = await shop();
    const { card, mandate } = await subscribe(a, 'clock-limits');
    await a.api('POST', '/v1/invoices', { customer: 'clock-limits', amount: 4000, currency: 'USD', due_date: inDays(3) });
    await a.api('POST', '/v1/scheduler/run', { now: new Date(Date.now() + 2 * DAY).toISOString() });
    // The checkout's 25.00 is the only spending: a further 25.00 fits the 50.00 daily and 70.00 weekly limits.
    const session = await openSession(v, { customer: 'clock-limits', amount: 2500 }, a.secret_key);
    const pay = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' } });
    expect(pay.status, pay.text).toBe(200);
    const charges = (await a.api('GET', '/v1/charges?customer=clock-limits')).body.data;
    expect(charges.map((c: any) => c.initiator)).toEqual(['customer', 'customer']);
    expect(charges.every((c: any) => Date.parse(c.created) <= Date.now())).toBe(true);
    expect((await a.api('GET', '/v1/customers/clock-limits/mandates')).body.data[0]).toMatchObject({ id: mandate, status: 'active' });
  });

  it('runs a real pass on the real clock without now', async () => {
    const a = await shop();
    await subscribe(a, 'clock-real', 0);
    const inv = (await a.api('POST', '/v1/invoices', { customer: 'clock-real', amount: 2500, currency: 'USD', due_date: inDays(2) })).body;
    const res = await a.api('POST', '/v1/scheduler/run', {});
    expect(res.body).toMatchObject({ charged: 1, paid: 1 });
    const charge = (await a.api('GET', `/v1/charges/${(await a.api('GET', `/v1/invoices/${inv.id}`)).body.charge}`)).body;
    expect(Math.abs(Date.parse(charge.created) - Date.now())).toBeLessThan(60_000);
  });

  it('refuses now to a live merchant', async () => {
    const live = await v.newMerchant();
    await v.runtime.deps.db
      .updateTable('merchants')
      .set({ publishable_key: `pk_live_${live.id}` })
      .where('id', '=', live.id)
      .execute();
    const res = await v.api('POST', '/v1/scheduler/run', { key: live.secret_key, body: { now: new Date(Date.now() + DAY).toISOString() } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'now' });
  });
});
