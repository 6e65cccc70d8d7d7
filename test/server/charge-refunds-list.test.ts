// GET /v1/charges/{id}/refunds lists a charge's refunds, and GET /v1/charges?order= finds the charges
// made for one order (an invoice's, by its id): each only within the merchant that made them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, startTestVault, type Shop, type TestVault } from '../helpers/test-vault.ts';

describeEachDb("a charge's refunds and an order's charges", (target) => {
  let v: TestVault;
  let sister: Shop;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0 } });
    sister = await newShop(v, { group: v.merchant.group, settings: { frame_limit_per_address: 0 } });
  });
  afterAll(() => v.close());

  /** A payment of `amount` for `order`, answering the charge's id. */
  async function pay(order: string, amount = 2000, key?: string): Promise<string> {
    const s = await openSession(v, { customer: 'r-1', amount, order }, key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    if (res.status !== 200) throw new Error(res.text);
    return res.body.charge as string;
  }

  it('lists the refunds of a charge oldest first, and nothing for one never refunded', async () => {
    const charge = await pay('ord-refunds');
    expect((await v.api('GET', `/v1/charges/${charge}/refunds`)).body).toEqual({ data: [], has_more: false });
    const first = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 500 } });
    const second = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 700 } });
    const list = await v.api('GET', `/v1/charges/${charge}/refunds`);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([first.body, second.body]);
    expect(list.body.data.map((r: { amount: number; status: string }) => [r.amount, r.status])).toEqual([
      [500, 'succeeded'],
      [700, 'succeeded'],
    ]);
  });

  it("answers 404 for another merchant's charge, a sister shop's included", async () => {
    const charge = await pay('ord-private');
    await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 100 } });
    const theirs = await sister.api('GET', `/v1/charges/${charge}/refunds`);
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('resource_missing');
    expect(theirs.text).not.toContain('"amount"');
  });

  it('finds the charges of one order, not those of another order or of a sister shop with the same reference', async () => {
    const a = await pay('inv-shared');
    const b = await pay('inv-shared', 1500);
    await pay('inv-other');
    await pay('inv-shared', 900, sister.secret_key);
    const res = await v.api('GET', '/v1/charges?order=inv-shared');
    expect(res.status).toBe(200);
    expect(res.body.data.map((c: { id: string }) => c.id)).toEqual([b, a]);
    expect((await v.api('GET', '/v1/charges?order=inv-none')).body.data).toEqual([]);
    const bad = await v.api('GET', `/v1/charges?order=${'x'.repeat(300)}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'parameter_invalid', param: 'order' });
  });
});
