// GET /v1/charges filters: status, initiator and a creation-time window, each alone and together with
// customer and paging, newest first; another merchant's charges (a sister shop's included) never appear.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, startTestVault, type Shop, type TestVault } from '../helpers/test-vault.ts';

const nextYear = new Date().getUTCFullYear() + 1;
const at = (iso: string) => new Date(iso);

describeEachDb('GET /v1/charges filters', (target) => {
  let v: TestVault;
  let sister: Shop;
  /** Each charge made, in the order made (oldest first). */
  const made: { id: string; status: string; initiator: string; created: string; customer: string }[] = [];

  /** A customer's payment with a new card in the fields, approved or declined. */
  async function pay(when: string, customer: string, number: string, key?: string) {
    v.setNow(at(when));
    const s = await openSession(v, { customer }, key);
    await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number) });
  }

  /** A card under a mandate (a setup session, no charge), then a merchant-initiated charge of it. */
  async function chargeUnderMandate(when: string, customer: string, number: string) {
    v.setNow(at(when));
    const s = await openSession(v, {
      customer,
      mode: 'setup',
      amount: undefined,
      recurring: { min_amount: 500, max_amount: 2000, frequency_days: 0, end_date: `${nextYear}-12-31` },
    });
    const saved = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true, consent_text: 'I agree' });
    if (saved.status !== 200) throw new Error(`not saved: ${saved.text}`);
    const res = await v.api('POST', '/v1/charges', {
      body: { customer, card: saved.body.card.token, amount: 1000, currency: 'USD', mandate: saved.body.mandate },
      headers: { 'idempotency-key': `f-${customer}-${when}` },
    });
    return res.status === 201 ? res.body.id : res.body.error.charge;
  }

  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0, one_click_after: 0 } });
    sister = await newShop(v, { group: v.merchant.group, settings: { frame_limit_per_address: 0 } });
    const plan: [string, string, string, 'pay' | 'mit'][] = [
      ['2026-03-01T10:00:00.000Z', 'f-a', CARDS.visa, 'pay'],
      ['2026-03-01T23:59:59.999Z', 'f-b', CARDS.declined, 'pay'],
      ['2026-03-02T00:00:00.000Z', 'f-a', CARDS.mastercard, 'pay'],
      ['2026-03-02T12:00:00.000Z', 'f-c', CARDS.visa, 'mit'],
      ['2026-03-03T08:00:00.000Z', 'f-d', CARDS.declineAfterSave, 'mit'],
      ['2026-03-04T09:00:00.000Z', 'f-a', CARDS.insufficient, 'pay'],
    ];
    for (const [when, customer, number, kind] of plan) {
      if (kind === 'pay') await pay(when, customer, number);
      else await chargeUnderMandate(when, customer, number);
    }
    v.setNow(undefined);
    const all = await v.api('GET', '/v1/charges?limit=100');
    for (const c of [...all.body.data].reverse()) made.push({ id: c.id, status: c.status, initiator: c.initiator, created: c.created, customer: c.customer });
    // The sister shop's charges, at the same times, and more: never in this merchant's list.
    await pay('2026-03-02T06:00:00.000Z', 'f-a', CARDS.visa, sister.secret_key);
    v.setNow(undefined);
  });
  afterAll(() => v.close());

  const ids = async (q: string) => {
    const res = await v.api('GET', `/v1/charges${q}`);
    expect(res.status, `${q}: ${res.text}`).toBe(200);
    return res.body.data.map((c: { id: string }) => c.id);
  };
  const newestFirst = (pick: (c: (typeof made)[number]) => boolean) =>
    made
      .filter(pick)
      .map((c) => c.id)
      .reverse();

  it('made the charges this file is about: both statuses, both initiators, over four days', () => {
    expect(made.map((c) => `${c.created} ${c.status} ${c.initiator}`)).toEqual([
      '2026-03-01T10:00:00.000Z succeeded customer',
      '2026-03-01T23:59:59.999Z failed customer',
      '2026-03-02T00:00:00.000Z succeeded customer',
      '2026-03-02T12:00:00.000Z succeeded merchant',
      '2026-03-03T08:00:00.000Z failed merchant',
      '2026-03-04T09:00:00.000Z failed customer',
    ]);
  });

  it('narrows by status and by initiator, newest first', async () => {
    expect(await ids('?status=succeeded')).toEqual(newestFirst((c) => c.status === 'succeeded'));
    expect(await ids('?status=failed')).toEqual(newestFirst((c) => c.status === 'failed'));
    expect(await ids('?initiator=merchant')).toEqual(newestFirst((c) => c.initiator === 'merchant'));
    expect(await ids('?initiator=customer&status=failed')).toEqual(newestFirst((c) => c.initiator === 'customer' && c.status === 'failed'));
  });

  it('narrows to a window of dates or times: created_gte inclusive, created_lt exclusive', async () => {
    expect(await ids('?created_gte=2026-03-02&created_lt=2026-03-03')).toEqual(newestFirst((c) => c.created.startsWith('2026-03-02')));
    expect(await ids('?created_lt=2026-03-02')).toEqual(newestFirst((c) => c.created < '2026-03-02'));
    expect(await ids('?created_gte=2026-03-02T00:00:00Z')).toEqual(newestFirst((c) => c.created >= '2026-03-02'));
    // An offset is honoured: 01:00 at +02:00 is 23:00 UTC the day before.
    expect(await ids(`?created_gte=${encodeURIComponent('2026-03-02T01:00:00+02:00')}&created_lt=2026-03-02T00:00:00.001Z`)).toEqual(
      newestFirst((c) => c.created >= '2026-03-01T23:00' && c.created <= '2026-03-02T00:00:00.000Z'),
    );
    expect(await ids('?created_gte=2026-03-05')).toEqual([]);
  });

  it('pages through a filtered list with starting_after, combined with customer', async () => {
    const want = newestFirst((c) => c.customer === 'f-a' && c.initiator === 'customer' && c.created >= '2026-03-01');
    expect(want).toHaveLength(3);
    const seen: string[] = [];
    let after = '';
    for (let i = 0; i < 5; i++) {
      const res = await v.api('GET', `/v1/charges?customer=f-a&initiator=customer&created_gte=2026-03-01&limit=1${after ? `&starting_after=${after}` : ''}`);
      seen.push(...res.body.data.map((c: { id: string }) => c.id));
      if (!res.body.has_more) break;
      after = res.body.data[0].id;
    }
    expect(seen).toEqual(want);
  });

  it("never shows another merchant's charges, a sister shop's included", async () => {
    const mine = await ids('?limit=100');
    expect(mine).toEqual(newestFirst(() => true));
    const theirs = await sister.api('GET', '/v1/charges?limit=100&created_gte=2026-03-01');
    expect(theirs.body.data).toHaveLength(1);
    expect(mine).not.toContain(theirs.body.data[0].id);
    expect((await sister.api('GET', `/v1/charges?starting_after=${mine[0]}`)).status).toBe(404);
  });

  it('refuses bad input with 400 in the contract shape', async () => {
    for (const [q, param] of [
      ['?status=pending', 'status'],
      ['?initiator=bank', 'initiator'],
      ['?created_gte=yesterday', 'created_gte'],
      ['?created_gte=2026-02-30', 'created_gte'],
      ['?created_lt=2026-03-01T10:00:00', 'created_lt'],
      ['?created_lt=2026-03-01T25:00:00Z', 'created_lt'],
      ['?created_lt=12026-03-01', 'created_lt'],
      ['?limit=0', 'limit'],
    ]) {
      const res = await v.api('GET', `/v1/charges${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error, q).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param });
    }
  });
});
