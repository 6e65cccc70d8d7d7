// The dashboard overview's figures (GET /dashboard/api/overview): charges per day, approval rate and
// volume, declines by code and the upcoming automatic payments, for the signed-in person's shop only.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, newShop, openSession, startTestVault, type Shop, type TestVault } from '../helpers/test-vault.ts';

const PASSWORD = 'correct horse battery 42';
let n = 0;
const email = () => `overview${++n}.${Date.now()}@shop.example`;
const today = () => new Date().toISOString().slice(0, 10);
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describeEachDb('dashboard overview', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  let shop: Shop;
  let sister: Shop;
  let viewer: string;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    d = dashboard(v);
    shop = await newShop(v);
    sister = await newShop(v, { group: shop.group });
    viewer = await d.signedIn(email(), PASSWORD, { merchant: shop.id, role: 'viewer' });
  });
  afterAll(() => v?.close());

  /** One payment by the customer through the fields, as a real checkout makes it. */
  async function pay(at: Shop, number: string, amount: number, currency = 'EUR', o: { customer?: string; recurring?: unknown } = {}) {
    const s = await openSession(v, { amount, currency, ...o }, at.secret_key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: Boolean(o.customer) });
    return res;
  }

  it('answers 401 in the contract shape without a session, and 400 for a range outside 7 to 90 days', async () => {
    const none = await d.call('GET', '/overview', { cookie: '' });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ type: 'authentication_error', code: 'staff_session_required' });
    for (const days of ['6', '91', 'week']) {
      const bad = await d.call('GET', `/overview?days=${days}`, { cookie: viewer });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', param: 'days' });
    }
  });

  it('shows a new shop an empty range of zero-filled days', async () => {
    const res = await d.call('GET', '/overview?days=7', { cookie: viewer });
    expect(res.status).toBe(200);
    expect(res.body.daily).toHaveLength(7);
    expect(res.body.daily[6]).toEqual({ date: today(), charges: 0, succeeded: 0, failed: 0, approval_rate: null, volume: {} });
    expect(res.body).toMatchObject({ currency: null, declines: [], upcoming: [], totals: { charges: 0, approval_rate: null } });
  });

  it("counts the shop's own charges by day, status, currency and decline code, and none of its sister shop's", async () => {
    expect((await pay(shop, CARDS.visa, 1000)).status).toBe(200);
    expect((await pay(shop, CARDS.mastercard, 2500)).status).toBe(200);
    expect((await pay(shop, CARDS.visa, 700, 'USD')).status).toBe(200);
    expect((await pay(shop, CARDS.declined, 900)).status).toBe(402);
    expect((await pay(shop, CARDS.insufficient, 900)).status).toBe(402);
    expect((await pay(shop, CARDS.insufficient, 400)).status).toBe(402);
    // The sister shop shares the group (its customers and cards), never its figures.
    for (let i = 0; i < 3; i++) expect((await pay(sister, CARDS.visa, 99_999, 'GBP')).status).toBe(200);
    expect((await pay(sister, CARDS.expired, 500)).status).toBe(402);

    const res = await d.call('GET', '/overview?days=30', { cookie: viewer });
    expect(res.status).toBe(200);
    const o = res.body;
    expect(o.daily).toHaveLength(30);
    expect(o.to).toBe(today());
    expect(o.currency).toBe('EUR');
    expect(o.totals).toEqual({ charges: 6, succeeded: 3, failed: 3, approval_rate: 0.5, volume: { EUR: 3500, USD: 700 } });
    expect(o.daily.at(-1)).toEqual({ date: today(), charges: 6, succeeded: 3, failed: 3, approval_rate: 0.5, volume: { EUR: 3500, USD: 700 } });
    expect(o.daily.slice(0, -1).every((day: { charges: number }) => day.charges === 0)).toBe(true);
    expect(o.declines).toEqual([
      { code: 'insufficient_funds', count: 2 },
      { code: 'generic_decline', count: 1 },
    ]);
  });

  it("lists the open invoices due soonest, saying which the scheduler will charge and why not the others'", async () => {
    const customer = `sub-${Date.now().toString(36)}`;
    await shop.api('POST', `/v1/customers/${customer}`, { email: `${customer}@example.test` });
    const saved = await pay(shop, CARDS.visa, 2500, 'EUR', {
      customer,
      recurring: { min_amount: 100, max_amount: 5000, frequency_days: 30, end_date: inDays(60) },
    });
    expect(saved.status, saved.text).toBe(200);
    const invoice = async (body: Record<string, unknown>) => {
      const res = await shop.api('POST', '/v1/invoices', { amount: 1500, currency: 'EUR', ...body });
      expect(res.status, res.text).toBe(201);
      return res.body.id as string;
    };
    // The checkout charged the monthly agreement today: its next charge is allowed in 30 days, inside the
    // window of an invoice due in 31 (from day 28), and after the due date of one due in 10.
    const covered = await invoice({ customer, due_date: inDays(31) });
    const tooSoon = await invoice({ customer, due_date: inDays(10) });
    const manual = await invoice({ customer, due_date: inDays(3), auto_pay: false });
    const inUsd = await invoice({ customer, due_date: inDays(5), currency: 'USD' });
    const noCard = await invoice({ customer: 'nobody-yet', due_date: inDays(20) });
    await sister.api('POST', '/v1/invoices', { customer, amount: 100, currency: 'EUR', due_date: inDays(1) });

    const res = await d.call('GET', '/overview', { cookie: viewer });
    expect(res.status).toBe(200);
    expect(res.body.upcoming.map((u: { invoice: string; automatic: boolean; reason: string | null }) => [u.invoice, u.automatic, u.reason])).toEqual([
      [manual, false, 'auto_pay_off'],
      [inUsd, false, 'no_mandate'],
      [tooSoon, false, 'outside_mandate'],
      [noCard, false, 'no_default_card'],
      [covered, true, null],
    ]);
    const auto = res.body.upcoming.find((u: { invoice: string }) => u.invoice === covered);
    expect(auto).toMatchObject({ customer, amount: 1500, currency: 'EUR', due_date: inDays(31), charge_from: inDays(30) });
  });
});
