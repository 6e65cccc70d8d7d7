// Attacks on POST /processor-webhooks/:merchant, the providers' own notifications (Stripe's signed
// events, Adyen's HMAC-signed batches) and what they change (server/processors/notifications.ts): forged,
// stale, unsigned or other-merchant-signed deliveries; another merchant's endpoint naming this merchant's
// payment, refund or dispute; a refund failure repeated or re-typed to give money back twice; dispute
// closings out of order or before their opening; malformed, huge or oddly typed bodies and mixed batches
// (never a 500, nothing half-applied); concurrent deliveries; card numbers in what providers say.
// Written as the attacker's request, asserting the safe outcome. Its review found three defects, now fixed
// (a signed event's values stored unchecked, an Adyen batch half-applied then answered 500, and a 500 when
// two deliveries about one dispute met on PostgreSQL), and two more were fixed beside them (an event of the
// other mode acted on, a closing naming another charge's payment).
import crypto from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { startFakeAdyen, type FakeAdyen } from '../helpers/fake-adyen.ts';
import { startFakeStripe, type FakeStripe } from '../helpers/fake-stripe.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, startTestVault, type Shop, type TestVault } from '../helpers/test-vault.ts';

const B_WEBHOOK_SECRET = 'whsec_shop_b_own_endpoint_secret';
const OTHER_ADYEN_ACCOUNT = 'OtherShopECOM';
const OTHER_HMAC_KEY = crypto.randomBytes(32).toString('hex').toUpperCase();
/** A card number (Luhn-valid) a provider's free text could echo. */
const PAN = '4242424242424242';

