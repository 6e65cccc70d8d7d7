import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('Charges: /v1/charges', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
    // Many quick calls in a row: the per-second rate limit is tested in merchant.test.ts, not here.
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0 } });
  });
  afterAll(() => v.close());
  afterEach(() => v.setNow(undefined));

  /** A customer pays in the fields with a new card; answers the charge id (also for a decline). */
  async function pay(customer: string, options: { number?: string; amount?: number; order?: string; save?: boolean } = {}) {
    const s = await openSession(v, { customer, amount: options.amount ?? 1999, ...(options.order ? { order: options.order } : {}) });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(options.number ?? CARDS.visa), save: options.save ?? false });
    const charges = await v.api('GET', `/v1/charges?customer=${customer}&limit=1`);
    return { res, session: s.id, charge: charges.body.data[0]?.id as string };
  }

  const refund = (charge: string, body: Record<string, unknown> = {}, key?: string) => v.api('POST', `/v1/charges/${charge}/refunds`, { body, key });

  describe('GET /v1/charges/:id', () => {
    it('shows a customer-initiated payment with every field of the contract', async () => {
      const { res, charge } = await pay('c-fields', { order: 'ORD-1', save: true });
      expect(res.status).toBe(200);
      const read = await v.api('GET', `/v1/charges/${charge}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        id: charge,
        status: 'succeeded',
        amount: 1999,
        currency: 'USD',
        customer: 'c-fields',
        card: res.body.card.token,
        order: 'ORD-1',
        initiator: 'customer',
        network_transaction_id: expect.any(String),
        created: expect.any(String),
      });
      expect(charge).toMatch(/^ch_/);
      expect(res.body.charge).toBe(charge);
      expect(read.body.network_transaction_id.length).toBeGreaterThan(0);
      expect(new Date(read.body.created).toISOString()).toBe(read.body.created);
      expect(read.body.failure ?? null).toBeNull();
      expect(read.body.mandate ?? null).toBeNull();
      expect(read.text).not.toContain(CARDS.visa);
    });

    it('is the charge the session names once it is complete', async () => {
      const { session, charge } = await pay('c-session-charge');
      const s = await v.api('GET', `/v1/sessions/${session}`);
      expect(s.body.charge).toBe(charge);
    });

    it('answers an unknown charge id with 404 resource_missing', async () => {
      const res = await v.api('GET', '/v1/charges/ch_doesnotexist');
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
    });
  });

  describe('declined payments', () => {
    it('records a declined payment and lists it as failed with failure.code', async () => {
      const { res, charge } = await pay('c-declined', { number: CARDS.declined });
      expect(res.status).toBe(402);
      expect(charge).toMatch(/^ch_/);
      const read = await v.api('GET', `/v1/charges/${charge}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: charge, status: 'failed', amount: 1999, currency: 'USD', customer: 'c-declined', initiator: 'customer' });
      expect(read.body.failure).toMatchObject({ code: 'card_declined', message: expect.any(String) });
      const listed = await v.api('GET', '/v1/charges?customer=c-declined');
      expect(listed.body.data).toHaveLength(1);
      expect(listed.body.data[0]).toMatchObject({ id: charge, status: 'failed', failure: { code: 'card_declined' } });
      expect(listed.text).not.toContain(CARDS.declined);
    });

    it('records insufficient funds with its own failure code', async () => {
      const { charge } = await pay('c-insufficient', { number: CARDS.insufficient });
      const read = await v.api('GET', `/v1/charges/${charge}`);
      expect(read.body).toMatchObject({ status: 'failed', failure: { code: 'insufficient_funds' } });
    });
  });

  describe('GET /v1/charges?customer=', () => {
    it("lists the customer's charges newest first, paged with limit, starting_after and has_more", async () => {
      const base = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        v.setNow(new Date(base + i * 1000));
        ids.push((await pay('c-pages', { amount: 100 + i })).charge);
      }
      v.setNow(undefined);
      const newestFirst = [...ids].reverse();

      const all = await v.api('GET', '/v1/charges?customer=c-pages');
      expect(all.status).toBe(200);
      expect(all.body.data.map((c: any) => c.id)).toEqual(newestFirst);
      expect(all.body.has_more).toBe(false);

      const page1 = await v.api('GET', '/v1/charges?customer=c-pages&limit=2');
      expect(page1.body.data.map((c: any) => c.id)).toEqual(newestFirst.slice(0, 2));
      expect(page1.body.has_more).toBe(true);
      const page2 = await v.api('GET', `/v1/charges?customer=c-pages&limit=2&starting_after=${page1.body.data[1].id}`);
      expect(page2.body.data.map((c: any) => c.id)).toEqual(newestFirst.slice(2, 4));
      expect(page2.body.has_more).toBe(true);
      const page3 = await v.api('GET', `/v1/charges?customer=c-pages&limit=2&starting_after=${page2.body.data[1].id}`);
      expect(page3.body.data.map((c: any) => c.id)).toEqual(newestFirst.slice(4));
      expect(page3.body.has_more).toBe(false);
    });

    it('keeps newest first for charges made within the same millisecond', async () => {
      v.setNow(new Date());
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await pay('c-same-ms', { amount: 200 + i })).charge);
      v.setNow(undefined);
      // pay() finds each charge as the newest of the customer's list, so read the amounts instead.
      const res = await v.api('GET', '/v1/charges?customer=c-same-ms');
      expect(res.body.data.map((c: any) => c.amount)).toEqual([203, 202, 201, 200]);
    });

    it("lists only the asked customer's charges", async () => {
      const mine = await pay('c-list-a');
      await pay('c-list-b');
      const res = await v.api('GET', '/v1/charges?customer=c-list-a');
      expect(res.body.data.map((c: any) => c.id)).toEqual([mine.charge]);
    });

    it('answers a customer without charges with an empty page', async () => {
      const res = await v.api('GET', '/v1/charges?customer=c-no-charges');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ data: [], has_more: false });
    });

    it('refuses a limit out of range, naming it', async () => {
      for (const limit of ['0', '-1', 'abc', '1000']) {
        const res = await v.api('GET', `/v1/charges?customer=c-pages&limit=${limit}`);
        expect(res.status, limit).toBe(400);
        expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'limit' });
      }
    });
  });

  describe('POST /v1/charges/:id/refunds', () => {
    it('refunds part of a charge, then the rest by default', async () => {
      const { charge } = await pay('c-refund');
      const part = await refund(charge, { amount: 500 });
      expect([200, 201]).toContain(part.status);
      expect(part.body).toMatchObject({ charge, amount: 500, status: 'succeeded' });
      expect(part.body.id).toMatch(/^re_/);
      const rest = await refund(charge);
      expect([200, 201]).toContain(rest.status);
      expect(rest.body).toMatchObject({ charge, amount: 1499, status: 'succeeded' });
      expect(rest.body.id).not.toBe(part.body.id);
    });

    it('refunds the whole charge when no amount is given', async () => {
      const { charge } = await pay('c-refund-all', { amount: 2500 });
      const res = await refund(charge);
      expect([200, 201]).toContain(res.status);
      expect(res.body).toMatchObject({ charge, amount: 2500, status: 'succeeded' });
    });

    it('refuses a refund larger than the charge with 400', async () => {
      const { charge } = await pay('c-refund-over');
      const res = await refund(charge, { amount: 2000 });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'amount' });
      // Nothing was refunded: the whole charge is still there to refund.
      const all = await refund(charge);
      expect(all.body.amount).toBe(1999);
    });

    it('refuses a refund larger than what is left after earlier refunds', async () => {
      const { charge } = await pay('c-refund-left');
      await refund(charge, { amount: 1500 });
      const res = await refund(charge, { amount: 500 });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'amount' });
      const rest = await refund(charge, { amount: 499 });
      expect(rest.body).toMatchObject({ amount: 499, status: 'succeeded' });
    });

    it('refuses any refund of a fully refunded charge with 400', async () => {
      const { charge } = await pay('c-refund-done');
      await refund(charge);
      for (const body of [{}, { amount: 1 }]) {
        const res = await refund(charge, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.type).toBe('invalid_request_error');
      }
    });

    it('refuses to refund a failed charge with 400', async () => {
      const { charge } = await pay('c-refund-failed', { number: CARDS.declined });
      const res = await refund(charge);
      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
      const partial = await refund(charge, { amount: 100 });
      expect(partial.status).toBe(400);
    });

    it('refuses a zero, negative or fractional amount, naming it', async () => {
      const { charge } = await pay('c-refund-amount');
      for (const amount of [0, -100, 10.5, '100']) {
        const res = await refund(charge, { amount });
        expect(res.status, String(amount)).toBe(400);
        expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'amount' });
      }
    });

    it('never refunds more than the charge, even under 10 concurrent refunds', async () => {
      const { charge } = await pay('c-refund-race', { amount: 1999 });
      const results = await Promise.all(Array.from({ length: 10 }, () => refund(charge, { amount: 300 })));
      for (const r of results) expect([200, 201, 400, 409]).toContain(r.status);
      const succeeded = results.filter((r) => r.status < 300 && r.body.status === 'succeeded');
      const total = succeeded.reduce((sum, r) => sum + r.body.amount, 0);
      expect(succeeded.length).toBeGreaterThan(0);
      expect(total).toBeLessThanOrEqual(1999);
      expect(new Set(succeeded.map((r) => r.body.id)).size).toBe(succeeded.length);
      // What is left is exactly the charge minus the refunds that went through.
      const rest = await refund(charge);
      expect(rest.body).toMatchObject({ amount: 1999 - total, status: 'succeeded' });
      expect((await refund(charge, { amount: 1 })).status).toBe(400);
    });

    it('answers a refund of an unknown charge with 404', async () => {
      const res = await refund('ch_doesnotexist', { amount: 100 });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'resource_missing' });
    });
  });

  describe('POST /v1/charges', () => {
    it('requires an Idempotency-Key: 400 parameter_missing', async () => {
      const card = await saveCardFor(v, 'c-mit-key');
      const res = await v.api('POST', '/v1/charges', { body: { customer: 'c-mit-key', card, amount: 500, currency: 'USD' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing' });
    });

    it('refuses a merchant-initiated charge without a mandate with 402 mandate_violation and records no charge', async () => {
      const card = await saveCardFor(v, 'c-mit');
      const before = await v.api('GET', '/v1/charges?customer=c-mit');
      const res = await v.api('POST', '/v1/charges', {
        body: { customer: 'c-mit', card, amount: 500, currency: 'USD', order: 'SUB-1' },
        headers: { 'idempotency-key': 'mit-no-mandate-1' },
      });
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'mandate_violation' });
      const after = await v.api('GET', '/v1/charges?customer=c-mit');
      expect(after.body.data.map((c: any) => c.id)).toEqual(before.body.data.map((c: any) => c.id));
    });

    it('refuses a mandate id that names no live mandate with 402 mandate_violation', async () => {
      const card = await saveCardFor(v, 'c-mit-fake');
      const res = await v.api('POST', '/v1/charges', {
        body: { customer: 'c-mit-fake', card, amount: 500, currency: 'USD', mandate: 'mdt_doesnotexist' },
        headers: { 'idempotency-key': 'mit-fake-mandate-1' },
      });
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'mandate_violation' });
    });

    it('refuses a missing amount or a lower-case currency, naming the parameter', async () => {
      const card = await saveCardFor(v, 'c-mit-params');
      const noAmount = await v.api('POST', '/v1/charges', {
        body: { customer: 'c-mit-params', card, currency: 'USD' },
        headers: { 'idempotency-key': 'mit-params-1' },
      });
      expect(noAmount.status).toBe(400);
      expect(noAmount.body.error).toMatchObject({ code: 'parameter_missing', param: 'amount' });
      const lower = await v.api('POST', '/v1/charges', {
        body: { customer: 'c-mit-params', card, amount: 5, currency: 'usd' },
        headers: { 'idempotency-key': 'mit-params-2' },
      });
      expect(lower.body.error).toMatchObject({ code: 'parameter_invalid', param: 'currency' });
    });

    it('answers a card of another merchant group as a missing one', async () => {
      const card = await saveCardFor(v, 'c-mit-foreign');
      const stranger = await v.newMerchant();
      const res = await v.api('POST', '/v1/charges', {
        key: stranger.secret_key,
        body: { customer: 'c-mit-foreign', card, amount: 500, currency: 'USD', mandate: 'mdt_x' },
        headers: { 'idempotency-key': 'mit-foreign-1' },
      });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
    });
  });

  describe('merchant groups', () => {
    it('answers a charge of another group exactly as a missing one, for reading and refunding', async () => {
      const { charge } = await pay('c-foreign');
      const stranger = await v.newMerchant();
      const foreign = await v.api('GET', `/v1/charges/${charge}`, { key: stranger.secret_key });
      const missing = await v.api('GET', '/v1/charges/ch_doesnotexist', { key: stranger.secret_key });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(missing.body);

      const foreignRefund = await refund(charge, { amount: 100 }, stranger.secret_key);
      expect(foreignRefund.status).toBe(404);
      expect(foreignRefund.body.error).toMatchObject({ code: 'resource_missing' });
      // The stranger's attempt left the whole charge to refund.
      expect((await refund(charge)).body.amount).toBe(1999);
    });

    it("does not list another group's charges", async () => {
      await pay('c-foreign-list');
      const stranger = await v.newMerchant();
      const res = await v.api('GET', '/v1/charges?customer=c-foreign-list', { key: stranger.secret_key });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([]);
      const everything = await v.api('GET', '/v1/charges', { key: stranger.secret_key });
      expect(everything.body.data).toEqual([]);
    });
  });
});
