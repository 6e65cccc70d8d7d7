// A charge records the processor that took it (migration 0022), and its refunds go to that processor
// only: after the shop changes processor, a refund of an earlier charge is refused with 400 before
// anything is written or sent. A charge recorded before (processor NULL) is refunded as it was, through
// the shop's processor of the moment. The API's view of a charge does not show the processor.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSchedulerPass } from '../../server/jobs/scheduler.ts';
import type { RefundRequest } from '../../server/payments/processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startFakeAdyen, type FakeAdyen } from '../helpers/fake-adyen.ts';
import { startFakeStripe, type FakeStripe } from '../helpers/fake-stripe.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, startTestVault, type Shop, type TestVault } from '../helpers/test-vault.ts';

const nextYear = new Date().getUTCFullYear() + 1;

describeEachDb('the processor that took a charge', (target) => {
  let stripe: FakeStripe;
  let adyen: FakeAdyen;
  let v: TestVault;
  /** Every refund the simulated processor is asked for. */
  const simulatedRefunds: RefundRequest[] = [];
  let n = 0;
  const key = (p: string) => `${p}-${target}-${++n}-${crypto.randomBytes(3).toString('hex')}`;

  const settings = {
    simulated: () => ({ processor: { type: 'simulated' } }),
    stripe: () => ({ processor: { type: 'stripe', secret_key: stripe.secretKey, webhook_secret: stripe.webhookSecret } }),
    adyen: () => ({
      processor: { type: 'adyen', api_key: adyen.apiKey, merchant_account: adyen.merchantAccount, environment: 'test', hmac_key: adyen.hmacKey },
    }),
  };
  type Kind = keyof typeof settings;

  async function shopOn(kind: Kind): Promise<Shop> {
    return newShop(v, { settings: { frame_limit_per_address: 0, ...settings[kind]() } });
  }
  async function switchTo(shop: Shop, kind: Kind) {
    const res = await shop.api('POST', '/v1/merchant', settings[kind]());
    expect(res.status, res.text).toBe(200);
  }
  /** A customer's payment with a new card through the shop's processor of the moment. */
  async function paid(shop: Shop, amount = 2000, number: string = CARDS.visa) {
    const s = await openSession(v, { amount }, shop.secret_key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number) });
    if (number === CARDS.visa && res.status !== 200) throw new Error(`not paid: ${res.text}`);
    return res;
  }
  const chargeRow = (id: string) => v.runtime.deps.db.selectFrom('charges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const refundRows = (charge: string) => v.runtime.deps.db.selectFrom('refunds').selectAll().where('charge_id', '=', charge).execute();
  const stripeRefunds = () => stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds').length;
  const adyenRefunds = () => adyen.requestsTo(/\/refunds$/).length;
  const refund = (shop: Shop, charge: string, body: Record<string, unknown> = {}, idempotencyKey?: string) =>
    shop.api('POST', `/v1/charges/${charge}/refunds`, body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined);

  beforeAll(async () => {
    stripe = await startFakeStripe();
    adyen = await startFakeAdyen();
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorBaseUrls: { stripe: stripe.url, adyen: adyen.url }, processorTimeoutMs: 1500 });
    const processor = v.runtime.deps.processor;
    const real = processor.refund.bind(processor);
    processor.refund = async (request) => {
      simulatedRefunds.push({ ...request });
      return real(request);
    };
  });
  afterAll(async () => {
    v?.setNow(undefined);
    await v?.close();
    await stripe?.close();
    await adyen?.close();
  });

  it("a new charge records its processor's type, approved or declined, in a checkout or under a mandate; the API does not show it", async () => {
    for (const kind of ['simulated', 'stripe', 'adyen'] as const) {
      const shop = await shopOn(kind);
      const ok = await paid(shop);
      expect((await chargeRow(ok.body.charge)).processor).toBe(kind);
      const declined = await paid(shop, 1500, CARDS.declined);
      expect(declined.status, declined.text).toBe(402);
      expect((await chargeRow(declined.body.error.charge)).processor).toBe(kind);
      const view = await shop.api('GET', `/v1/charges/${ok.body.charge}`);
      expect(view.status).toBe(200);
      expect(view.body).not.toHaveProperty('processor');
      expect(JSON.stringify(view.body)).not.toContain(`"${kind}"`);
    }

    // A merchant-initiated charge (the simulated processor: the mandate's card is saved in its checkout).
    const shop = await shopOn('simulated');
    const s = await openSession(
      v,
      {
        customer: 'cp-mit',
        mode: 'setup',
        amount: undefined,
        recurring: { min_amount: 500, max_amount: 2000, frequency_days: 0, end_date: `${nextYear}-12-31` },
      },
      shop.secret_key,
    );
    const setup = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true, consent_text: 'I agree' });
    expect(setup.status, setup.text).toBe(200);
    const mit = await shop.api(
      'POST',
      '/v1/charges',
      { customer: 'cp-mit', card: setup.body.card.token, amount: 1200, currency: 'USD', mandate: setup.body.mandate },
      { 'idempotency-key': key('mit') },
    );
    expect(mit.status, mit.text).toBe(201);
    expect((await chargeRow(mit.body.id)).processor).toBe('simulated');
  });

  it('after the shop moves from Stripe to Adyen, a refund of a Stripe charge is refused with 400 naming Stripe: nothing written, nothing sent', async () => {
    const shop = await shopOn('stripe');
    const { charge } = (await paid(shop, 2500)).body as { charge: string };
    await switchTo(shop, 'adyen');
    const [toStripe, toAdyen] = [stripeRefunds(), adyenRefunds()];
    for (const res of [await refund(shop, charge, { amount: 1000 }), await refund(shop, charge, {}, key('moved'))]) {
      expect(res.status, res.text).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'id' });
      expect(res.body.error.message).toBe("This charge was taken through stripe; the shop now uses adyen: refund it in stripe's dashboard");
    }
    expect(await refundRows(charge)).toEqual([]);
    expect((await chargeRow(charge)).amount_refunded).toBe(0);
    expect([stripeRefunds(), adyenRefunds()]).toEqual([toStripe, toAdyen]);
    expect((await shop.api('GET', `/v1/charges/${charge}/refunds`)).body.data).toEqual([]);
  });

  it('a charge taken by the simulated processor is not refunded through Stripe once the shop uses it, nor by the simulated one', async () => {
    const shop = await shopOn('simulated');
    const { charge } = (await paid(shop)).body as { charge: string };
    await switchTo(shop, 'stripe');
    const [toStripe, toSimulated] = [stripeRefunds(), simulatedRefunds.length];
    const res = await refund(shop, charge);
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'id' });
    expect(res.body.error.message).toContain('taken through the simulated processor; the shop now uses stripe');
    expect(await refundRows(charge)).toEqual([]);
    expect([stripeRefunds(), simulatedRefunds.length]).toEqual([toStripe, toSimulated]);
  });

  it('a refund left pending at Stripe (its answer lost) is not sent to Adyen after the switch, by a retry or by the scheduler', async () => {
    const t0 = Date.now();
    v.setNow(new Date(t0));
    try {
      const shop = await shopOn('stripe');
      const { charge } = (await paid(shop, 3000)).body as { charge: string };
      const k = key('lost');
      // Never reached Stripe: its outcome is unknown to the vault, which keeps it pending.
      stripe.dropNext({ afterOperating: false, count: 2, match: { method: 'POST', path: /^\/v1\/refunds$/ } });
      expect((await refund(shop, charge, { amount: 1000 }, k)).status).toBe(502);
      await switchTo(shop, 'adyen');
      const toAdyen = adyenRefunds();
      const retry = await refund(shop, charge, { amount: 1000 }, k);
      expect(retry.status, retry.text).toBe(400);
      expect(retry.body.error).toMatchObject({ code: 'parameter_invalid', param: 'id' });
      v.setNow(new Date(t0 + 5 * 60_000));
      await runSchedulerPass(v.runtime.deps);
      expect(adyenRefunds()).toBe(toAdyen);
      expect((await refundRows(charge)).map((r) => r.status)).toEqual(['pending']);
    } finally {
      v.setNow(undefined);
    }
  });

  it('a refund through the processor that took the charge still works, after the shop re-sets it or comes back to it', async () => {
    const simulated = await shopOn('simulated');
    const first = (await paid(simulated)).body.charge as string;
    const before = simulatedRefunds.length;
    const res = await refund(simulated, first, { amount: 500 });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ amount: 500, status: 'succeeded' });
    expect(simulatedRefunds.length).toBe(before + 1);

    const shop = await shopOn('stripe');
    const { charge } = (await paid(shop, 2500)).body as { charge: string };
    // The same processor with its settings set again, then another one and back: the charge's own.
    await switchTo(shop, 'stripe');
    const toStripe = stripeRefunds();
    const again = await refund(shop, charge, { amount: 1000 }, key('same'));
    expect(again.status, again.text).toBe(201);
    expect(again.body).toMatchObject({ amount: 1000, status: 'succeeded' });
    await switchTo(shop, 'adyen');
    expect((await refund(shop, charge, { amount: 500 })).status).toBe(400);
    await switchTo(shop, 'stripe');
    const back = await refund(shop, charge, { amount: 500 });
    expect(back.status, back.text).toBe(201);
    expect(stripeRefunds()).toBe(toStripe + 2);
    expect((await refundRows(charge)).map((r) => [r.amount, r.status]).sort()).toEqual([
      [1000, 'succeeded'],
      [500, 'succeeded'],
    ]);
    expect((await chargeRow(charge)).amount_refunded).toBe(1500);
  });

  it("a charge recorded before charges kept their processor (NULL) is refunded through the shop's processor of the moment, as before", async () => {
    const shop = await shopOn('simulated');
    const { charge } = (await paid(shop)).body as { charge: string };
    await v.runtime.deps.db.updateTable('charges').set({ processor: null }).where('id', '=', charge).execute();
    const before = simulatedRefunds.length;
    const res = await refund(shop, charge, { amount: 700 });
    expect(res.status, res.text).toBe(201);
    expect(simulatedRefunds.length).toBe(before + 1);

    // Unknown, so not refused after a change of processor: the refund goes to the new one (README, Known limits).
    await switchTo(shop, 'stripe');
    const toStripe = stripeRefunds();
    const moved = await refund(shop, charge, { amount: 300 });
    // Stripe never took that payment: it refuses the refund, which is recorded failed.
    expect(moved.status, moved.text).toBe(201);
    expect(moved.body).toMatchObject({ amount: 300, status: 'failed' });
    expect(stripeRefunds()).toBeGreaterThan(toStripe);
    expect(simulatedRefunds.length).toBe(before + 1);
  });
});