describeEachDb('provider notification attacks', (target) => {
  let stripe: FakeStripe;
  let adyen: FakeAdyen;
  let v: TestVault;
  /** Shop B: another merchant of the vault, with its own Stripe endpoint (its own signing secret). */
  let shopB: Shop;
  /** Shop C: a merchant on Adyen; shop D another one on its own Adyen account and HMAC key. */
  let shopC: Shop;
  let shopD: Shop;
  let n = 0;
  const key = (p: string) => `${p}-${target}-${++n}-${crypto.randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    adyen = await startFakeAdyen();
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorBaseUrls: { stripe: stripe.url, adyen: adyen.url } });
    const set = await v.api('POST', '/v1/merchant', {
      body: {
        rate_limit: 0,
        frame_limit_per_address: 0,
        processor: { type: 'stripe', secret_key: stripe.secretKey, webhook_secret: stripe.webhookSecret },
      },
    });
    if (set.status !== 200) throw new Error(set.text);
    shopB = await newShop(v, {
      settings: { frame_limit_per_address: 0, processor: { type: 'stripe', secret_key: stripe.secretKey, webhook_secret: B_WEBHOOK_SECRET } },
    });
    const adyenSettings = { type: 'adyen', api_key: adyen.apiKey, environment: 'test' };
    shopC = await newShop(v, {
      settings: { frame_limit_per_address: 0, processor: { ...adyenSettings, merchant_account: adyen.merchantAccount, hmac_key: adyen.hmacKey } },
    });
    shopD = await newShop(v, {
      settings: { frame_limit_per_address: 0, processor: { ...adyenSettings, merchant_account: OTHER_ADYEN_ACCOUNT, hmac_key: OTHER_HMAC_KEY } },
    });
  });
  afterAll(async () => {
    await v?.close();
    await stripe?.close();
    await adyen?.close();
  });

  const db = () => v.runtime.deps.db;
  /** A customer's payment at the shop (A by default): the charge and the provider's id of it. */
  async function paid(amount: number, secretKey?: string) {
    const s = await openSession(v, { amount }, secretKey);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    if (res.status !== 200) throw new Error(`not paid: ${res.text}`);
    const row = await db().selectFrom('charges').select('processor_id').where('id', '=', res.body.charge).executeTakeFirstOrThrow();
    return { charge: res.body.charge as string, payment: row.processor_id! };
  }
  async function refunded(charge: string, amount: number, secretKey?: string) {
    const res = await v.api('POST', `/v1/charges/${charge}/refunds`, { key: secretKey, body: { amount }, headers: { 'idempotency-key': key('refund') } });
    if (res.status !== 201) throw new Error(`not refunded: ${res.text}`);
    const row = await db().selectFrom('refunds').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
    return row;
  }
  const chargeRow = (id: string) => db().selectFrom('charges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const refundRows = (charge: string) => db().selectFrom('refunds').selectAll().where('charge_id', '=', charge).orderBy('created_at').execute();
  const disputeRows = (charge: string) => db().selectFrom('disputes').selectAll().where('charge_id', '=', charge).execute();
  /** Every event about the charge, in any merchant's view (the store itself). */
  const eventsAbout = async (charge: string) =>
    (await db().selectFrom('events').selectAll().execute()).filter((e) => (JSON.parse(e.data) as { charge?: string }).charge === charge);
  const deliver = (merchant: string, signed: { body: string; headers: Record<string, string> }) =>
    v.api('POST', `/processor-webhooks/${merchant}`, { raw: signed.body, headers: signed.headers, key: '' });
  /** A Stripe event signed with `secret` at `timestamp` (seconds), as the library signs. */
  const stripeSigned = (event: object, secret = stripe.webhookSecret, timestamp?: number) => {
    const body = JSON.stringify(event);
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, ...(timestamp ? { timestamp } : {}) });
    return { body, headers: { 'content-type': 'application/json', 'stripe-signature': header } };
  };
  const adyenSigned = (items: Parameters<FakeAdyen['notification']>[0], options?: { key?: string; live?: boolean }) => ({
    body: adyen.notification(items, options),
    headers: { 'content-type': 'application/json' },
  });
  /** A state snapshot of the charge: what no refused notification may change. */
  const stateOf = async (charge: string) => ({
    charge: await chargeRow(charge),
    refunds: await refundRows(charge),
    disputes: await disputeRows(charge),
    events: (await eventsAbout(charge)).map((e) => e.id),
  });

  describe('Stripe', () => {
    it('refuses forged, unsigned, stale, other-secret and tampered deliveries with 401, and they do not use up the genuine event', async () => {
      const { charge, payment } = await paid(2100);
      const event = stripe.events.disputeCreated(payment, { reason: 'fraudulent' });
      const before = await stateOf(charge);
      const body = JSON.stringify(event);
      const genuine = stripeSigned(event);
      const t = Math.floor(Date.now() / 1000);
      const hmac = (secret: string, ts: number, payload: string) => crypto.createHmac('sha256', secret).update(`${ts}.${payload}`).digest('hex');
      const attempts: Array<Record<string, string>> = [
        {},
        { 'stripe-signature': '' },
        { 'stripe-signature': 'garbage' },
        { 'stripe-signature': `t=${t}` },
        { 'stripe-signature': `t=${t},v1=` },
        { 'stripe-signature': `t=${t},v0=${hmac(stripe.webhookSecret, t, body)}` },
        { 'stripe-signature': `t=${t},v1=${hmac(B_WEBHOOK_SECRET, t, body)}` },
        { 'stripe-signature': stripeSigned(event, 'whsec_forged_by_someone_else').headers['stripe-signature']! },
        // Ten minutes old: outside Stripe's tolerance, a captured delivery replayed.
        { 'stripe-signature': stripeSigned(event, stripe.webhookSecret, t - 600).headers['stripe-signature']! },
        // The genuine header with its signature cut short, or upper-cased.
        { 'stripe-signature': genuine.headers['stripe-signature']!.slice(0, -2) },
        { 'stripe-signature': genuine.headers['stripe-signature']!.toUpperCase() },
      ];
      for (const headers of attempts) {
        const res = await deliver(v.merchant.id, { body, headers: { 'content-type': 'application/json', ...headers } });
        expect(res.status, JSON.stringify(headers)).toBe(401);
        expect(res.body.error.code).toBe('invalid_api_key');
      }
      // The genuine signature over another body (the amount raised, the payment swapped).
      const tampered = body.replace(`"amount":${event.data.object.amount}`, '"amount":999999');
      expect(tampered).not.toBe(body);
      expect((await deliver(v.merchant.id, { body: tampered, headers: genuine.headers })).status).toBe(401);
      expect(await stateOf(charge)).toEqual(before);
      // Shop B signs with its own secret and sends to A's endpoint.
      expect((await deliver(v.merchant.id, stripeSigned(event, B_WEBHOOK_SECRET))).status).toBe(401);
      expect(await stateOf(charge)).toEqual(before);
      const ok = await deliver(v.merchant.id, genuine);
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toEqual({ received: true });
      expect(await disputeRows(charge)).toHaveLength(1);
      // Replayed (within the tolerance, and re-signed later by Stripe's retry): the same event once.
      expect((await deliver(v.merchant.id, genuine)).status).toBe(200);
      expect((await deliver(v.merchant.id, stripeSigned(event))).status).toBe(200);
      expect(await disputeRows(charge)).toHaveLength(1);
      expect((await eventsAbout(charge)).filter((e) => e.type === 'charge.dispute.created')).toHaveLength(1);
    });

    it("another merchant's endpoint, signed with its own secret, naming A's payment, refund and dispute, changes nothing of A's", async () => {
      const { charge, payment } = await paid(3000);
      const refund = await refunded(charge, 1000);
      const opened = stripe.events.disputeCreated(payment);
      // First let A's dispute exist, so that B's closing names a dispute A has.
      expect((await deliver(v.merchant.id, stripeSigned(opened))).status).toBe(200);
      const before = await stateOf(charge);
      const closed = stripe.events.disputeClosed(payment, 'lost');
      const closing = { ...closed, data: { object: { ...closed.data.object, id: opened.data.object.id } } };
      const failures = (['refund.failed', 'refund.updated', 'charge.refund.updated'] as const).map((t) =>
        stripe.events.refundFailed(refund.processor_id!, t, { keepLedger: true }),
      );
      for (const event of [stripe.events.disputeCreated(payment), closing, ...failures]) {
        const res = await deliver(shopB.id, stripeSigned(event, B_WEBHOOK_SECRET));
        expect(res.status, res.text).toBe(200);
      }
      expect(await stateOf(charge)).toEqual(before);
      expect((await eventsAbout(charge)).filter((e) => e.merchant_id === shopB.id)).toEqual([]);
      // And B's deliveries did not use the events up for A.
      for (const event of [closing, failures[0]!]) expect((await deliver(v.merchant.id, stripeSigned(event))).status).toBe(200);
      expect((await chargeRow(charge)).amount_refunded).toBe(0);
      expect((await disputeRows(charge))[0]!.status).toBe('lost');
    });

    it('a refund failure said many times, under every event type and fresh event ids, gives the amount back once: never more than the charge', async () => {
      const { charge } = await paid(2000);
      const refund = await refunded(charge, 1000);
      const types = ['refund.failed', 'refund.updated', 'charge.refund.updated'] as const;
      const events = Array.from({ length: 9 }, (_, i) => stripe.events.refundFailed(refund.processor_id!, types[i % 3]!, { keepLedger: true }));
      for (const e of events) expect((await deliver(v.merchant.id, stripeSigned(e))).status).toBe(200);
      expect((await chargeRow(charge)).amount_refunded).toBe(0);
      // Refunded again (the fake's ledger still holds the first 1000, so the second is 1000 as well);
      // more failures of the first refund, under new ids, give nothing more back.
      const second = await refunded(charge, 1000);
      expect(second.status).toBe('succeeded');
      for (const e of Array.from({ length: 3 }, (_, i) => stripe.events.refundFailed(refund.processor_id!, types[i]!, { keepLedger: true })))
        expect((await deliver(v.merchant.id, stripeSigned(e))).status).toBe(200);
      expect((await chargeRow(charge)).amount_refunded).toBe(1000);
      const over = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1001 }, headers: { 'idempotency-key': key('over') } });
      expect(over.status).toBe(400);
      expect((await refundRows(charge)).map((r) => [r.id === second.id ? 'second' : 'first', r.status])).toEqual([
        ['first', 'failed'],
        ['second', 'succeeded'],
      ]);
      expect((await eventsAbout(charge)).filter((e) => e.type === 'charge.refund_failed')).toHaveLength(1);
    });

    it('a refund.updated that is not a failure, or a failure naming a refund the charge does not have, changes nothing', async () => {
      const { charge } = await paid(1500);
      const refund = await refunded(charge, 500);
      const other = await paid(1500);
      const otherRefund = await refunded(other.charge, 700);
      const before = await stateOf(charge);
      const failed = stripe.events.refundFailed(refund.processor_id!, 'refund.updated', { keepLedger: true });
      const stillSucceeded = { ...failed, data: { object: { ...failed.data.object, status: 'succeeded' } } };
      // The other charge's refund, said to be of this charge's payment.
      const foreign = stripe.events.refundFailed(otherRefund.processor_id!, 'refund.failed', { keepLedger: true });
      const crossed = { ...foreign, data: { object: { ...foreign.data.object, payment_intent: (await chargeRow(charge)).processor_id } } };
      for (const e of [stillSucceeded, crossed]) expect((await deliver(v.merchant.id, stripeSigned(e))).status).toBe(200);
      expect(await stateOf(charge)).toEqual(before);
      expect((await chargeRow(other.charge)).amount_refunded).toBe(700);
    });

    it('dispute closings before the opening, duplicated, and a "won" after "lost" dated earlier end as the latest closing says', async () => {
      const { charge, payment } = await paid(2500);
      const opened = stripe.events.disputeCreated(payment);
      const id = opened.data.object.id;
      const closing = (status: 'won' | 'lost', created: number) => {
        const e = stripe.events.disputeClosed(payment, status);
        return { ...e, created, data: { object: { ...e.data.object, id } } };
      };
      const t = Math.floor(Date.now() / 1000);
      expect((await deliver(v.merchant.id, stripeSigned(closing('lost', t)))).status).toBe(200);
      expect((await deliver(v.merchant.id, stripeSigned(opened))).status).toBe(200);
      expect((await deliver(v.merchant.id, stripeSigned(closing('won', t - 3600)))).status).toBe(200);
      expect((await deliver(v.merchant.id, stripeSigned(closing('lost', t + 1)))).status).toBe(200);
      const rows = await disputeRows(charge);
      expect(rows.map((r) => r.status)).toEqual(['lost']);
      const told = (await eventsAbout(charge)).map((e) => e.type).filter((t) => t.startsWith('charge.dispute.'));
      expect(told).toEqual(['charge.dispute.closed']);
    });

    it('unknown event types, and events about payments the vault does not know, are acknowledged and change nothing', async () => {
      const { charge, payment } = await paid(1200);
      const before = await stateOf(charge);
      const base = stripe.events.disputeCreated(payment);
      for (const type of ['payment_intent.succeeded', 'charge.dispute.updated', 'charge.dispute.funds_withdrawn', 'customer.created', 'x'.repeat(300)]) {
        expect((await deliver(v.merchant.id, stripeSigned({ ...base, id: `evt_${key('t')}`, type }))).status).toBe(200);
      }
      const unknown = stripe.events.disputeCreated(payment);
      const elsewhere = { ...unknown, data: { object: { ...unknown.data.object, payment_intent: 'pi_not_in_this_vault', charge: 'ch_not_in_this_vault' } } };
      expect((await deliver(v.merchant.id, stripeSigned(elsewhere))).status).toBe(200);
      expect(await stateOf(charge)).toEqual(before);
    });

    it('malformed bodies, signed or not, answer 4xx and never 500', async () => {
      const { charge, payment } = await paid(1300);
      const before = await stateOf(charge);
      const valid = stripe.events.disputeCreated(payment);
      const bodies = [
        '',
        'not json',
        '{',
        '[]',
        'null',
        '{"type":"charge.dispute.created"}',
        '\u0000\u0001',
        '{"id":"evt_x","type":"charge.dispute.created","data":null}',
      ];
      for (const body of bodies) {
        const unsigned = await deliver(v.merchant.id, { body, headers: { 'content-type': 'text/plain' } });
        expect(unsigned.status, body).toBe(401);
        // Signed with the merchant's own secret (a provider account sending nonsense): refused, not a 500.
        const own = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: stripe.webhookSecret });
        const res = await deliver(v.merchant.id, { body, headers: { 'content-type': 'application/xml', 'stripe-signature': own } });
        expect(res.status, `${body}: ${res.text}`).toBeGreaterThanOrEqual(200);
        expect(res.status, `${body}: ${res.text}`).toBeLessThan(500);
      }
      expect(await stateOf(charge)).toEqual(before);
      // The event itself, sent as text/plain or form content: read from the raw body all the same.
      const genuine = stripeSigned(valid);
      expect((await deliver(v.merchant.id, { body: genuine.body, headers: { ...genuine.headers, 'content-type': 'text/plain' } })).status).toBe(200);
      expect(await disputeRows(charge)).toHaveLength(1);
    });

    it('a signed dispute whose amount is not whole minor units, or whose reason is not text, is refused with 4xx and stores nothing', async () => {
      const { charge, payment } = await paid(1400);
      const shape = (object: Record<string, unknown>) => {
        const e = stripe.events.disputeCreated(payment);
        return { ...e, data: { object: { ...e.data.object, ...object } } };
      };
      const answers: string[] = [];
      for (const odd of [{ amount: 'lots' }, { amount: 12.5 }, { amount: -1400 }, { reason: { nested: true } }]) {
        const res = await deliver(v.merchant.id, stripeSigned(shape(odd)));
        answers.push(`${JSON.stringify(odd)} → ${res.status}`);
      }
      // Each is Stripe's event read wrong, not a server fault: 400, not 500 (before the fix SQLite stored it as given).
      const stored = (await disputeRows(charge)).map((r) => r.amount);
      expect({ answers, stored }).toEqual({ answers: answers.map((a) => a.replace(/→ \d+$/, '→ 400')), stored: [] });
      expect((await eventsAbout(charge)).filter((e) => e.type.startsWith('charge.dispute.'))).toEqual([]);
    });

    it('signed events missing the fields the vault reads answer 4xx, never 500', async () => {
      const { charge, payment } = await paid(1450);
      const before = await stateOf(charge);
      const e = stripe.events.disputeCreated(payment);
      for (const object of [{ currency: undefined }, { currency: 7 }, { payment_intent: null, charge: null }, null]) {
        const odd = { ...e, id: `evt_${key('odd')}`, data: { object: object && { ...e.data.object, ...object } } };
        const res = await deliver(v.merchant.id, stripeSigned(odd));
        expect(res.status, JSON.stringify(object)).toBeGreaterThanOrEqual(200);
        expect(res.status, JSON.stringify(object)).toBeLessThan(500);
      }
      expect(await stateOf(charge)).toEqual(before);
    });

    it('a body over 1 MB is refused with 413 before anything is read, with or without a length', async () => {
      const big = `{"pad":"${'a'.repeat(1024 * 1024 + 10)}"}`;
      const res = await deliver(v.merchant.id, stripeSigned(JSON.parse(big)));
      expect(res.status).toBe(413);
      // Streamed, with no Content-Length.
      const stream = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 17; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
          controller.close();
        },
      });
      const streamed = await v.runtime.app.request(
        `http://vault.test/processor-webhooks/${v.merchant.id}`,
        { method: 'POST', body: stream, headers: { 'stripe-signature': 't=1,v1=00' }, duplex: 'half' } as RequestInit,
        { incoming: { socket: { remoteAddress: '127.0.0.1' } } } as any,
      );
      expect(streamed.status).toBe(413);
    });

    it('unknown, malformed and simulated-processor merchant ids answer 404, never 500, and say nothing of the signature', async () => {
      const signed = stripeSigned(stripe.events.disputeCreated((await paid(900)).payment));
      for (const id of ['mer_doesnotexist', 'nope', `mer_${'a'.repeat(65)}`, 'mer_%00', "mer_x'--", '..%2Fv1%2Fmerchant']) {
        const res = await deliver(id, signed);
        expect([400, 404], id).toContain(res.status);
      }
      const simulated = await newShop(v);
      const res = await deliver(simulated.id, signed);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('whsec');
    });

    it('a card number in a refund failure reason reaches no event, answer or log line', async () => {
      const { charge } = await paid(1700);
      const refund = await refunded(charge, 800);
      const e = stripe.events.refundFailed(refund.processor_id!, 'refund.failed', { keepLedger: true });
      const leaky = { ...e, data: { object: { ...e.data.object, failure_reason: `card ${PAN} was closed` } } };
      const res = await deliver(v.merchant.id, stripeSigned(leaky));
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(PAN);
      const told = (await eventsAbout(charge)).filter((x) => x.type === 'charge.refund_failed');
      expect(told).toHaveLength(1);
      const everything = JSON.stringify([told, await refundRows(charge), (await v.api('GET', '/v1/events?limit=100')).body, v.logs]);
      expect(everything).not.toContain(PAN);
      expect(everything).not.toContain(stripe.webhookSecret);
      expect(everything).not.toContain(B_WEBHOOK_SECRET);
    });

    it('a dispute opened and closed delivered at the same moment both succeed (no 500 from a lost race)', async () => {
      const answers: number[] = [];
      for (let round = 0; round < 4; round++) {
        const { charge, payment } = await paid(1100);
        const opened = stripe.events.disputeCreated(payment);
        const c = stripe.events.disputeClosed(payment, 'won');
        const closed = { ...c, data: { object: { ...c.data.object, id: opened.data.object.id } } };
        const res = await Promise.all([deliver(v.merchant.id, stripeSigned(opened)), deliver(v.merchant.id, stripeSigned(closed))]);
        answers.push(...res.map((r) => r.status));
        expect(await disputeRows(charge)).toHaveLength(1);
      }
      // A provider retries anything else, but a 500 is a server fault in the log; the race is the vault's to settle.
      expect(answers.filter((s) => s >= 500)).toEqual([]);
    });
    it("an event of the other mode (livemode: true at a test key's endpoint) is acknowledged and changes nothing", async () => {
      const { charge, payment } = await paid(1150);
      const opened = stripe.events.disputeCreated(payment);
      const before = await stateOf(charge);
      const res = await deliver(v.merchant.id, stripeSigned({ ...opened, id: `evt_${key('live')}`, livemode: true }));
      expect(res.status, res.text).toBe(200);
      expect(await stateOf(charge)).toEqual(before);
      expect((await deliver(v.merchant.id, stripeSigned(opened))).status).toBe(200);
      expect(await disputeRows(charge)).toHaveLength(1);
    });

    it("a closing naming another charge's payment leaves the dispute as it was and tells nobody", async () => {
      const { charge, payment } = await paid(1160);
      const other = await paid(1170);
      const opened = stripe.events.disputeCreated(payment);
      expect((await deliver(v.merchant.id, stripeSigned(opened))).status).toBe(200);
      const before = [await stateOf(charge), await stateOf(other.charge)];
      const c = stripe.events.disputeClosed(other.payment, 'won');
      const crossed = { ...c, data: { object: { ...c.data.object, id: opened.data.object.id } } };
      expect((await deliver(v.merchant.id, stripeSigned(crossed))).status).toBe(200);
      expect([await stateOf(charge), await stateOf(other.charge)]).toEqual(before);
      expect((await disputeRows(charge))[0]!.status).toBe('open');
    });
  });

  describe('Adyen', () => {
    const chargeback = (payment: string, amount: number) => {
      const dispute = `DSP${crypto.randomBytes(6).toString('hex').toUpperCase()}`;
      return (eventCode: string, extra: Record<string, unknown> = {}) => ({
        eventCode,
        pspReference: dispute,
        originalReference: payment,
        amount: { value: amount, currency: 'USD' },
        reason: 'Fraud',
        ...extra,
      });
    };

    it('a batch with one item unsigned, wrongly keyed or tampered is refused whole: the valid items in it are not applied', async () => {
      const { charge, payment } = await paid(2000, shopC.secret_key);
      const item = chargeback(payment, 2000);
      const before = await stateOf(charge);
      const good = JSON.parse(adyen.notification([item('NOTIFICATION_OF_CHARGEBACK')])).notificationItems[0];
      const variants = [
        () => {
          const b = JSON.parse(adyen.notification([item('CHARGEBACK')]));
          delete b.notificationItems[0].NotificationRequestItem.additionalData.hmacSignature;
          return b;
        },
        () => {
          const b = JSON.parse(adyen.notification([item('CHARGEBACK')]));
          delete b.notificationItems[0].NotificationRequestItem.additionalData;
          return b;
        },
        () => JSON.parse(adyen.notification([item('CHARGEBACK')], { key: OTHER_HMAC_KEY })),
        () => {
          const b = JSON.parse(adyen.notification([item('CHARGEBACK')]));
          b.notificationItems[0].NotificationRequestItem.amount.value = 99999;
          return b;
        },
        () => {
          const b = JSON.parse(adyen.notification([item('CHARGEBACK')]));
          b.notificationItems[0].NotificationRequestItem.additionalData.hmacSignature = 12345;
          return b;
        },
        () => {
          const b = JSON.parse(adyen.notification([item('CHARGEBACK')]));
          b.notificationItems[0].NotificationRequestItem.additionalData.hmacSignature = 'AAAA';
          return b;
        },
      ];
      for (const make of variants) {
        const bad = make();
        const res = await deliver(shopC.id, { body: JSON.stringify({ live: 'false', notificationItems: [good, ...bad.notificationItems] }), headers: {} });
        expect(res.status, res.text).toBe(401);
        expect(res.text).not.toBe('[accepted]');
      }
      expect(await stateOf(charge)).toEqual(before);
      // The valid item alone is still applied: the refused batches did not use it up.
      expect((await deliver(shopC.id, { body: JSON.stringify({ live: 'false', notificationItems: [good] }), headers: {} })).text).toBe('[accepted]');
      expect((await disputeRows(charge)).map((r) => r.status)).toEqual(['open']);
    });

    it("another Adyen merchant's endpoint and key, naming C's payment, refund or dispute, change nothing of C's; C's key at D is refused", async () => {
      const { charge, payment } = await paid(2400, shopC.secret_key);
      const refund = await refunded(charge, 900, shopC.secret_key);
      const item = chargeback(payment, 2400);
      expect((await deliver(shopC.id, adyenSigned([item('CHARGEBACK')]))).text).toBe('[accepted]');
      const before = await stateOf(charge);
      const aboutC = [
        item('SECOND_CHARGEBACK'),
        chargeback(payment, 2400)('NOTIFICATION_OF_CHARGEBACK'),
        { eventCode: 'REFUND_FAILED', pspReference: refund.processor_id!, originalReference: payment, amount: { value: 900, currency: 'USD' } },
        { eventCode: 'REFUND', success: false, pspReference: refund.processor_id!, originalReference: payment, amount: { value: 900, currency: 'USD' } },
      ];
      // D's own account and key: acknowledged at D's endpoint, nothing of C's moves.
      const asD = adyenSigned(
        aboutC.map((i) => ({ ...i, merchantAccountCode: OTHER_ADYEN_ACCOUNT })),
        { key: OTHER_HMAC_KEY },
      );
      expect((await deliver(shopD.id, asD)).text).toBe('[accepted]');
      // D's key, naming C's merchant account, at D's endpoint: not D's account, ignored.
      expect((await deliver(shopD.id, adyenSigned(aboutC, { key: OTHER_HMAC_KEY }))).text).toBe('[accepted]');
      // D's key at C's endpoint, under either account: refused.
      expect((await deliver(shopC.id, asD)).status).toBe(401);
      expect((await deliver(shopC.id, adyenSigned(aboutC, { key: OTHER_HMAC_KEY }))).status).toBe(401);
      // C's genuine batch delivered to D's endpoint: refused (D's key).
      expect((await deliver(shopD.id, adyenSigned(aboutC))).status).toBe(401);
      expect(await stateOf(charge)).toEqual(before);
      expect((await chargeRow(charge)).amount_refunded).toBe(900);
    });

    it("a test notification at a live-account setting, or another account's item signed with the same company key, is ignored", async () => {
      const { charge, payment } = await paid(1600, shopC.secret_key);
      const before = await stateOf(charge);
      const item = chargeback(payment, 1600);
      expect((await deliver(shopC.id, adyenSigned([item('CHARGEBACK')], { live: true }))).text).toBe('[accepted]');
      expect((await deliver(shopC.id, adyenSigned([item('CHARGEBACK', { merchantAccountCode: 'SisterCompanyECOM' })]))).text).toBe('[accepted]');
      expect(await stateOf(charge)).toEqual(before);
    });

    it('REFUND_FAILED and a failed REFUND for one refund, delivered again and together, give the amount back once', async () => {
      const { charge, payment } = await paid(3000, shopC.secret_key);
      const refund = await refunded(charge, 3000, shopC.secret_key);
      const item = (eventCode: string, success = true) => ({
        eventCode,
        success,
        pspReference: refund.processor_id!,
        originalReference: payment,
        amount: { value: 3000, currency: 'USD' },
      });
      const batch = adyenSigned([item('REFUND_FAILED'), item('REFUND', false), item('REFUND_FAILED')]);
      const answers = await Promise.all([batch, batch, adyenSigned([item('REFUND', false)])].map((b) => deliver(shopC.id, b)));
      for (const [i, a] of answers.entries()) if (a.text !== '[accepted]') expect((await deliver(shopC.id, [batch, batch, batch][i]!)).text).toBe('[accepted]');
      expect((await chargeRow(charge)).amount_refunded).toBe(0);
      expect((await refundRows(charge)).map((r) => r.status)).toEqual(['failed']);
      expect((await eventsAbout(charge)).filter((e) => e.type === 'charge.refund_failed')).toHaveLength(1);
      // A successful REFUND for it said later changes nothing (the vault does not turn it back).
      expect((await deliver(shopC.id, adyenSigned([item('REFUND', true)]))).text).toBe('[accepted]');
      expect((await chargeRow(charge)).amount_refunded).toBe(0);
    });

    it('malformed bodies and items answer 4xx and never 500, and apply nothing', async () => {
      const { charge, payment } = await paid(1900, shopC.secret_key);
      const before = await stateOf(charge);
      const valid = JSON.parse(adyen.notification([chargeback(payment, 1900)('CHARGEBACK')])).notificationItems[0];
      const bodies = [
        '',
        'not json',
        'null',
        '[]',
        '{}',
        '{"notificationItems":{}}',
        '{"notificationItems":"x"}',
        JSON.stringify({ notificationItems: [valid, null] }),
        JSON.stringify({ notificationItems: [valid, 'x'] }),
        JSON.stringify({ notificationItems: [valid, {}] }),
        JSON.stringify({ notificationItems: [valid, { NotificationRequestItem: [] }] }),
        JSON.stringify({ notificationItems: [valid, { NotificationRequestItem: { amount: 'x' } }] }),
        JSON.stringify({ notificationItems: [valid, { NotificationRequestItem: { amount: {}, additionalData: { hmacSignature: 'x' } } }] }),
        JSON.stringify({ notificationItems: [{ NotificationRequestItem: { ...valid.NotificationRequestItem, additionalData: null } }] }),
        JSON.stringify({ notificationItems: [{ NotificationRequestItem: { ...valid.NotificationRequestItem, amount: null } }] }),
      ];
      for (const body of bodies) {
        for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
          const res = await deliver(shopC.id, { body, headers: { 'content-type': type } });
          expect(res.status, `${body.slice(0, 80)}: ${res.text}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${body.slice(0, 80)}: ${res.text}`).toBeLessThan(500);
        }
      }
      expect(await stateOf(charge)).toEqual(before);
    });

    it('a signed chargeback whose amount is not whole minor units is refused or read safely, never a 500 after half a batch', async () => {
      const { charge, payment } = await paid(1800, shopC.secret_key);
      const first = chargeback(payment, 1800)('CHARGEBACK');
      const other = await paid(1800, shopC.secret_key);
      const odd = chargeback(other.payment, 1800)('CHARGEBACK', { amount: { value: 'twelve', currency: 'USD' } });
      const res = await deliver(shopC.id, adyenSigned([first, odd]));
      // Whatever the answer, not a server fault, and the batch all or nothing as Adyen sees it: applied and acknowledged, or neither.
      const applied = (await disputeRows(charge)).length;
      expect({ status: res.status < 500 ? 'not 5xx' : res.status, applied }).toEqual({ status: 'not 5xx', applied: res.text === '[accepted]' ? 1 : 0 });
      for (const r of await disputeRows(other.charge)) expect(Number.isInteger(r.amount)).toBe(true);
    });

    it('the notice and the chargeback itself, delivered at the same moment, open one dispute without a 500', async () => {
      const statuses: number[] = [];
      for (let round = 0; round < 4; round++) {
        const { charge, payment } = await paid(2000, shopC.secret_key);
        const item = chargeback(payment, 2000);
        const res = await Promise.all([
          deliver(shopC.id, adyenSigned([item('NOTIFICATION_OF_CHARGEBACK')])),
          deliver(shopC.id, adyenSigned([item('CHARGEBACK')])),
          deliver(shopC.id, adyenSigned([item('SECOND_CHARGEBACK')])),
        ]);
        statuses.push(...res.map((r) => r.status));
        expect(await disputeRows(charge)).toHaveLength(1);
      }
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
    });

    it('a card number in a chargeback reason (a field outside the HMAC) reaches no event, row, answer or log line', async () => {
      const { charge, payment } = await paid(1500, shopC.secret_key);
      const res = await deliver(shopC.id, adyenSigned([chargeback(payment, 1500)('CHARGEBACK', { reason: `Fraud on ${PAN}` })]));
      expect(res.text).toBe('[accepted]');
      const everything = JSON.stringify([await eventsAbout(charge), await disputeRows(charge), (await shopC.api('GET', '/v1/events?limit=100')).body, v.logs]);
      expect(everything).toContain('Fraud on');
      expect(everything).not.toContain(PAN);
      expect(everything).not.toContain(adyen.hmacKey);
      expect(everything).not.toContain(OTHER_HMAC_KEY);
    });
  });
});
