// Money and abuse safety under concurrency and crashes: each case is one a reviewer demonstrated.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { releaseRefund } from '../../server/charges/charge-store.ts';
import { failRefund } from '../../server/refunds/refund-status.ts';
import { CARDS, newCard, newShop, openSession, saveCardFor, startTestVault, type TestVault, LIFTABLE_LIMITS } from '../helpers/test-vault.ts';

describeEachDb('payment safety', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0 } });
  });
  afterAll(() => v.close());

  const ledger = async (prefix: string) =>
    (await v.runtime.deps.db.selectFrom('simulated_operations').select('reference').where('reference', 'like', `${prefix}%`).execute()).length;

  it('records every charge when one customer pays with the same new card in several sessions at once', async () => {
    await saveCardFor(v, 'same-card', CARDS.mastercard);
    const sessions = await Promise.all(Array.from({ length: 6 }, () => openSession(v, { customer: 'same-card' })));
    const replies = await Promise.all(sessions.map((s) => v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true })));
    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(200));
    const charges = await v.api('GET', '/v1/charges?customer=same-card&limit=100');
    expect(charges.body.data.filter((c: any) => c.status === 'succeeded')).toHaveLength(7);
    const cards = await v.api('GET', '/v1/customers/same-card/cards');
    expect(cards.body.data.map((c: any) => c.last4).sort()).toEqual(['4242', '4444']);
  });

  it('never lets concurrent payments of one customer pass the daily limit together', async () => {
    await v.api('POST', '/v1/customers/limited', { body: { limits: { daily: 3000 } } });
    const sessions = await Promise.all(Array.from({ length: 6 }, () => openSession(v, { customer: 'limited', amount: 1000 })));
    const replies = await Promise.all(sessions.map((s) => v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(3);
    expect(replies.filter((r) => r.status === 402).every((r) => r.body.error.code === 'limit_exceeded')).toBe(true);
  });

  it('never lets concurrent confirmations past the limit of five failures', async () => {
    const s = await openSession(v);
    await Promise.all(Array.from({ length: 30 }, () => v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.declined) })));
    expect(await ledger(s.id)).toBeLessThanOrEqual(5);
    const after = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    if (after.status !== 429) {
      // Fewer than five got through the race; the session is then still usable, which is fine.
      expect(after.status).toBe(200);
    }
  });

  it('never grants more than three guesses of a 3-D Secure code, even at once', async () => {
    const s = await openSession(v);
    const first = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge) });
    const id = first.body.next_action.challenge;
    await Promise.all(Array.from({ length: 20 }, () => v.frame(`/frame/v1/challenges/${id}`, s.secret, { code: '000000' })));
    const right = await v.frame(`/frame/v1/challenges/${id}`, s.secret, { code: '123456' });
    expect(right.body.status).toBe('failed');
    const row = await v.runtime.deps.db.selectFrom('challenges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(3);
  });

  it('counts each 3-D Secure challenge as an attempt, so live cards cannot be probed endlessly', async () => {
    const strict = await v.newMerchant();
    await v.api('POST', '/v1/merchant', { key: strict.secret_key, body: { three_d_secure: 'always', rate_limit: 0, frame_limit_per_address: 0 } });
    const s = await openSession(v, {}, strict.secret_key);
    for (let i = 0; i < 5; i++) expect((await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) })).body.status).toBe('requires_action');
    const sixth = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    expect(sixth.status).toBe(429);
  });

  it('settles a payment whose vault died after the processor approved it: recorded once, never charged again', async () => {
    const s = await openSession(v, { customer: 'crash-1', amount: 777 });
    const { db } = v.runtime.deps;
    const ref = `${s.id}:crashed`;
    const attempt = { ref, card: { brand: 'visa', bin: '424242', last4: '4242', exp_month: 12, exp_year: 2031 }, token: null, save: true, challenge: null };
    // The vault claimed the session and the processor took the money; then the process died.
    await db
      .updateTable('sessions')
      .set({ status: 'processing', attempt: JSON.stringify(attempt), processing_since: new Date().toISOString() })
      .where('id', '=', s.id)
      .execute();
    await db
      .insertInto('simulated_operations')
      .values({
        reference: ref,
        kind: 'authorize',
        result: JSON.stringify({ outcome: 'approved', processor_id: 'sim_x', network_transaction_id: 'ntid_x' }),
        created_at: new Date().toISOString(),
      })
      .execute();

    const early = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    expect(early.body.error.code).toBe('request_in_progress');
    v.setNow(new Date(Date.now() + 61_000));
    const read = await v.api('GET', `/v1/sessions/${s.id}`);
    const retry = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    v.setNow(undefined);
    expect(read.body).toMatchObject({ status: 'complete', card: { last4: '4242' }, saved: false });
    expect(retry.status).toBe(410);
    const charges = await v.api('GET', '/v1/charges?customer=crash-1');
    expect(charges.body.data).toHaveLength(1);
    expect(charges.body.data[0]).toMatchObject({ id: read.body.charge, amount: 777, status: 'succeeded' });
  });

  it('reopens a session whose vault died before the processor saw the payment', async () => {
    const s = await openSession(v, { customer: 'crash-2' });
    const attempt = {
      ref: `${s.id}:never-sent`,
      card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 },
      token: null,
      save: false,
      challenge: null,
    };
    await v.runtime.deps.db
      .updateTable('sessions')
      .set({ status: 'processing', attempt: JSON.stringify(attempt), processing_since: new Date().toISOString() })
      .where('id', '=', s.id)
      .execute();
    v.setNow(new Date(Date.now() + 61_000));
    const retry = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    v.setNow(undefined);
    expect(retry.status).toBe(200);
    expect((await v.api('GET', '/v1/charges?customer=crash-2')).body.data).toHaveLength(1);
  });

  it('keeps a refund pending when the processor cannot be reached, and settles it once on retry', async () => {
    await saveCardFor(v, 'refund-retry');
    const charge = (await v.api('GET', '/v1/charges?customer=refund-retry')).body.data[0];
    const processor = v.runtime.deps.processor;
    const real = processor.refund.bind(processor);
    processor.refund = async () => {
      throw new Error('connection reset');
    };
    const failed = await v.api('POST', `/v1/charges/${charge.id}/refunds`, { body: { amount: 300 }, headers: { 'idempotency-key': 'r-1' } });
    processor.refund = real;
    expect(failed.status).toBe(502);
    expect((await v.api('GET', `/v1/charges/${charge.id}`)).body.amount_refunded).toBe(300);
    const retried = await v.api('POST', `/v1/charges/${charge.id}/refunds`, { body: { amount: 300 }, headers: { 'idempotency-key': 'r-1' } });
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ amount: 300, status: 'succeeded' });
    expect((await v.api('GET', `/v1/charges/${charge.id}`)).body.amount_refunded).toBe(300);
    expect(await ledger(`refund:`)).toBe(1);
  });

  it('answers a refund with the outcome that was recorded when another request settled it first', async () => {
    await saveCardFor(v, 'refund-race');
    const charge = (await v.api('GET', '/v1/charges?customer=refund-race')).body.data[0];
    const processor = v.runtime.deps.processor;
    const real = processor.refund.bind(processor);
    // While this request waits for the processor, another one records the refund as failed (and gives
    // the amount back); this one then hears "succeeded", which must not be what it reports.
    processor.refund = async (req) => {
      const db = v.runtime.deps.db;
      const row = await db.selectFrom('refunds').select(['id', 'amount']).where('processor_ref', '=', req.reference).executeTakeFirstOrThrow();
      await db.transaction().execute(async (trx) => {
        expect(await failRefund(trx, row.id, null)).toBe(true);
        await releaseRefund(trx, charge.id, row.amount);
      });
      return real(req);
    };
    const reply = await v.api('POST', `/v1/charges/${charge.id}/refunds`, { body: { amount: 300 }, headers: { 'idempotency-key': 'race-1' } });
    processor.refund = real;
    expect(reply.body).toMatchObject({ amount: 300, status: 'failed' });
    expect((await v.api('GET', `/v1/charges/${charge.id}`)).body.amount_refunded).toBe(0);
  });

  it("keeps one merchant from reading or refunding another merchant's charges in the same group", async () => {
    await saveCardFor(v, 'shared-group');
    const charge = (await v.api('GET', '/v1/charges?customer=shared-group')).body.data[0];
    const sibling = await v.newMerchant({ group: v.merchant.group });
    expect((await v.api('GET', `/v1/charges/${charge.id}`, { key: sibling.secret_key })).status).toBe(404);
    expect((await v.api('POST', `/v1/charges/${charge.id}/refunds`, { key: sibling.secret_key })).status).toBe(404);
    // Customers and their cards are shared inside the group, as the contract says.
    expect((await v.api('GET', '/v1/customers/shared-group/cards', { key: sibling.secret_key })).body.data).toHaveLength(1);
  });

  it("keeps a sister shop of the group from charging or cancelling another shop's mandate", async () => {
    const s = await openSession(v, {
      customer: 'agreement',
      mode: 'setup',
      amount: undefined,
      recurring: { min_amount: 100, max_amount: 5000, frequency_days: 0, end_date: `${new Date().getUTCFullYear() + 1}-12-31` },
    });
    const saved = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true, consent_text: 'I agree to Test shop' });
    const mandate = saved.body.mandate as string;
    expect(mandate).toMatch(/^mdt_/);
    const sister = await v.newMerchant({ group: v.merchant.group });
    const charge = await v.api('POST', '/v1/charges', {
      key: sister.secret_key,
      body: { customer: 'agreement', card: saved.body.card.token, amount: 500, currency: 'USD', mandate },
      headers: { 'idempotency-key': 'sister-1' },
    });
    expect(charge.status).toBe(402);
    expect(charge.body.error.code).toBe('mandate_violation');
    expect((await v.api('DELETE', `/v1/mandates/${mandate}`, { key: sister.secret_key })).status).toBe(404);
    expect((await v.api('GET', '/v1/customers/agreement/mandates', { key: sister.secret_key })).body.data).toEqual([]);
    const own = await v.api('POST', '/v1/charges', {
      body: { customer: 'agreement', card: saved.body.card.token, amount: 500, currency: 'USD', mandate },
      headers: { 'idempotency-key': 'own-1' },
    });
    expect(own.status).toBe(201);
  });

  it('answers a NUL byte in any text with a 400, not a 500', async () => {
    const res = await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD', order: 'a\u0000b' } });
    expect(res.status).toBe(400);
    const path = await v.api('GET', '/v1/charges/ch_%00');
    expect(path.status).toBe(400);
  });

  it('replays an idempotent response with the same security headers', async () => {
    const first = await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD' }, headers: { 'idempotency-key': 'hdr' } });
    const again = await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD' }, headers: { 'idempotency-key': 'hdr' } });
    for (const h of ['x-content-type-options', 'content-security-policy', 'cache-control']) expect(again.headers.get(h)).toBe(first.headers.get(h));
  });

  it('shows at most the first three digits of a 12-digit card', async () => {
    // No test card is this short: a shop on a provider's test account, whose imports are its provider's to judge.
    const shop = await newShop(v);
    expect((await shop.api('POST', '/v1/merchant', { processor: { type: 'stripe', secret_key: 'sk_test_local_provider_account' } })).status).toBe(200);
    const res = await shop.api('POST', '/v1/customers/short-pan/cards', { number: '501800000009', exp_month: 12, exp_year: new Date().getUTCFullYear() + 2 });
    expect(res.status).toBe(201);
    expect(res.body.bin.length).toBeLessThanOrEqual(3);
    expect(res.text).not.toContain('501800');
  });

  it('serves its pages with a referrer policy that keeps the Origin header on its own form posts', async () => {
    const s = await openSession(v);
    const first = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge) });
    const page = await v.api('GET', `/frame/3ds/${first.body.next_action.challenge}`, { key: '' });
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
  });
});
