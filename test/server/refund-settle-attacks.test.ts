// Attacks on the settling of refunds left pending (settleAbandonedRefunds, from the next refund of a
// charge and from the scheduler's pass) and on the provider notifications refused while such a refund
// waits: starvation of one merchant's refunds by another's, races between settle and a notification,
// concurrent settles, the scheduler's scope, and the 23 h boundary. Each test asserts the safe outcome.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSchedulerPass } from '../../server/jobs/scheduler.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startFakeStripe, type FakeStripe } from '../helpers/fake-stripe.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const TIMEOUT_MS = 1500;
const MIN = 60_000;
const HOUR = 60 * MIN;

describeEachDb('refund settle attacks', (target) => {
  let n = 0;
  const key = (p: string) => `${p}-${target}-${++n}-${crypto.randomBytes(3).toString('hex')}`;
  let fake: FakeStripe;
  let v: TestVault;

  async function paid(amount: number, secretKey?: string) {
    const s = await openSession(v, { amount }, secretKey);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    if (res.status !== 200) throw new Error(`not paid: ${res.text}`);
    const row = await v.runtime.deps.db.selectFrom('charges').select('processor_id').where('id', '=', res.body.charge).executeTakeFirstOrThrow();
    return { charge: res.body.charge as string, payment: row.processor_id! };
  }
  const chargeRow = (id: string) => v.runtime.deps.db.selectFrom('charges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const refundRows = (charge: string) => v.runtime.deps.db.selectFrom('refunds').selectAll().where('charge_id', '=', charge).orderBy('created_at').execute();
  async function events(type: string, charge: string, secretKey?: string) {
    const list = (await v.api('GET', `/v1/events?type=${type}&limit=100`, { key: secretKey })).body.data as any[];
    return list.filter((e) => e.data.charge === charge).reverse();
  }
  const deliver = (merchant: string, signed: { body: string; headers: Record<string, string> }) =>
    v.api('POST', `/processor-webhooks/${merchant}`, { raw: signed.body, headers: signed.headers, key: '' });
  const atStripe = (payment: string) => [...fake.refunds.values()].filter((r) => r.payment_intent === payment);
  /** A refund without a key whose answer Stripe made but the vault never heard. */
  async function lostRefund(charge: string, amount: number, secretKey?: string) {
    fake.dropNext({ afterOperating: true, count: 2, match: { method: 'POST', path: /^\/v1\/refunds$/ } });
    const res = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount }, key: secretKey });
    expect(res.status, res.text).toBe(502);
  }
  /** Stripe's event that the refund failed, signed, the fake's ledger left as it was answered. */
  const refundFailedEvent = (refundId: string, type: 'refund.failed' | 'refund.updated' | 'charge.refund.updated' = 'refund.failed') =>
    fake.signed(fake.events.refundFailed(refundId, type, { keepLedger: true }));
  const stripeSettings = (secret = fake.secretKey) => ({ processor: { type: 'stripe', secret_key: secret, webhook_secret: fake.webhookSecret } });

  beforeAll(async () => {
    fake = await startFakeStripe();
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorBaseUrls: { stripe: fake.url }, processorTimeoutMs: TIMEOUT_MS });
    const set = await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0, ...stripeSettings() } });
    if (set.status !== 200) throw new Error(set.text);
  });
  afterAll(async () => {
    v?.setNow(undefined);
    await v?.close();
    await fake?.close();
  });

  it("a merchant's own scheduler run settles only its own abandoned refunds, not another merchant's", async () => {
    const t0 = Date.now();
    v.setNow(new Date(t0));
    try {
      const other = await newShop(v, { settings: { frame_limit_per_address: 0, ...stripeSettings() } });
      const theirs = await paid(2000, other.secret_key);
      await lostRefund(theirs.charge, 500, other.secret_key);
      v.setNow(new Date(t0 + 5 * MIN));
      expect((await v.api('POST', '/v1/scheduler/run', { body: {} })).status).toBe(200);
      expect((await refundRows(theirs.charge)).map((r) => r.status)).toEqual(['pending']);
      expect(await events('charge.refunded', theirs.charge, other.secret_key)).toEqual([]);
      expect(await events('charge.refunded', theirs.charge)).toEqual([]);
    } finally {
      v.setNow(undefined);
    }
  });

  it('two passes at once (two instances) and a retry of the next refund settle one pending refund once: one event, amount counted once', async () => {
    const t0 = Date.now();
    v.setNow(new Date(t0));
    try {
      const { charge, payment } = await paid(3000);
      await lostRefund(charge, 1000);
      v.setNow(new Date(t0 + 5 * MIN));
      const [a, b, c] = await Promise.all([
        runSchedulerPass(v.runtime.deps),
        runSchedulerPass(v.runtime.deps),
        v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 500 }, headers: { 'idempotency-key': key('next') } }),
      ]);
      expect(a && b).toBeTruthy();
      expect(c.status, c.text).toBe(201);
      const rows = await refundRows(charge);
      expect(rows.map((r) => [r.amount, r.status])).toEqual([
        [1000, 'succeeded'],
        [500, 'succeeded'],
      ]);
      expect((await chargeRow(charge)).amount_refunded).toBe(1500);
      expect((await events('charge.refunded', charge)).map((e) => e.data.amount).sort()).toEqual([1000, 500]);
      expect(atStripe(payment).map((r) => r.amount)).toEqual([1000, 500]);
    } finally {
      v.setNow(undefined);
    }
  });

  it('a refund pending past 23 hours is never asked again (Stripe may have forgotten its key): no second refund', async () => {
    const t0 = Date.now();
    v.setNow(new Date(t0));
    try {
      const { charge, payment } = await paid(2000);
      // Never reached Stripe this time: asked again after the key's life, it would be a new refund.
      fake.dropNext({ afterOperating: false, count: 2, match: { method: 'POST', path: /^\/v1\/refunds$/ } });
      const lost = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 700 } });
      expect(lost.status).toBe(502);
      v.setNow(new Date(t0 + 23 * HOUR + 1000));
      await runSchedulerPass(v.runtime.deps);
      expect((await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 100 } })).status).toBe(201);
      expect(atStripe(payment).map((r) => r.amount)).toEqual([100]);
      expect((await refundRows(charge)).map((r) => [r.amount, r.status])).toEqual([
        [700, 'pending'],
        [100, 'succeeded'],
      ]);
      expect((await chargeRow(charge)).amount_refunded).toBe(800);
    } finally {
      v.setNow(undefined);
    }
  });

  it('a refund pending when the charge gets disputed is not paid out by the next pass while the dispute is open', async () => {
    const t0 = Date.now();
    v.setNow(new Date(t0));
    try {
      const { charge, payment } = await paid(2000);
      // The request never reached Stripe.
      fake.dropNext({ afterOperating: false, count: 2, match: { method: 'POST', path: /^\/v1\/refunds$/ } });
      expect((await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 2000 } })).status).toBe(502);
      expect((await deliver(v.merchant.id, fake.signed(fake.events.disputeCreated(payment)))).status).toBe(200);
      v.setNow(new Date(t0 + 5 * MIN));
      await runSchedulerPass(v.runtime.deps);
      // The cardholder would have the money from the refund and from the chargeback.
      expect(atStripe(payment)).toEqual([]);
    } finally {
      v.setNow(undefined);
    }
  });

  // PostgreSQL reads each statement of a READ COMMITTED transaction on a snapshot of its own: the
  // notification's two reads (a succeeded refund of that id? a pending refund of the charge?) can
  // straddle the commit of the settle, and then neither finds anything.
  it("a refund's failure delivered while its lost answer is being settled is never acknowledged as an unknown payment", async () => {
    const lostAcks: string[] = [];
    // In one process SQLite runs one transaction at a time: there the race cannot happen, two rounds guard it.
    for (let round = 0; round < (target === 'postgres' ? 10 : 2) && lostAcks.length === 0; round++) {
      const { charge, payment } = await paid(2500);
      const k = key('race');
      fake.dropNext({ afterOperating: true, count: 2, match: { method: 'POST', path: /^\/v1\/refunds$/ } });
      expect((await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1000 }, headers: { 'idempotency-key': k } })).status).toBe(502);
      const refundId = atStripe(payment)[0]!.id;
      const from = v.logs.length;
      // Stripe's deliveries keep coming (each its own event) while the merchant's retry settles the refund.
      let settled = false;
      const sent: { f: { body: string; headers: Record<string, string> }; status: number }[] = [];
      const deliveries = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; (!settled || i < 2) && i < 400; i++) {
          const f = refundFailedEvent(refundId, (['refund.failed', 'refund.updated', 'charge.refund.updated'] as const)[(w + i) % 3]);
          sent.push({ f, status: (await deliver(v.merchant.id, f)).status });
        }
      });
      // The merchant retries until it hears an answer (under this load a call may time out).
      let retry = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1000 }, headers: { 'idempotency-key': k } });
      for (let t = 0; t < 5 && retry.status === 502; t++)
        retry = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1000 }, headers: { 'idempotency-key': k } });
      settled = true;
      await Promise.all(deliveries);
      expect(retry.status, retry.text).toBe(201);
      // Acknowledged as about no payment of this shop before the failure was applied: that delivery is gone.
      const outcomes = v.logs
        .slice(from)
        .filter((l) => l.includes('"provider notification"'))
        .map((l) => JSON.parse(l).outcome as string);
      const applied = outcomes.indexOf('applied');
      lostAcks.push(...outcomes.slice(0, applied === -1 ? outcomes.length : applied).filter((o) => o === 'unknown_payment'));
      // Whatever happened, a refused delivery is delivered again: the refund ends failed, told once.
      for (const d of sent) if (d.status !== 200) expect((await deliver(v.merchant.id, d.f)).status).toBe(200);
      expect((await refundRows(charge)).map((r) => r.status)).toEqual(['failed']);
      expect(await events('charge.refund_failed', charge)).toHaveLength(1);
    }
    expect(lostAcks).toEqual([]);
  }, 120_000);

  it("one merchant's 100 unsettleable pending refunds do not starve every other merchant's lost refund in the scheduler's pass", async () => {
    const t0 = Date.now();
    v.setNow(new Date(t0));
    try {
      // The attacker: a test-mode shop of its own, paid once, then pointed at a Stripe key that no longer
      // works. Each refund without a key then answers 502 and stays pending, its amount reserved.
      const attacker = await newShop(v, { settings: { frame_limit_per_address: 0, ...stripeSettings() } });
      const { charge: bait } = await paid(10_000, attacker.secret_key);
      expect((await attacker.api('POST', '/v1/merchant', stripeSettings(`sk_test_revoked_${'x'.repeat(24)}`))).status).toBe(200);
      for (let i = 0; i < 100; i++) {
        const r = await attacker.api('POST', `/v1/charges/${bait}/refunds`, { amount: 1 });
        expect(r.status, r.text).toBe(502);
      }
      expect((await refundRows(bait)).filter((r) => r.status === 'pending')).toHaveLength(100);

      // A minute later, the victim's refund answer is lost (no key, no retry).
      v.setNow(new Date(t0 + 2 * MIN));
      const { charge, payment } = await paid(2500);
      await lostRefund(charge, 800);
      expect(atStripe(payment).map((r) => r.amount)).toEqual([800]);

      // The vault's own timer runs passes over every merchant, long after.
      v.setNow(new Date(t0 + 30 * MIN));
      const asked = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds').length;
      const before = asked();
      for (let i = 0; i < 3; i++) await runSchedulerPass(v.runtime.deps);
      // Three of the attacker's a pass at most (each could cost a processor's timeout), and the victim's once.
      expect(asked() - before).toBeLessThanOrEqual(3 * 3 + 1);
      expect((await refundRows(charge)).map((r) => r.status)).toEqual(['succeeded']);
      expect((await events('charge.refunded', charge)).map((e) => e.data.amount)).toEqual([800]);
    } finally {
      v.setNow(undefined);
    }
  }, 60_000);
});
