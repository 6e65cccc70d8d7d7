// The Adyen connector against a local server speaking Adyen's Checkout wire format: what each vault
// operation sends (asserted on the wire), how each answer is read, unknown outcomes settled by asking
// again with the same reference, the technical cancel, and signed notifications.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationSignatureError, type AuthorizeRequest, type AuthorizeResult, type Processor } from '../../server/payments/processor.ts';
import { createAdyenProcessor } from '../../server/processors/adyen/adyen-processor.ts';
import { idempotencyKey } from '../../server/processors/adyen/adyen-references.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startFakeAdyen, type FakeAdyen } from '../helpers/fake-adyen.ts';
import { CARDS, newCard, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const TIMEOUT_MS = 400;
const RETURN_URL = 'https://vault.test/frame/3ds/return/chl_test?lang=en';
const year = new Date().getUTCFullYear() + 3;

describeEachDb('Adyen connector', (target) => {
  let v: TestVault;
  let fake: FakeAdyen;
  let adyen: Processor;
  const settings = () => ({
    type: 'adyen' as const,
    api_key: fake.apiKey,
    merchant_account: fake.merchantAccount,
    environment: 'test' as const,
    hmac_key: fake.hmacKey,
  });

  beforeAll(async () => {
    v = await startTestVault(target);
    fake = await startFakeAdyen();
    adyen = createAdyenProcessor(settings(), { db: v.runtime.deps.db, baseUrl: fake.url, timeoutMs: TIMEOUT_MS });
  });
  afterAll(async () => {
    await fake?.close();
    await v?.close();
  });

  let n = 0;
  const newReference = () => `cs_${target}_${++n}:${Math.random().toString(36).slice(2, 10)}`;
  const request = (over: Partial<AuthorizeRequest> = {}): AuthorizeRequest => ({
    reference: newReference(),
    card: newCard(CARDS.visa),
    amount: 1500,
    currency: 'eur',
    initiator: 'customer',
    stored_credential: false,
    capture: true,
    return_url: RETURN_URL,
    ...over,
  });
  /** The /payments body sent for a reference (its Idempotency-Key). */
  const sent = (reference: string) => {
    const found = fake.requestsTo('/payments').filter((r) => r.idempotencyKey === reference);
    expect(found.length).toBeGreaterThan(0);
    return found[found.length - 1];
  };
  /** Nothing the vault is answered may quote the card. */
  const clean = <T>(result: T, card: string = CARDS.visa): T => {
    expect(JSON.stringify(result)).not.toContain(card);
    return result;
  };
  const ledger = (reference: string) => v.runtime.deps.db.selectFrom('processor_operations').selectAll().where('reference', '=', reference).executeTakeFirst();

  describe('authorize: what Adyen is told', () => {
    it('a new card, customer present: the raw card, Ecommerce, redirect 3-D Secure, approved with the network id and card facts', async () => {
      const req = request({ card: { ...newCard(CARDS.visa), holder: 'Ada Lovelace' }, order: 'ORD-7', merchant: 'mer_abc' });
      const result = clean(await adyen.authorize(req));
      expect(result).toEqual({
        outcome: 'approved',
        processor_id: expect.stringMatching(/^[A-Z0-9]{16}$/),
        network_transaction_id: expect.stringMatching(/^NTX\d+$/),
        card: { country: 'US', issuer: 'Fake Issuer Bank' },
      });

      const wire = sent(req.reference);
      expect(wire.apiKey).toBe(fake.apiKey);
      expect(wire.body).toEqual({
        merchantAccount: fake.merchantAccount,
        reference: req.reference,
        amount: { value: 1500, currency: 'EUR' },
        paymentMethod: { type: 'scheme', number: CARDS.visa, expiryMonth: '12', expiryYear: String(year), cvc: '123', holderName: 'Ada Lovelace' },
        shopperInteraction: 'Ecommerce',
        returnUrl: RETURN_URL,
        channel: 'Web',
        authenticationData: { threeDSRequestData: { nativeThreeDS: 'disabled' } },
        metadata: { vault_merchant: 'mer_abc', order: 'ORD-7' },
      });
      const [payment] = fake.paymentsFor(req.reference);
      expect(payment).toMatchObject({ status: 'authorised', manualCapture: false, amount: { value: 1500, currency: 'EUR' } });
      expect(await ledger(req.reference)).toMatchObject({ provider: 'adyen', provider_id: (result as any).processor_id });
    });

    it.each([
      ['a card the customer saves', 'CardOnFile', { save_card: true }],
      ['the first payment of a scheduled agreement', 'Subscription', { agreement: 'scheduled' as const }],
      ['the first payment of an unscheduled agreement', 'UnscheduledCardOnFile', { agreement: 'unscheduled' as const }],
    ])('%s: Ecommerce with recurringProcessingModel %s, nothing tokenised at Adyen', async (_name, model, over) => {
      const req = request(over);
      expect((await adyen.authorize(req)).outcome).toBe('approved');
      const { body } = sent(req.reference);
      expect(body).toMatchObject({
        shopperInteraction: 'Ecommerce',
        recurringProcessingModel: model,
        returnUrl: RETURN_URL,
        paymentMethod: { number: CARDS.visa, cvc: '123' },
      });
      expect(body.storePaymentMethod).toBeUndefined();
      expect(body.additionalData?.networkTxReference).toBeUndefined();
    });

    it('one-click with a saved card: ContAuth + CardOnFile with the CVC typed now; a card refused once stored is declined', async () => {
      const req = request({ stored_credential: true });
      expect((await adyen.authorize(req)).outcome).toBe('approved');
      expect(sent(req.reference).body).toMatchObject({
        shopperInteraction: 'ContAuth',
        recurringProcessingModel: 'CardOnFile',
        returnUrl: RETURN_URL,
        paymentMethod: { cvc: '123' },
      });

      const typed = request({ card: newCard(CARDS.declineAfterSave), save_card: true });
      expect((await adyen.authorize(typed)).outcome).toBe('approved');
      const stored = clean(await adyen.authorize(request({ card: newCard(CARDS.declineAfterSave), stored_credential: true })), CARDS.declineAfterSave);
      expect(stored).toMatchObject({ outcome: 'declined', code: 'card_declined', processor_response: { code: '2', message: 'Refused' } });
    });

    it("merchant-initiated: ContAuth with Subscription or UnscheduledCardOnFile, the first payment's network id, no CVC and no return address", async () => {
      const first = await adyen.authorize(request({ agreement: 'scheduled', save_card: true }));
      if (first.outcome !== 'approved') throw new Error(`not approved: ${first.outcome}`);

      for (const [agreement, model] of [
        ['scheduled', 'Subscription'],
        ['unscheduled', 'UnscheduledCardOnFile'],
      ] as const) {
        // The vault never has a CVC here; one given by mistake is not sent either.
        const req = request({
          initiator: 'merchant',
          stored_credential: true,
          agreement,
          network_transaction_id: first.network_transaction_id,
          return_url: undefined,
        });
        const result = clean(await adyen.authorize(req));
        expect(result).toMatchObject({ outcome: 'approved', network_transaction_id: expect.stringMatching(/^NTX/) });
        const { body } = sent(req.reference);
        expect(body).toMatchObject({
          shopperInteraction: 'ContAuth',
          recurringProcessingModel: model,
          additionalData: { networkTxReference: first.network_transaction_id },
        });
        expect(body.paymentMethod.cvc).toBeUndefined();
        expect(body.returnUrl).toBeUndefined();
        expect(body.authenticationData).toBeUndefined();
      }

      // Without the chain's network id Adyen refuses the request (the fake checks it as Adyen documents).
      const orphan = request({ initiator: 'merchant', stored_credential: true, agreement: 'unscheduled', return_url: undefined });
      expect(await adyen.authorize(orphan)).toMatchObject({ outcome: 'error' });
      expect(fake.rejections.at(-1)?.message).toMatch(/networkTxReference/);
      expect(fake.paymentsFor(orphan.reference)).toEqual([]);
    });
  });

  describe('authorize: how the answer is read', () => {
    it.each([
      [CARDS.declined, 'card_declined', 'generic_decline', '2', 'Refused'],
      [CARDS.insufficient, 'insufficient_funds', 'insufficient_funds', '12', 'Not enough balance'],
      [CARDS.incorrectCvc, 'incorrect_cvc', 'incorrect_cvc', '24', 'CVC Declined'],
      [CARDS.expired, 'expired_card', 'expired_card', '6', 'Expired Card'],
    ])("%s is declined as %s (%s), Adyen's refusal %s kept", async (number, code, declineCode, adyenCode, adyenReason) => {
      const req = request({ card: newCard(number) });
      const result = clean(await adyen.authorize(req), number);
      const [payment] = fake.paymentsFor(req.reference);
      expect(result).toEqual({
        outcome: 'declined',
        processor_id: payment.pspReference,
        code,
        decline_code: declineCode,
        message: expect.any(String),
        processor_response: { code: adyenCode, message: adyenReason },
      });
      expect(payment.status).toBe('refused');
    });

    it("Adyen's Error result, a refused API key and a missing return address are errors, never approvals", async () => {
      expect(clean(await adyen.authorize(request({ card: newCard(CARDS.processingError) })), CARDS.processingError)).toMatchObject({ outcome: 'error' });

      const wrongKey = createAdyenProcessor({ ...settings(), api_key: 'AQE_wrong' }, { db: v.runtime.deps.db, baseUrl: fake.url, timeoutMs: TIMEOUT_MS });
      const refused = await wrongKey.authorize(request());
      expect(refused).toEqual({ outcome: 'error', message: expect.stringContaining('HTTP 401') });

      const before = fake.requests.length;
      expect(await adyen.authorize(request({ return_url: undefined }))).toEqual({ outcome: 'error', message: expect.stringContaining('return_url') });
      expect(fake.requests.length).toBe(before);
    });

    it('a reference longer than Adyen takes is sent as a stable digest, within its limits', async () => {
      const long = `idem:mer_0123456789abcdefghijklm:${'k'.repeat(120)}`;
      const first = await adyen.authorize(request({ reference: long }));
      expect(first.outcome).toBe('approved');
      const [wire] = fake.requests.filter((r) => r.path === '/payments' && r.body.reference.startsWith('vault-'));
      expect(wire.body.reference.length).toBeLessThanOrEqual(80);
      expect(wire.idempotencyKey!.length).toBeLessThanOrEqual(64);
      // The same reference is the same key: asked again, Adyen answers the first payment.
      expect(await adyen.authorize(request({ reference: long }))).toEqual(first);
      expect(fake.payments.filter((p) => p.reference === wire.body.reference)).toHaveLength(1);
    });
  });

  describe('setup verification', () => {
    it('authorises with manual capture, then voids it by pspReference', async () => {
      const req = request({ capture: false, amount: 100, save_card: true });
      const result = await adyen.authorize(req);
      if (result.outcome !== 'approved') throw new Error(`not approved: ${result.outcome}`);
      expect(sent(req.reference).body.additionalData).toEqual({ manualCapture: 'true' });
      expect(fake.paymentsFor(req.reference)[0]).toMatchObject({ status: 'authorised', manualCapture: true });

      await adyen.void(result.processor_id, req.reference);
      const [cancel] = fake.requestsTo(`/payments/${result.processor_id}/cancels`);
      expect(cancel).toMatchObject({
        idempotencyKey: `${req.reference}:void`,
        body: { merchantAccount: fake.merchantAccount, reference: `${req.reference}:void` },
      });
      expect(fake.paymentsFor(req.reference)[0].status).toBe('cancelled');
    });
  });

  describe('3-D Secure', () => {
    /** The customer at the fake issuer's page: the form is read and one of its buttons pressed. */
    async function answerIssuer(action: { url: string; method: string }, button: 'Complete' | 'Fail'): Promise<Record<string, string>> {
      expect(action.method).toBe('GET');
      const page = await (await fetch(action.url)).text();
      const form = /<form method="post" action="([^"]+)">/.exec(page);
      const value = new RegExp(`<button name="result" value="([a-z]+)">${button}</button>`).exec(page);
      expect(form && value).toBeTruthy();
      const res = await fetch(new URL(form![1], action.url), { method: 'POST', body: new URLSearchParams({ result: value![1] }), redirect: 'manual' });
      expect(res.status).toBe(302);
      const back = new URL(res.headers.get('location')!);
      expect(`${back.origin}${back.pathname}`).toBe(RETURN_URL.split('?')[0]);
      expect(back.searchParams.get('lang')).toBe('en');
      return Object.fromEntries(back.searchParams);
    }

    it("the challenge card is sent to the issuer's page; completed there, the payment is authorised", async () => {
      const req = request({ card: newCard(CARDS.challenge) });
      const redirect = clean(await adyen.authorize(req), CARDS.challenge);
      if (redirect.outcome !== 'redirect') throw new Error(`no redirect: ${redirect.outcome}`);
      const [payment] = fake.paymentsFor(req.reference);
      expect(redirect).toEqual({
        outcome: 'redirect',
        processor_id: payment.pspReference,
        action: { url: expect.stringMatching(new RegExp(`^${fake.url}/fake-3ds/`)), method: 'GET' },
      });
      expect(payment.status).toBe('awaiting_3ds');

      const params = await answerIssuer(redirect.action, 'Complete');
      const done = clean(await adyen.completeRedirect({ reference: req.reference, processor_id: redirect.processor_id, params }), CARDS.challenge);
      expect(done).toMatchObject({ outcome: 'approved', processor_id: payment.pspReference, network_transaction_id: expect.stringMatching(/^NTX/) });
      expect(fake.requestsTo('/payments/details').at(-1)).toMatchObject({
        // One key per redirectResult (longer than Adyen's 64 characters, so its digest): a return carrying
        // another result gets a key of its own and cannot spoil this one's.
        idempotencyKey: idempotencyKey(req.reference, `:details:${params.redirectResult}`),
        body: { details: { redirectResult: params.redirectResult } },
      });
      expect(Object.keys(fake.requestsTo('/payments/details').at(-1)!.body)).toEqual(['details']);
      expect(payment.status).toBe('authorised');
    });

    it("failed at the issuer: declined as authentication_required with Adyen's 11", async () => {
      const req = request({ card: newCard(CARDS.challenge) });
      const redirect = await adyen.authorize(req);
      if (redirect.outcome !== 'redirect') throw new Error(`no redirect: ${redirect.outcome}`);
      const done = await adyen.completeRedirect({
        reference: req.reference,
        processor_id: redirect.processor_id,
        params: await answerIssuer(redirect.action, 'Fail'),
      });
      expect(done).toMatchObject({ outcome: 'declined', code: 'authentication_required', processor_response: { code: '11', message: '3D Not Authenticated' } });
      expect(fake.paymentsFor(req.reference)[0].status).toBe('refused');
    });

    it('force_challenge asks Adyen for a challenge on any card; a return from another payment is not believed', async () => {
      const req = request({ force_challenge: true });
      const redirect = await adyen.authorize(req);
      expect(redirect.outcome).toBe('redirect');
      expect(sent(req.reference).body).toMatchObject({
        authenticationData: { attemptAuthentication: 'always', threeDSRequestData: { nativeThreeDS: 'disabled' } },
        threeDS2RequestData: { threeDSRequestorChallengeInd: '04' },
      });

      const other = request({ card: newCard(CARDS.challenge) });
      const otherRedirect = await adyen.authorize(other);
      if (redirect.outcome !== 'redirect' || otherRedirect.outcome !== 'redirect') throw new Error('no redirect');
      const params = await answerIssuer(redirect.action, 'Complete');
      expect(await adyen.completeRedirect({ reference: other.reference, processor_id: otherRedirect.processor_id, params })).toEqual({
        outcome: 'error',
        message: 'the redirect result belongs to another payment',
      });
      expect(await adyen.completeRedirect({ reference: other.reference, processor_id: otherRedirect.processor_id, params: {} })).toMatchObject({
        outcome: 'error',
      });
    });
  });

  describe('refunds', () => {
    it('refunds in full or in part, replays a repeated refund, and reports a refund Adyen refuses as failed', async () => {
      const charge = await adyen.authorize(request({ amount: 2000 }));
      if (charge.outcome !== 'approved') throw new Error(`not approved: ${charge.outcome}`);
      const refundRef = `re_${target}_${n}_a`;

      const partial = await adyen.refund({ reference: refundRef, processor_id: charge.processor_id, amount: 500, currency: 'eur' });
      expect(partial).toEqual({ outcome: 'succeeded', processor_id: expect.stringMatching(/^[A-Z0-9]{16}$/) });
      expect(fake.requestsTo(`/payments/${charge.processor_id}/refunds`)[0]).toMatchObject({
        idempotencyKey: refundRef,
        body: { merchantAccount: fake.merchantAccount, amount: { value: 500, currency: 'EUR' }, reference: refundRef },
      });

      // The same refund asked again (an unknown outcome being settled) is not paid out twice.
      expect(await adyen.refund({ reference: refundRef, processor_id: charge.processor_id, amount: 500, currency: 'eur' })).toEqual(partial);
      const rest = await adyen.refund({ reference: `re_${target}_${n}_b`, processor_id: charge.processor_id, amount: 1500, currency: 'eur' });
      expect(rest.outcome).toBe('succeeded');
      expect(fake.refunds.filter((r) => r.paymentPspReference === charge.processor_id).map((r) => r.value)).toEqual([500, 1500]);

      const beyond = await adyen.refund({ reference: `re_${target}_${n}_c`, processor_id: charge.processor_id, amount: 1, currency: 'eur' });
      expect(beyond).toEqual({ outcome: 'failed', processor_response: { code: '137', message: 'Invalid amount specified' } });
    });
  });

  describe('unknown outcomes', () => {
    const settledOnce = async (setUp: () => void, label: string, afterFirst?: () => void) => {
      const req = request();
      setUp();
      const first = clean(await adyen.authorize(req));
      afterFirst?.();
      expect(first, label).toMatchObject({ outcome: 'error' });
      // Asked again with the same reference: Adyen's first answer, or the payment made now, never two.
      const again = await adyen.authorize(req);
      expect(again, label).toMatchObject({ outcome: 'approved' });
      const made = fake.paymentsFor(req.reference);
      expect(made, label).toHaveLength(1);
      expect((again as Extract<AuthorizeResult, { outcome: 'approved' }>).processor_id).toBe(made[0].pspReference);
      return { req, first };
    };

    it('a 5xx is an error; asked again, the payment is made once', async () => {
      await settledOnce(() => fake.failNext(1, 503), '5xx');
    });

    it("no answer within the timeout is an error; asked again, Adyen's first answer is replayed", async () => {
      const started = Date.now();
      const { first } = await settledOnce(() => fake.delayNext(TIMEOUT_MS * 3), 'timeout');
      expect(first).toEqual({ outcome: 'error', message: expect.stringContaining(`no answer within ${TIMEOUT_MS} ms`) });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3);
    });

    it('a dropped connection, before or after Adyen operated, is an error; asked again, one payment', async () => {
      for (const afterOperating of [true, false]) {
        const label = afterOperating ? 'dropped after operating' : 'dropped before operating';
        // Dropped on the connection used and, when that was a kept-alive one, on the new connection the
        // client asks on once more; a drop left over (the first was a new connection) is forgotten.
        await settledOnce(
          () => {
            fake.dropNext({ afterOperating });
            fake.dropNext({ afterOperating });
          },
          label,
          () => fake.clearDrops(),
        );
      }
    });

    it('lookup cannot ask Adyen: it answers nothing and sends nothing', async () => {
      const before = fake.requests.length;
      expect(await adyen.lookup(newReference())).toBeUndefined();
      expect(fake.requests.length).toBe(before);
    });

    it('the technical cancel by reference releases an authorisation whose answer was lost, and one that arrives late', async () => {
      const lost = request();
      fake.delayNext(TIMEOUT_MS * 3);
      expect((await adyen.authorize(lost)).outcome).toBe('error');
      expect(await adyen.cancel(lost.reference)).toBeUndefined();
      expect(fake.requestsTo('/cancels').at(-1)).toMatchObject({
        idempotencyKey: `${lost.reference}:cancel`,
        body: { merchantAccount: fake.merchantAccount, paymentReference: lost.reference },
      });
      expect(fake.paymentsFor(lost.reference).map((p) => p.status)).toEqual(['cancelled']);

      const late = request();
      expect(await adyen.cancel(late.reference)).toBeUndefined();
      await adyen.authorize(late);
      expect(fake.paymentsFor(late.reference).map((p) => p.status)).toEqual(['cancelled']);
    });
  });

  // What stands between the vault and Adyen (an egress proxy, the network) answering other than Adyen
  // would: each is an error, never an approval, and says what went wrong without quoting the request.
  describe('the HTTP exchange', () => {
    /** A connector whose base URL is a local server answering every request with `answer`. */
    async function behind(answer: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void, timeoutMs = 5000) {
      const server = http.createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => (body += chunk));
        req.on('end', () => answer(req, res, body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const connector = createAdyenProcessor(settings(), { db: v.runtime.deps.db, baseUrl: `http://127.0.0.1:${port}`, timeoutMs });
      return { connector, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    }

    it('does not follow a redirect, even to Adyen: a 3xx is an error and nothing is paid', async () => {
      const proxy = await behind((req, res) => res.writeHead(307, { location: `${fake.url}${req.url}` }).end());
      try {
        const req = request();
        expect(clean(await proxy.connector.authorize(req))).toEqual({ outcome: 'error', message: expect.stringContaining('HTTP 307') });
        expect(fake.paymentsFor(req.reference)).toEqual([]);
      } finally {
        await proxy.close();
      }
    });

    it('gives up on an answer of more than a megabyte, and on one cut off before its end', async () => {
      const huge = await behind((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"pad":"${'x'.repeat(2 << 20)}"}`));
      const cut = await behind((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"resultCode":"Authorised"');
        setTimeout(() => res.destroy(), 20);
      });
      try {
        expect(clean(await huge.connector.authorize(request()))).toEqual({ outcome: 'error', message: 'Adyen could not be reached: AnswerTooLarge' });
        expect(clean(await cut.connector.authorize(request()))).toEqual({ outcome: 'error', message: expect.stringMatching(/^Adyen could not be reached: /) });
      } finally {
        await huge.close();
        await cut.close();
      }
    });

    it('asks once more, on a new connection with the same Idempotency-Key, when a kept-alive one was closed as it was reused: one payment', async () => {
      // A proxy in front of the local Adyen that closes each connection when a second request arrives on
      // it, without answering: what a server's idle timeout does to a request that meets it.
      const served = new WeakSet<object>();
      const keys: string[] = [];
      const proxy = await behind(async (req, res, body) => {
        keys.push(String(req.headers['idempotency-key']));
        if (served.has(req.socket)) return req.socket.destroy();
        served.add(req.socket);
        const upstream = await fetch(`${fake.url}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body });
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      });
      try {
        expect((await proxy.connector.authorize(request())).outcome).toBe('approved');
        const second = request();
        const paid = await proxy.connector.authorize(second);
        expect(paid).toMatchObject({ outcome: 'approved' });
        // Sent on the closed connection, then on a new one, with the same key; paid once.
        expect(keys.filter((k) => k === second.reference)).toHaveLength(2);
        expect(fake.paymentsFor(second.reference).map((p) => p.pspReference)).toEqual([(paid as { processor_id: string }).processor_id]);
      } finally {
        await proxy.close();
      }
    });

    it('names a refused connection by its code', async () => {
      const gone = await behind(() => undefined);
      await gone.close();
      expect(clean(await gone.connector.authorize(request()))).toEqual({ outcome: 'error', message: 'Adyen could not be reached: ECONNREFUSED' });
    });
  });

  describe('notifications', () => {
    const payment = 'PAYMENTPSP000001';

    it('reads signed refund and dispute events; other events and other accounts are ignored', async () => {
      const body = fake.notification([
        {
          eventCode: 'REFUND_FAILED',
          pspReference: 'REFUNDPSP0000001',
          originalReference: payment,
          reason: 'Insufficient balance on payment',
          amount: { value: 500, currency: 'EUR' },
        },
        { eventCode: 'REFUND', success: false, pspReference: 'REFUNDPSP0000002', originalReference: payment, amount: { value: 200, currency: 'EUR' } },
        { eventCode: 'REFUND', success: true, pspReference: 'REFUNDPSP0000003', originalReference: payment, amount: { value: 100, currency: 'EUR' } },
        {
          eventCode: 'NOTIFICATION_OF_CHARGEBACK',
          pspReference: 'DISPUTEPSP000001',
          originalReference: payment,
          reason: 'Fraudulent transaction',
          amount: { value: 1500, currency: 'EUR' },
        },
        { eventCode: 'CHARGEBACK_REVERSED', pspReference: 'DISPUTEPSP000001', originalReference: payment, amount: { value: 1500, currency: 'EUR' } },
        { eventCode: 'SECOND_CHARGEBACK', pspReference: 'DISPUTEPSP000002', originalReference: payment, amount: { value: 1500, currency: 'EUR' } },
        { eventCode: 'PREARBITRATION_WON', pspReference: 'DISPUTEPSP000003', originalReference: payment, amount: { value: 1500, currency: 'EUR' } },
        { eventCode: 'AUTHORISATION', pspReference: payment, amount: { value: 1500, currency: 'EUR' } },
        {
          eventCode: 'CHARGEBACK',
          pspReference: 'DISPUTEPSP000009',
          originalReference: 'OTHERPSP00000001',
          merchantAccountCode: 'SomeOtherAccount',
          amount: { value: 10, currency: 'EUR' },
        },
      ]);
      // Each closing carries the time of its event at Adyen (eventDate), in UTC.
      const eventTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(await adyen.parseNotifications!(body, {})).toEqual([
        { id: 'REFUNDPSP0000001:REFUND_FAILED:true', kind: 'refund_failed', payment, refund: 'REFUNDPSP0000001', reason: 'Insufficient balance on payment' },
        { id: 'REFUNDPSP0000002:REFUND:false', kind: 'refund_failed', payment, refund: 'REFUNDPSP0000002' },
        {
          id: 'DISPUTEPSP000001:NOTIFICATION_OF_CHARGEBACK:true',
          kind: 'dispute_opened',
          payment,
          dispute: 'DISPUTEPSP000001',
          amount: 1500,
          currency: 'EUR',
          reason: 'Fraudulent transaction',
        },
        { id: 'DISPUTEPSP000001:CHARGEBACK_REVERSED:true', kind: 'dispute_closed', payment, dispute: 'DISPUTEPSP000001', outcome: 'won', at: eventTime },
        { id: 'DISPUTEPSP000002:SECOND_CHARGEBACK:true', kind: 'dispute_closed', payment, dispute: 'DISPUTEPSP000002', outcome: 'lost', at: eventTime },
        { id: 'DISPUTEPSP000003:PREARBITRATION_WON:true', kind: 'dispute_closed', payment, dispute: 'DISPUTEPSP000003', outcome: 'won', at: eventTime },
      ]);
    });

    it('refuses a forged, unsigned or wrongly keyed notification, and any when no HMAC key is set', async () => {
      const genuine = fake.notification([
        { eventCode: 'REFUND', success: true, pspReference: 'REFUNDPSP0000010', originalReference: payment, amount: { value: 100, currency: 'EUR' } },
        { eventCode: 'CHARGEBACK', pspReference: 'DISPUTEPSP000010', originalReference: payment, amount: { value: 1500, currency: 'EUR' } },
      ]);
      expect(await adyen.parseNotifications!(genuine, {})).toHaveLength(1);

      const forged = JSON.parse(genuine);
      forged.notificationItems[1].NotificationRequestItem.amount.value = 150000;
      await expect(adyen.parseNotifications!(JSON.stringify(forged), {})).rejects.toBeInstanceOf(NotificationSignatureError);

      const unsigned = JSON.parse(genuine);
      delete unsigned.notificationItems[0].NotificationRequestItem.additionalData.hmacSignature;
      await expect(adyen.parseNotifications!(JSON.stringify(unsigned), {})).rejects.toBeInstanceOf(NotificationSignatureError);

      const otherKey = fake.notification([{ eventCode: 'CHARGEBACK', originalReference: payment }], { key: 'AB'.repeat(32) });
      await expect(adyen.parseNotifications!(otherKey, {})).rejects.toBeInstanceOf(NotificationSignatureError);
      await expect(adyen.parseNotifications!('not json', {})).rejects.toBeInstanceOf(NotificationSignatureError);

      const keyless = createAdyenProcessor({ ...settings(), hmac_key: undefined }, { db: v.runtime.deps.db, baseUrl: fake.url, timeoutMs: TIMEOUT_MS });
      await expect(keyless.parseNotifications!(genuine, {})).rejects.toBeInstanceOf(NotificationSignatureError);
    });
  });
});
