// Attacks on refunds and disputes, and on the provider notifications that drive them: a provider's
// failure heard while the vault still waits for its lost refund answer, retries and concurrent refunds
// past the charge, notifications forged, replayed or sent to a sister shop's endpoint, and each
// failure or dispute told (and its money moved) once. Written as the attack, asserting the safe outcome.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { startFakeAdyen, type FakeAdyen } from '../helpers/fake-adyen.ts';
import { startFakeStripe, type FakeStripe } from '../helpers/fake-stripe.ts';
import { vaultOnAdyen, vaultOnStripe } from '../helpers/provider-fixtures.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

/** Short, so a delayed answer is a lost one; the local providers answer in a few ms otherwise. */
const TIMEOUT_MS = 1500;

describeEachDb('refund and dispute attacks', (target) => {
  let n = 0;
  const key = (p: string) => `${p}-${target}-${++n}-${crypto.randomBytes(3).toString('hex')}`;

  /** A customer's payment through the merchant of `v` (its secret key by default): the charge and the provider's id of it. */
  async function paid(v: TestVault, amount: number, secretKey?: string) {
    const s = await openSession(v, { amount }, secretKey);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    if (res.status !== 200) throw new Error(`not paid: ${res.text}`);
    const row = await v.runtime.deps.db.selectFrom('charges').select('processor_id').where('id', '=', res.body.charge).executeTakeFirstOrThrow();
    return { charge: res.body.charge as string, payment: row.processor_id! };
  }
  const chargeRow = (v: TestVault, id: string) => v.runtime.deps.db.selectFrom('charges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const refundRows = (v: TestVault, charge: string) =>
    v.runtime.deps.db.selectFrom('refunds').selectAll().where('charge_id', '=', charge).orderBy('created_at').execute();
  /** The merchant's events of this type about the charge (any merchant's key), oldest first. */
  async function events(v: TestVault, type: string, charge: string, secretKey?: string) {
    const list = (await v.api('GET', `/v1/events?type=${type}&limit=100`, { key: secretKey })).body.data as any[];
    return list.filter((e) => e.data.charge === charge).reverse();
  }
  const deliver = (v: TestVault, merchant: string, signed: { body: string; headers: Record<string, string> }) =>
    v.api('POST', `/processor-webhooks/${merchant}`, { raw: signed.body, headers: signed.headers, key: '' });
  const ok = (status: number) => status >= 200 && status < 300;

  describe('through Stripe', () => {
    let fake: FakeStripe;
    let v: TestVault;
    beforeAll(async () => {
      fake = await startFakeStripe();
      v = await vaultOnStripe(target, fake, { processorTimeoutMs: TIMEOUT_MS });
    });
    afterAll(async () => {
      await v?.close();
      await fake?.close();
    });

    /** Stripe's event that the refund failed, signed, the fake's ledger left as it was answered. */
    const refundFailed = (refundId: string, type: 'refund.failed' | 'refund.updated' | 'charge.refund.updated' = 'refund.failed') =>
      fake.signed(fake.events.refundFailed(refundId, type, { keepLedger: true }));

    it('a refund the provider fails while the vault still waits for its lost answer ends failed, its amount refundable again, told once', async () => {
      const { charge, payment } = await paid(v, 2500);
      const k = key('lost-refund');
      // Stripe makes the refund, but its answer is lost twice (the library's own retry too): unknown outcome.
      fake.dropNext({ afterOperating: true, count: 2, match: { method: 'POST', path: /^\/v1\/refunds$/ } });
      const first = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1000 }, headers: { 'idempotency-key': k } });
      expect(first.status, first.text).toBe(502);
      const atStripe = [...fake.refunds.values()].filter((r) => r.payment_intent === payment);
      expect(atStripe).toHaveLength(1);
      // Stripe then reports that refund failed, while the vault has still not heard its answer.
      const failure = refundFailed(atStripe[0]!.id);
      const early = await deliver(v, v.merchant.id, failure);
      // The merchant retries with the same key: the refund is settled with Stripe's (replayed) answer.
      const retry = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1000 }, headers: { 'idempotency-key': k } });
      expect(retry.status, retry.text).toBe(201);
      // Stripe delivers again what was not acknowledged.
      if (!ok(early.status)) expect((await deliver(v, v.merchant.id, failure)).status).toBe(200);
      const [refund] = await refundRows(v, charge);
      expect(refund).toMatchObject({ status: 'failed', amount: 1000 });
      expect((await chargeRow(v, charge)).amount_refunded).toBe(0);
      expect((await events(v, 'charge.refund_failed', charge)).map((e) => e.data)).toEqual([
        { charge, refund: refund!.id, amount: 1000, reason: 'expired_or_canceled_card' },
      ]);
      // The money did not go back: the vault lets it be refunded again (the fake's ledger, left as
      // answered, still holds the first 1000, so 1500 is asked for).
      const again = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1500 }, headers: { 'idempotency-key': key('again') } });
      expect(again.body).toMatchObject({ amount: 1500, status: 'succeeded' });
      expect((await chargeRow(v, charge)).amount_refunded).toBe(1500);
    });

    it('a refund without an Idempotency-Key whose answer was lost is settled by the next refund of the charge, not left hidden and reserved', async () => {
      const { charge, payment } = await paid(v, 2500);
      fake.dropNext({ afterOperating: true, count: 2, match: { method: 'POST', path: /^\/v1\/refunds$/ } });
      const lost = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1000 } });
      expect(lost.status, lost.text).toBe(502);
      // Stripe made it; the merchant has no key to retry it with.
      expect([...fake.refunds.values()].filter((r) => r.payment_intent === payment).map((r) => r.amount)).toEqual([1000]);
      v.setNow(new Date(Date.now() + 5 * 60_000));
      try {
        const next = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 500 } });
        expect(next.status, next.text).toBe(201);
        const listed = (await v.api('GET', `/v1/charges/${charge}/refunds`)).body.data as Array<{ amount: number; status: string }>;
        expect(listed.map((r) => [r.amount, r.status])).toEqual([
          [1000, 'succeeded'],
          [500, 'succeeded'],
        ]);
        expect((await chargeRow(v, charge)).amount_refunded).toBe(1500);
        expect((await events(v, 'charge.refunded', charge)).map((e) => e.data.amount)).toEqual([1000, 500]);
        expect([...fake.refunds.values()].filter((r) => r.payment_intent === payment).map((r) => r.amount)).toEqual([1000, 500]);
      } finally {
        v.setNow(undefined);
      }
    });

    it("a refund whose answer was lost and that nobody retries is settled by the scheduler's next pass, told once", async () => {
      const { charge, payment } = await paid(v, 2500);
      fake.dropNext({ afterOperating: true, count: 2, match: { method: 'POST', path: /^\/v1\/refunds$/ } });
      const lost = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 700 } });
      expect(lost.status, lost.text).toBe(502);
      // A pass within the minute leaves it to its request; one after asks Stripe under its reference.
      expect((await v.api('POST', '/v1/scheduler/run', { body: {} })).status).toBe(200);
      expect((await refundRows(v, charge)).map((r) => r.status)).toEqual(['pending']);
      v.setNow(new Date(Date.now() + 5 * 60_000));
      try {
        expect((await v.api('POST', '/v1/scheduler/run', { body: {} })).status).toBe(200);
        expect((await v.api('POST', '/v1/scheduler/run', { body: {} })).status).toBe(200);
      } finally {
        v.setNow(undefined);
      }
      const listed = (await v.api('GET', `/v1/charges/${charge}/refunds`)).body.data as Array<{ amount: number; status: string }>;
      expect(listed.map((r) => [r.amount, r.status])).toEqual([[700, 'succeeded']]);
      expect((await events(v, 'charge.refunded', charge)).map((e) => e.data.amount)).toEqual([700]);
      expect([...fake.refunds.values()].filter((r) => r.payment_intent === payment).map((r) => r.amount)).toEqual([700]);
    });

    it("a dispute's closings heard out of order end as Stripe's later event says", async () => {
      const { charge, payment } = await paid(v, 2000);
      const opened = fake.events.disputeCreated(payment);
      const dispute = opened.data.object.id;
      const closing = (status: 'won' | 'lost', created: number) => {
        const event = fake.events.disputeClosed(payment, status);
        return fake.signed({ ...event, created, data: { object: { ...event.data.object, id: dispute } } } as any);
      };
      expect((await deliver(v, v.merchant.id, fake.signed(opened))).status).toBe(200);
      const t = Math.floor(Date.now() / 1000);
      // Lost at t + 60, after being won at t: the win is delivered last.
      expect((await deliver(v, v.merchant.id, closing('lost', t + 60))).status).toBe(200);
      expect((await deliver(v, v.merchant.id, closing('won', t))).status).toBe(200);
      const row = await v.runtime.deps.db.selectFrom('disputes').selectAll().where('charge_id', '=', charge).executeTakeFirstOrThrow();
      expect(row.status).toBe('lost');
      expect((await events(v, 'charge.dispute.closed', charge)).map((e) => e.data.status)).toEqual(['lost']);
    });

    it("Stripe's three events for one failed refund, delivered together and again, give the amount back once and tell it once", async () => {
      const { charge } = await paid(v, 3000);
      const made = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1200 }, headers: { 'idempotency-key': key('three') } });
      expect(made.status, made.text).toBe(201);
      const refundId = (await refundRows(v, charge))[0]!.processor_id!;
      const all = (['refund.failed', 'refund.updated', 'charge.refund.updated'] as const).map((t) => refundFailed(refundId, t));
      const answers = await Promise.all([...all, ...all].map((e) => deliver(v, v.merchant.id, e)));
      // A delivery refused for a moment (a race on the same refund) is delivered again.
      for (const [i, a] of answers.entries()) if (!ok(a.status)) expect((await deliver(v, v.merchant.id, [...all, ...all][i]!)).status).toBe(200);
      expect((await chargeRow(v, charge)).amount_refunded).toBe(0);
      expect(await events(v, 'charge.refund_failed', charge)).toHaveLength(1);
      expect((await refundRows(v, charge)).map((r) => r.status)).toEqual(['failed']);
    });

    it('a forged notification is refused and does not use up the real one; a replay changes nothing', async () => {
      const { charge, payment } = await paid(v, 1800);
      const event = fake.events.disputeCreated(payment, { reason: 'fraudulent' });
      const forged = await deliver(v, v.merchant.id, fake.signed(event, 'whsec_forged_by_someone_else'));
      expect(forged.status).toBe(401);
      // Unsigned, and signed over another body.
      expect((await deliver(v, v.merchant.id, { body: JSON.stringify(event), headers: { 'content-type': 'application/json' } })).status).toBe(401);
      const real = fake.signed(event);
      expect((await deliver(v, v.merchant.id, { body: real.body.replace('"fraudulent"', '"general"'), headers: real.headers })).status).toBe(401);
      expect(await events(v, 'charge.dispute.created', charge)).toEqual([]);
      expect((await deliver(v, v.merchant.id, real)).status).toBe(200);
      expect((await deliver(v, v.merchant.id, real)).status).toBe(200);
      expect(await events(v, 'charge.dispute.created', charge)).toHaveLength(1);
    });

    it("a sister shop on the same Stripe account cannot touch the other shop's charge through its own endpoint", async () => {
      const sister = await newShop(v, {
        group: v.merchant.group,
        settings: { frame_limit_per_address: 0, processor: { type: 'stripe', secret_key: fake.secretKey, webhook_secret: fake.webhookSecret } },
      });
      const { charge, payment } = await paid(v, 2200);
      const made = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 700 }, headers: { 'idempotency-key': key('sister') } });
      expect(made.status).toBe(201);
      const refundId = (await refundRows(v, charge))[0]!.processor_id!;
      const dispute = fake.signed(fake.events.disputeCreated(payment));
      const failure = refundFailed(refundId);
      // Stripe sends every event of the account to every endpoint: the sister's first.
      for (const signed of [dispute, failure]) expect((await deliver(v, sister.id, signed)).status).toBe(200);
      expect((await chargeRow(v, charge)).amount_refunded).toBe(700);
      expect(await v.runtime.deps.db.selectFrom('disputes').selectAll().where('charge_id', '=', charge).execute()).toEqual([]);
      expect(await events(v, 'charge.dispute.created', charge, sister.secret_key)).toEqual([]);
      expect(await events(v, 'charge.refund_failed', charge, sister.secret_key)).toEqual([]);
      // The sister's reading of it does not use it up for the shop it concerns.
      for (const signed of [dispute, failure]) expect((await deliver(v, v.merchant.id, signed)).status).toBe(200);
      expect((await chargeRow(v, charge)).amount_refunded).toBe(0);
      expect(await events(v, 'charge.dispute.created', charge)).toHaveLength(1);
      expect(await events(v, 'charge.refund_failed', charge)).toHaveLength(1);
      // And the sister cannot refund or read the charge through the API.
      expect((await sister.api('POST', `/v1/charges/${charge}/refunds`, { amount: 100 }, { 'idempotency-key': key('sister-refund') })).status).toBe(404);
      expect((await sister.api('GET', `/v1/charges/${charge}/refunds`)).status).toBe(404);
    });

    it('no card number, key or signing secret reaches the log, an event or an answer on these paths', async () => {
      const logs = v.logs.join('\n');
      const answers = JSON.stringify((await v.api('GET', '/v1/events?limit=100')).body);
      for (const text of [logs, answers]) {
        expect(text).not.toContain(CARDS.visa);
        expect(text).not.toContain(fake.secretKey);
        expect(text).not.toContain(fake.webhookSecret);
        expect(text).not.toContain('whsec_forged_by_someone_else');
      }
    });
  });

  describe('through Adyen', () => {
    let fake: FakeAdyen;
    let v: TestVault;
    beforeAll(async () => {
      fake = await startFakeAdyen();
      v = await vaultOnAdyen(target, fake, { processorTimeoutMs: TIMEOUT_MS });
    });
    afterAll(async () => {
      await v?.close();
      await fake?.close();
    });
    const signed = (items: Parameters<FakeAdyen['notification']>[0]) => ({ body: fake.notification(items), headers: { 'content-type': 'application/json' } });
    /** Items of one new chargeback against the payment, for `amount`: each event by its code (and eventDate, if given). */
    const chargeback = (payment: string, amount: number) => {
      const dispute = `DSP${crypto.randomBytes(6).toString('hex').toUpperCase()}`;
      return (eventCode: string, eventDate?: string) => ({
        eventCode,
        ...(eventDate ? { eventDate } : {}),
        pspReference: dispute,
        originalReference: payment,
        amount: { value: amount, currency: 'USD' },
        reason: 'Fraud',
      });
    };

    it("a REFUND failure heard before the refund's answer was recorded ends the refund failed once it is settled", async () => {
      const { charge, payment } = await paid(v, 2500);
      const k = key('adyen-lost');
      // Adyen takes the refund, but answers after the vault stopped waiting.
      fake.delayNext(TIMEOUT_MS + 1500);
      const first = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 900 }, headers: { 'idempotency-key': k } });
      expect(first.status, first.text).toBe(502);
      const atAdyen = fake.refunds.filter((r) => r.paymentPspReference === payment);
      expect(atAdyen).toHaveLength(1);
      // Its REFUND notification: it could not be made after all.
      const failure = signed([
        {
          eventCode: 'REFUND',
          success: false,
          pspReference: atAdyen[0]!.pspReference,
          originalReference: payment,
          amount: { value: 900, currency: 'USD' },
          reason: 'Insufficient balance',
        },
      ]);
      const early = await deliver(v, v.merchant.id, failure);
      const retry = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 900 }, headers: { 'idempotency-key': k } });
      expect(retry.status, retry.text).toBe(201);
      if (!ok(early.status) || early.text !== '[accepted]') expect((await deliver(v, v.merchant.id, failure)).text).toBe('[accepted]');
      const [refund] = await refundRows(v, charge);
      expect(refund).toMatchObject({ status: 'failed', amount: 900 });
      expect((await chargeRow(v, charge)).amount_refunded).toBe(0);
      expect(await events(v, 'charge.refund_failed', charge)).toHaveLength(1);
    });

    it(
      "a chargeback's opening heard twice at once (its notice and the chargeback itself) opens one dispute, told once; " + 'a replayed closing moves it once',
      async () => {
        const { charge, payment } = await paid(v, 2000);
        const item = chargeback(payment, 2000);
        const deliveries = [signed([item('NOTIFICATION_OF_CHARGEBACK')]), signed([item('CHARGEBACK')])];
        const answers = await Promise.all([...deliveries, ...deliveries].map((d) => deliver(v, v.merchant.id, d)));
        // Adyen delivers again what it did not see acknowledged.
        for (const [i, a] of answers.entries())
          if (a.text !== '[accepted]') expect((await deliver(v, v.merchant.id, [...deliveries, ...deliveries][i]!)).text).toBe('[accepted]');
        const rows = await v.runtime.deps.db.selectFrom('disputes').selectAll().where('charge_id', '=', charge).execute();
        expect(rows.map((r) => [r.status, r.amount, r.currency])).toEqual([['open', 2000, 'USD']]);
        expect(await events(v, 'charge.dispute.created', charge)).toHaveLength(1);
        // Reversed, then charged back a second time an hour later, each said twice. The times are
        // Adyen's: left to the fake, each would carry the moment it was built, in the other order.
        const won = signed([item('CHARGEBACK_REVERSED', '2031-03-05T10:00:00Z')]);
        const lost = signed([item('SECOND_CHARGEBACK', '2031-03-05T11:00:00Z')]);
        for (const d of [won, lost, won, lost]) expect((await deliver(v, v.merchant.id, d)).text).toBe('[accepted]');
        expect((await v.runtime.deps.db.selectFrom('disputes').select('status').where('charge_id', '=', charge).executeTakeFirstOrThrow()).status).toBe('lost');
        expect((await events(v, 'charge.dispute.closed', charge)).map((e) => e.data.status)).toEqual(['won', 'lost']);
      },
    );

    it("a dispute's closings heard out of order end as Adyen's later eventDate says", async () => {
      const { charge, payment } = await paid(v, 2000);
      const item = chargeback(payment, 2000);
      expect((await deliver(v, v.merchant.id, signed([item('CHARGEBACK', '2031-03-01T09:00:00+01:00')]))).text).toBe('[accepted]');
      // Reversed at 10:00, then a second chargeback at 12:00 (Amsterdam time); the reversal is delivered last.
      expect((await deliver(v, v.merchant.id, signed([item('SECOND_CHARGEBACK', '2031-03-05T12:00:00+01:00')]))).text).toBe('[accepted]');
      expect((await deliver(v, v.merchant.id, signed([item('CHARGEBACK_REVERSED', '2031-03-05T10:00:00+01:00')]))).text).toBe('[accepted]');
      const row = await v.runtime.deps.db.selectFrom('disputes').selectAll().where('charge_id', '=', charge).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'lost', outcome_at: '2031-03-05T11:00:00.000Z' });
      expect((await events(v, 'charge.dispute.closed', charge)).map((e) => e.data.status)).toEqual(['lost']);
    });

    it('refuses a refund while the charge is disputed and once the dispute is lost, and allows it once won', async () => {
      const { charge, payment } = await paid(v, 3000);
      const item = chargeback(payment, 3000);
      const refund = () => v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1000 }, headers: { 'idempotency-key': key('disputed') } });
      const refundsAtAdyen = () => fake.refunds.filter((r) => r.paymentPspReference === payment).length;
      expect((await deliver(v, v.merchant.id, signed([item('CHARGEBACK')]))).text).toBe('[accepted]');
      // Open: the issuer decides whether the money goes back; a refund beside it would pay the cardholder twice.
      const open = await refund();
      expect(open.status, open.text).toBe(400);
      expect(open.body.error).toMatchObject({ code: 'parameter_invalid', param: 'id' });
      expect((await deliver(v, v.merchant.id, signed([item('SECOND_CHARGEBACK')]))).text).toBe('[accepted]');
      expect((await refund()).status).toBe(400);
      expect(refundsAtAdyen()).toBe(0);
      expect((await chargeRow(v, charge)).amount_refunded).toBe(0);
      // Won: the money stayed with the merchant, who may give it back.
      expect((await deliver(v, v.merchant.id, signed([item('CHARGEBACK_REVERSED')]))).text).toBe('[accepted]');
      const won = await refund();
      expect(won.status, won.text).toBe(201);
      expect(refundsAtAdyen()).toBe(1);
    });
  });

  describe('through the simulated processor', () => {
    let v: TestVault;
    beforeAll(async () => {
      v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
      await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0 } });
    });
    afterAll(() => v?.close());
    const refundsMade = async (charge: string) =>
      (await v.runtime.deps.db.selectFrom('simulated_operations').selectAll().where('kind', '=', 'refund').execute()).filter((r) =>
        refundRefs.get(charge)?.has(r.reference),
      );
    const refundRefs = new Map<string, Set<string>>();
    const track = async (charge: string) => refundRefs.set(charge, new Set((await refundRows(v, charge)).map((r) => r.processor_ref!)));

    it('concurrent refunds under different keys never add up to more than the charge, at the processor either', async () => {
      const { charge } = await paid(v, 2500);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1000 }, headers: { 'idempotency-key': key('race') } }),
        ),
      );
      expect(answers.filter((a) => a.status === 201).map((a) => a.body.status)).toEqual(['succeeded', 'succeeded']);
      for (const a of answers.filter((x) => x.status !== 201)) expect(a.body.error.code).toBe('parameter_invalid');
      expect((await chargeRow(v, charge)).amount_refunded).toBe(2000);
      await track(charge);
      expect(await refundsMade(charge)).toHaveLength(2);
      expect(await events(v, 'charge.refunded', charge)).toHaveLength(2);
    });

    it('the same key sent at once, and again, is one refund; the key on another charge is refused, not settled there', async () => {
      const { charge } = await paid(v, 2500);
      const k = key('same');
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 600 }, headers: { 'idempotency-key': k } })),
      );
      for (const a of answers) expect([201, 409]).toContain(a.status);
      const again = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 600 }, headers: { 'idempotency-key': k } });
      expect(again.status).toBe(201);
      expect((await refundRows(v, charge)).map((r) => r.amount)).toEqual([600]);
      expect((await chargeRow(v, charge)).amount_refunded).toBe(600);
      const other = await paid(v, 2500);
      const elsewhere = await v.api('POST', `/v1/charges/${other.charge}/refunds`, { body: { amount: 600 }, headers: { 'idempotency-key': k } });
      expect(elsewhere.status).toBe(409);
      expect(elsewhere.body.error.code).toBe('idempotency_key_reused');
      expect(await refundRows(v, other.charge)).toEqual([]);
      expect((await chargeRow(v, other.charge)).amount_refunded).toBe(0);
      expect(await events(v, 'charge.refunded', charge)).toHaveLength(1);
    });

    it('a declined charge cannot be refunded, and more than what is left is refused without asking the processor', async () => {
      const s = await openSession(v, { amount: 1500 });
      const declined = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.declined) });
      expect(declined.status).toBe(402);
      const res = await v.api('POST', `/v1/charges/${declined.body.error.charge}/refunds`, { body: {}, headers: { 'idempotency-key': key('declined') } });
      expect(res.status).toBe(400);
      expect(await refundRows(v, declined.body.error.charge)).toEqual([]);
      const { charge } = await paid(v, 1000);
      const over = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1001 }, headers: { 'idempotency-key': key('over') } });
      expect(over.status).toBe(400);
      expect(await refundRows(v, charge)).toEqual([]);
    });
  });
});
