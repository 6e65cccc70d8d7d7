// The Stripe connector against a local server that speaks Stripe's wire format (test/helpers/fake-stripe.ts):
// what each vault operation sends, how Stripe's answers map onto the contract, and how an unknown
// outcome is settled without a second charge. Its ledger is the real `processor_operations` table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DbHandle } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrations.ts';
import { NotificationSignatureError, type AuthorizeRequest, type AuthorizeResult, type Processor } from '../../server/payments/processor.ts';
import { createStripeProcessor } from '../../server/processors/stripe/stripe-processor.ts';
import { createPgDatabase, describeEachDb } from '../helpers/databases.ts';
import { FAKE_SECRET_KEY, FAKE_WEBHOOK_SECRET, startFakeStripe, type FakeStripe, type Params } from '../helpers/fake-stripe.ts';
import { CARDS } from '../helpers/test-vault.ts';

const RETURN_URL = 'http://vault.test/frame/3ds/chl_test/return';
const nextYear = new Date().getUTCFullYear() + 2;
let serial = 0;

function request(number: string, overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  return {
    reference: `stripe-test-${++serial}-${Math.random().toString(36).slice(2, 8)}`,
    card: { number, exp_month: 12, exp_year: nextYear, cvc: '123', holder: 'Ada Lovelace' },
    amount: 2000,
    currency: 'USD',
    initiator: 'customer',
    stored_credential: false,
    capture: true,
    return_url: RETURN_URL,
    order: 'ORDER-1',
    merchant: 'mer_test',
    ...overrides,
  };
}

/** A merchant-initiated charge of a stored card (no CVC, no customer to send anywhere). */
function mit(number: string, ntid: string, overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  const base = request(number, {
    initiator: 'merchant',
    stored_credential: true,
    network_transaction_id: ntid,
    agreement: 'scheduled',
    return_url: undefined,
    ...overrides,
  });
  return { ...base, card: { ...base.card, cvc: undefined } };
}

const approvedOf = (result: AuthorizeResult) => {
  if (result.outcome !== 'approved') throw new Error(`expected approved, got ${JSON.stringify(result)}`);
  return result;
};

describeEachDb('Stripe connector', (target) => {
  let handle: DbHandle;
  let dataDir: string;
  let dropPg: (() => Promise<void>) | undefined;
  let fake: FakeStripe;
  let stripe: Processor;

  const connector = (options: { timeoutMs?: number; secretKey?: string; webhookSecret?: string | null } = {}) =>
    createStripeProcessor(
      {
        type: 'stripe',
        secret_key: options.secretKey ?? FAKE_SECRET_KEY,
        ...(options.webhookSecret === null ? {} : { webhook_secret: options.webhookSecret ?? FAKE_WEBHOOK_SECRET }),
      },
      { db: handle.db, baseUrl: fake.url, timeoutMs: options.timeoutMs ?? 5000 },
    );

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-connector-'));
    const pgDb = target === 'postgres' ? await createPgDatabase() : undefined;
    dropPg = pgDb?.drop;
    handle = openDatabase({ dataDir, databaseUrl: pgDb?.url });
    await migrate(handle.db);
    fake = await startFakeStripe();
    stripe = connector();
  });
  afterAll(async () => {
    await fake?.close();
    await handle?.close();
    await dropPg?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The requests the connector made for one reference (its idempotency keys all start with it). */
  const sent = (reference: string, suffix = '') => fake.requests.filter((r) => r.headers['idempotency-key'] === `${reference}${suffix}`);
  const confirmOf = (reference: string): Params => {
    const calls = sent(reference, ':confirm');
    expect(calls).toHaveLength(1);
    return calls[0].body;
  };
  const intentFor = (reference: string) => [...fake.intents.values()].filter((pi) => pi.metadata.vault_reference === reference);
  const paidFor = (reference: string) => fake.paidCharges().filter((c) => intentFor(reference).some((pi) => pi.id === c.payment_intent));
  const ledgerRow = (reference: string) => handle.db.selectFrom('processor_operations').selectAll().where('reference', '=', reference).executeTakeFirst();

  describe('customer-initiated payments', () => {
    it('approves with the network transaction id of the charge, the card facts, and the intent written down before it is confirmed', async () => {
      const req = request(CARDS.visa);
      const result = approvedOf(await stripe.authorize(req));
      const [pi] = intentFor(req.reference);
      const charge = fake.charges.get(pi.latest_charge as string)!;
      expect(result).toEqual({
        outcome: 'approved',
        processor_id: pi.id,
        network_transaction_id: charge.payment_method_details!.card!.network_transaction_id,
        card: { country: 'US', issuer: 'Stripe Test Bank' },
      });
      expect(pi.status).toBe('succeeded');
      expect(await ledgerRow(req.reference)).toMatchObject({ reference: req.reference, provider: 'stripe', provider_id: pi.id });

      // Step one: the intent, without the card, its idempotency key the vault's reference.
      const [create] = sent(req.reference);
      expect(create.path).toBe('/v1/payment_intents');
      expect(create.headers.authorization).toBe(`Bearer ${FAKE_SECRET_KEY}`);
      expect(create.body).toEqual({
        amount: '2000',
        currency: 'usd',
        capture_method: 'automatic',
        allowed_payment_method_types: ['card'],
        metadata: { vault_reference: req.reference, merchant: 'mer_test', order: 'ORDER-1' },
      });
      // Step two: confirmed with the raw card, expanded for the result.
      const confirm = confirmOf(req.reference);
      expect(confirm).toEqual({
        payment_method_data: {
          type: 'card',
          card: { number: CARDS.visa, exp_month: '12', exp_year: String(nextYear), cvc: '123' },
          billing_details: { name: 'Ada Lovelace' },
        },
        expand: ['latest_charge', 'payment_method'],
        return_url: RETURN_URL,
      });
      expect(JSON.stringify(result)).not.toContain(CARDS.visa);
    });

    it.each([
      ['generic decline', CARDS.declined, 'card_declined', 'generic_decline', 'card_declined'],
      ['insufficient funds', CARDS.insufficient, 'insufficient_funds', 'insufficient_funds', 'card_declined'],
      ['incorrect CVC', CARDS.incorrectCvc, 'incorrect_cvc', 'incorrect_cvc', 'incorrect_cvc'],
      ['expired card', CARDS.expired, 'expired_card', 'expired_card', 'expired_card'],
    ])("maps a %s onto the contract and keeps Stripe's own code", async (_name, number, code, declineCode, stripeCode) => {
      const req = request(number);
      const result = await stripe.authorize(req);
      const [pi] = intentFor(req.reference);
      expect(result).toMatchObject({
        outcome: 'declined',
        processor_id: pi.id,
        code,
        decline_code: declineCode,
        message: expect.any(String),
        processor_response: { code: stripeCode, message: expect.any(String) },
      });
      expect(pi).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: stripeCode, decline_code: declineCode } });
      expect(JSON.stringify(result)).not.toContain(number);
      // Settled: asking about it, or ending it, answers the same decline.
      expect(await stripe.lookup(req.reference)).toEqual(result);
      expect(await stripe.cancel(req.reference)).toEqual(result);
    });

    it('verifies a card for an agreement with a manual-capture intent, then voids it', async () => {
      const req = request(CARDS.visa, { amount: 100, capture: false, save_card: true, agreement: 'scheduled' });
      const result = approvedOf(await stripe.authorize(req));
      expect(sent(req.reference)[0].body).toMatchObject({ capture_method: 'manual' });
      expect(confirmOf(req.reference)).toMatchObject({
        setup_future_usage: 'off_session',
        payment_method_options: { card: { setup_credential_usage: 'recurring' } },
      });
      expect(fake.intents.get(result.processor_id)).toMatchObject({ status: 'requires_capture', amount_capturable: 100, amount_received: 0 });

      await stripe.void(result.processor_id, req.reference);
      const pi = fake.intents.get(result.processor_id)!;
      expect(pi.status).toBe('canceled');
      expect(fake.charges.get(pi.latest_charge as string)).toMatchObject({ captured: false, refunded: true });
      expect(sent(req.reference, ':void')).toHaveLength(1);
      // Voiding again is harmless.
      await stripe.void(result.processor_id, req.reference);
    });

    it('saves a card on file without a schedule as unscheduled', async () => {
      const req = request(CARDS.visa, { save_card: true });
      approvedOf(await stripe.authorize(req));
      expect(confirmOf(req.reference)).toMatchObject({
        setup_future_usage: 'off_session',
        payment_method_options: { card: { setup_credential_usage: 'unscheduled' } },
      });
    });

    it('pays one-click with a saved card as an on-session payment: no off-session or card-on-file flags', async () => {
      const req = request(CARDS.declineAfterSave, { stored_credential: true });
      approvedOf(await stripe.authorize(req));
      const confirm = confirmOf(req.reference);
      expect(confirm.off_session).toBeUndefined();
      expect(confirm.setup_future_usage).toBeUndefined();
      expect(confirm.payment_method_options).toBeUndefined();
      expect(confirm.return_url).toBe(RETURN_URL);
    });
  });

  describe('merchant-initiated payments', () => {
    it("charges off-session under the first payment's network transaction id, flagged recurring or unscheduled, without a CVC", async () => {
      const first = approvedOf(await stripe.authorize(request(CARDS.visa, { save_card: true, agreement: 'scheduled' })));

      const scheduled = mit(CARDS.visa, first.network_transaction_id);
      const result = approvedOf(await stripe.authorize(scheduled));
      expect(result.processor_id).not.toBe(first.processor_id);
      const confirm = confirmOf(scheduled.reference);
      expect(confirm).toMatchObject({
        off_session: 'true',
        payment_method_options: { card: { stored_credential_usage: 'recurring', mit_exemption: { network_transaction_id: first.network_transaction_id } } },
      });
      expect((confirm.payment_method_data as Params).card).toEqual({ number: CARDS.visa, exp_month: '12', exp_year: String(nextYear) });
      expect(confirm.return_url).toBeUndefined();
      expect(confirm.setup_future_usage).toBeUndefined();

      const unscheduled = mit(CARDS.visa, first.network_transaction_id, { agreement: 'unscheduled' });
      approvedOf(await stripe.authorize(unscheduled));
      expect(confirmOf(unscheduled.reference)).toMatchObject({
        off_session: 'true',
        payment_method_options: { card: { stored_credential_usage: 'unscheduled' } },
      });
    });

    it('is declined when the issuer wants authentication, or when the card declines later charges', async () => {
      const auth = mit(CARDS.challenge, '123456789012345');
      expect(await stripe.authorize(auth)).toMatchObject({
        outcome: 'declined',
        code: 'authentication_required',
        decline_code: 'authentication_required',
        processor_response: { code: 'authentication_required' },
      });
      const later = mit(CARDS.declineAfterSave, '123456789012345');
      expect(await stripe.authorize(later)).toMatchObject({ outcome: 'declined', code: 'card_declined', decline_code: 'generic_decline' });
      expect(paidFor(auth.reference)).toEqual([]);
      expect(paidFor(later.reference)).toEqual([]);
    });

    it("gets the local Stripe's refusal (not a charge) for an off-session charge without a network transaction id", async () => {
      const req = mit(CARDS.visa, '', { network_transaction_id: undefined });
      const result = await stripe.authorize(req);
      expect(result).toMatchObject({ outcome: 'error', message: expect.stringContaining('network_transaction_id') });
      expect(paidFor(req.reference)).toEqual([]);
    });
  });

  describe('3-D Secure', () => {
    /** The customer on the issuer's page: loads it and presses a button of its form. */
    async function pressIssuerButton(url: string, result: 'complete' | 'fail'): Promise<URL> {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      const action = /<form method="post" action="([^"]+)"/.exec(html)![1];
      expect(html).toContain(`value="${result}"`);
      const answer = await fetch(new URL(action, url), { method: 'POST', body: new URLSearchParams({ result }), redirect: 'manual' });
      expect(answer.status).toBe(302);
      return new URL(answer.headers.get('location')!);
    }

    it('redirects to the issuer, and completes once the customer is back', async () => {
      const req = request(CARDS.challenge);
      const result = await stripe.authorize(req);
      const [pi] = intentFor(req.reference);
      expect(result).toEqual({ outcome: 'redirect', processor_id: pi.id, action: { url: `${fake.url}/fake-3ds/${pi.id}`, method: 'GET' } });
      // Not final while the customer is away.
      expect(await stripe.lookup(req.reference)).toBeUndefined();

      const back = await pressIssuerButton((result as Extract<AuthorizeResult, { outcome: 'redirect' }>).action.url, 'complete');
      expect(`${back.origin}${back.pathname}`).toBe(RETURN_URL);
      expect(back.searchParams.get('payment_intent')).toBe(pi.id);
      const params = Object.fromEntries(back.searchParams);

      // Ids on the return address are not trusted: another checkout's reference gets nothing.
      expect(await stripe.completeRedirect({ reference: 'someone-else', processor_id: pi.id, params })).toMatchObject({ outcome: 'error' });
      const completed = approvedOf(await stripe.completeRedirect({ reference: req.reference, processor_id: pi.id, params }));
      expect(completed.processor_id).toBe(pi.id);
      expect(paidFor(req.reference)).toHaveLength(1);
      expect(await stripe.lookup(req.reference)).toEqual(completed);
    });

    it('is declined for authentication when the customer fails it at the issuer', async () => {
      const req = request(CARDS.challenge);
      const result = await stripe.authorize(req);
      if (result.outcome !== 'redirect') throw new Error(JSON.stringify(result));
      const back = await pressIssuerButton(result.action.url, 'fail');
      const completed = await stripe.completeRedirect({
        reference: req.reference,
        processor_id: result.processor_id,
        params: Object.fromEntries(back.searchParams),
      });
      expect(completed).toMatchObject({
        outcome: 'declined',
        code: 'authentication_required',
        processor_response: { code: 'payment_intent_authentication_failure' },
      });
      expect(paidFor(req.reference)).toEqual([]);
    });

    it('asks for 3-D Secure on any card when the merchant forces it', async () => {
      const req = request(CARDS.visa, { force_challenge: true });
      expect(await stripe.authorize(req)).toMatchObject({ outcome: 'redirect' });
      expect(confirmOf(req.reference)).toMatchObject({ payment_method_options: { card: { request_three_d_secure: 'any' } } });
    });

    it('ends a redirect the customer never finished, so the issuer page can no longer take money', async () => {
      const req = request(CARDS.challenge);
      const result = await stripe.authorize(req);
      if (result.outcome !== 'redirect') throw new Error(JSON.stringify(result));
      expect(await stripe.cancel(req.reference)).toBeUndefined();
      expect(fake.intents.get(result.processor_id)!.status).toBe('canceled');
      const page = await fetch(result.action.url);
      expect(page.status).toBe(404);
      expect(paidFor(req.reference)).toEqual([]);
    });
  });

  describe('refunds', () => {
    it('refunds part, then the rest, and is refused past what was paid', async () => {
      const paid = approvedOf(await stripe.authorize(request(CARDS.visa, { amount: 2000 })));
      const part = { reference: `refund-${++serial}`, processor_id: paid.processor_id, amount: 500, currency: 'USD' };
      const first = await stripe.refund(part);
      expect(first).toEqual({ outcome: 'succeeded', processor_id: expect.stringMatching(/^re_/) });
      expect(sent(part.reference)[0]).toMatchObject({ path: '/v1/refunds', body: { payment_intent: paid.processor_id, amount: '500' } });
      // The same reference again is the same refund, not a second one.
      expect(await stripe.refund(part)).toEqual(first);
      expect([...fake.refunds.values()].filter((r) => r.payment_intent === paid.processor_id)).toHaveLength(1);

      expect(await stripe.refund({ ...part, reference: `refund-${++serial}`, amount: 1500 })).toMatchObject({ outcome: 'succeeded' });
      const charge = fake.charges.get(fake.intents.get(paid.processor_id)!.latest_charge as string)!;
      expect(charge).toMatchObject({ amount_refunded: 2000, refunded: true });

      const over = await stripe.refund({ ...part, reference: `refund-${++serial}`, amount: 1 });
      expect(over).toMatchObject({ outcome: 'failed', processor_response: { code: 'amount_too_large' } });
    });
  });

  describe('unknown outcomes', () => {
    it('a 5xx on confirm is unknown; cancel ends the intent, and a late call with the reference takes no money', async () => {
      const req = request(CARDS.visa);
      fake.failNext(1, { path: /\/confirm$/ });
      expect(await stripe.authorize(req)).toMatchObject({ outcome: 'error', message: expect.stringContaining('HTTP 500') });
      expect(await stripe.lookup(req.reference)).toBeUndefined();
      expect(await stripe.cancel(req.reference)).toBeUndefined();
      const [pi] = intentFor(req.reference);
      expect(pi.status).toBe('canceled');

      expect(await stripe.authorize(req)).toMatchObject({ outcome: 'error' });
      expect(intentFor(req.reference)).toHaveLength(1);
      expect(paidFor(req.reference)).toEqual([]);
    });

    it('a 5xx on confirm, asked again with the same reference, charges once', async () => {
      const req = request(CARDS.visa);
      fake.failNext(1, { path: /\/confirm$/ });
      expect(await stripe.authorize(req)).toMatchObject({ outcome: 'error' });
      const again = approvedOf(await stripe.authorize(req));
      expect(intentFor(req.reference)).toHaveLength(1);
      expect(paidFor(req.reference)).toHaveLength(1);
      expect(await stripe.lookup(req.reference)).toEqual(again);
    });

    it('a 5xx before the intent exists: cancel takes the reference, and a late call cancels the intent it creates', async () => {
      const req = request(CARDS.visa);
      fake.failNext(1, { method: 'POST', path: /^\/v1\/payment_intents$/ });
      expect(await stripe.authorize(req)).toMatchObject({ outcome: 'error' });
      expect(await ledgerRow(req.reference)).toBeUndefined();
      expect(await stripe.cancel(req.reference)).toBeUndefined();

      expect(await stripe.authorize(req)).toMatchObject({ outcome: 'error' });
      expect(intentFor(req.reference).map((pi) => pi.status)).toEqual(['canceled']);
      expect(sent(req.reference, ':confirm')).toEqual([]);
      expect(paidFor(req.reference)).toEqual([]);
    });

    it('a timeout is unknown; lookup and cancel find the money it took, and nothing is charged twice', async () => {
      const impatient = connector({ timeoutMs: 250 });
      const req = request(CARDS.visa);
      fake.delayNext(1000, { path: /\/confirm$/ });
      expect(await impatient.authorize(req)).toMatchObject({ outcome: 'error', message: expect.stringContaining('did not answer in time') });
      const found = approvedOf((await stripe.lookup(req.reference))!);
      expect(await stripe.cancel(req.reference)).toEqual(found);
      expect(fake.intents.get(found.processor_id)!.status).toBe('succeeded');
      expect(intentFor(req.reference)).toHaveLength(1);
      expect(paidFor(req.reference)).toHaveLength(1);
    });

    it('a connection dropped once after Stripe operated: the library asks again with the same key and gets the first answer', async () => {
      const req = request(CARDS.visa);
      fake.dropNext({ afterOperating: true, match: { path: /\/confirm$/ } });
      const result = approvedOf(await stripe.authorize(req));
      expect(sent(req.reference, ':confirm')).toHaveLength(2);
      expect(intentFor(req.reference).map((pi) => pi.id)).toEqual([result.processor_id]);
      expect(paidFor(req.reference)).toHaveLength(1);
    });

    it('a connection that stays dropped after Stripe operated is unknown; asking again with the same reference replays the first answer', async () => {
      const req = request(CARDS.visa);
      fake.dropNext({ afterOperating: true, match: { path: /\/confirm$/ }, count: 2 });
      expect(await stripe.authorize(req)).toMatchObject({ outcome: 'error', message: expect.stringContaining('could not be reached') });
      expect(paidFor(req.reference)).toHaveLength(1);

      const again = approvedOf(await stripe.authorize(req));
      const [pi] = intentFor(req.reference);
      expect(again.processor_id).toBe(pi.id);
      expect(again.network_transaction_id).toBe(fake.charges.get(pi.latest_charge as string)!.payment_method_details!.card!.network_transaction_id);
      expect(sent(req.reference, ':confirm')).toHaveLength(3);
      expect(intentFor(req.reference)).toHaveLength(1);
      expect(paidFor(req.reference)).toHaveLength(1);
    });

    it('a connection that stays dropped before Stripe operated: cancel ends the intent with no charge', async () => {
      const req = request(CARDS.visa);
      fake.dropNext({ match: { path: /\/confirm$/ }, count: 2 });
      expect(await stripe.authorize(req)).toMatchObject({ outcome: 'error' });
      expect(await stripe.cancel(req.reference)).toBeUndefined();
      expect(intentFor(req.reference).map((pi) => pi.status)).toEqual(['canceled']);
      expect(paidFor(req.reference)).toEqual([]);
    });

    it('a reference never seen: lookup answers nothing, and nothing is created', async () => {
      expect(await stripe.lookup('never-used')).toBeUndefined();
      expect(intentFor('never-used')).toEqual([]);
    });
  });

  describe('idempotency', () => {
    it('the same reference answers the first result, approved or declined, with one intent each', async () => {
      const ok = request(CARDS.visa);
      const first = await stripe.authorize(ok);
      expect(await stripe.authorize(ok)).toEqual(first);
      expect(intentFor(ok.reference)).toHaveLength(1);
      expect(paidFor(ok.reference)).toHaveLength(1);

      const no = request(CARDS.declined);
      const declined = await stripe.authorize(no);
      expect(await stripe.authorize(no)).toEqual(declined);
      expect(intentFor(no.reference)).toHaveLength(1);
      expect([...fake.charges.values()].filter((c) => c.payment_intent === intentFor(no.reference)[0].id)).toHaveLength(1);
    });

    it("a reference longer than Stripe's 255-character keys still pays once, and is found again", async () => {
      const req = { ...request(CARDS.visa), reference: `idem:mer_test:${'k'.repeat(255)}` };
      const result = approvedOf(await stripe.authorize(req));
      const mine = fake.requests.filter(
        (r) => r.method === 'POST' && ((r.body.metadata as Params | undefined)?.vault_reference === req.reference || r.path.includes(result.processor_id)),
      );
      expect(mine.map((r) => r.path)).toEqual(['/v1/payment_intents', `/v1/payment_intents/${result.processor_id}/confirm`]);
      expect(mine.every((r) => (r.headers['idempotency-key'] as string).length <= 255)).toBe(true);
      expect(await stripe.authorize(req)).toEqual(result);
      expect(await stripe.lookup(req.reference)).toEqual(result);
      expect(intentFor(req.reference)).toHaveLength(1);
      expect(paidFor(req.reference)).toHaveLength(1);
    });

    it('the same reference with other parameters is refused by Stripe, and charges nothing more', async () => {
      const req = request(CARDS.visa);
      approvedOf(await stripe.authorize(req));
      expect(await stripe.authorize({ ...req, amount: 9999 })).toMatchObject({ outcome: 'error', message: expect.stringContaining('idempotency_error') });
      expect(intentFor(req.reference)).toHaveLength(1);
      expect(paidFor(req.reference)).toHaveLength(1);
    });

    it('a wrong secret key is refused, and nothing is charged', async () => {
      const req = request(CARDS.visa);
      expect(await connector({ secretKey: 'sk_test_wrong' }).authorize(req)).toMatchObject({ outcome: 'error' });
      expect(intentFor(req.reference)).toEqual([]);
    });
  });

  describe('the process around it', () => {
    // Each call is made without the library's call-site stack (stripe-client.ts): the limit on stack
    // frames is the process's again once the call is made, whether Stripe approved, refused or failed.
    it("leaves the process's stack traces whole while calls are in flight and after they succeed, are refused, and fail", async () => {
      const before = Error.stackTraceLimit;
      // Read while the call waits for Stripe: the limit is back as soon as the library has taken its stack.
      const paying = stripe.authorize(request(CARDS.visa));
      const inFlight = await new Promise<number>((resolve) => setImmediate(() => resolve(Error.stackTraceLimit)));
      expect(inFlight).toBe(before);
      approvedOf(await paying);
      expect(await connector({ secretKey: 'sk_test_wrong' }).authorize(request(CARDS.visa))).toMatchObject({ outcome: 'error' });
      fake.failNext(1, { path: /\/confirm$/ });
      await stripe.authorize(request(CARDS.visa));
      expect(Error.stackTraceLimit).toBe(before);
      expect(new Error('after the calls').stack!.split('\n').length).toBeGreaterThan(1);
    });
  });

  describe('notifications', () => {
    it('reads disputes and failed refunds from signed events', async () => {
      const paid = approvedOf(await stripe.authorize(request(CARDS.visa, { amount: 3000 })));
      const parse = (event: Parameters<FakeStripe['signed']>[0]) => {
        const { body, headers } = fake.signed(event);
        return stripe.parseNotifications!(body, headers);
      };

      const opened = fake.events.disputeCreated(paid.processor_id, { reason: 'product_not_received' });
      expect(await parse(opened)).toEqual([
        {
          id: opened.id,
          kind: 'dispute_opened',
          payment: paid.processor_id,
          dispute: opened.data.object.id,
          amount: 3000,
          currency: 'USD',
          reason: 'product_not_received',
        },
      ]);
      const won = fake.events.disputeClosed(paid.processor_id, 'won');
      expect(await parse(won)).toEqual([
        {
          id: won.id,
          kind: 'dispute_closed',
          payment: paid.processor_id,
          dispute: won.data.object.id,
          outcome: 'won',
          reason: 'fraudulent',
          at: new Date(won.created * 1000).toISOString(),
        },
      ]);
      expect(await parse(fake.events.disputeClosed(paid.processor_id, 'lost'))).toMatchObject([{ kind: 'dispute_closed', outcome: 'lost' }]);

      const refunded = await stripe.refund({ reference: `refund-${++serial}`, processor_id: paid.processor_id, amount: 1000, currency: 'USD' });
      for (const type of ['refund.failed', 'refund.updated', 'charge.refund.updated'] as const) {
        const failed = fake.events.refundFailed(refunded.processor_id!, type);
        expect(await parse(failed)).toEqual([
          { id: failed.id, kind: 'refund_failed', payment: paid.processor_id, refund: refunded.processor_id, reason: 'expired_or_canceled_card' },
        ]);
      }
    });

    it('ignores events of no concern', async () => {
      const paid = approvedOf(await stripe.authorize(request(CARDS.visa)));
      const other = { ...fake.events.disputeCreated(paid.processor_id), type: 'charge.dispute.updated' as const };
      const { body, headers } = fake.signed(other);
      expect(await stripe.parseNotifications!(body, headers)).toEqual([]);
    });

    it('refuses a forged signature, a tampered body, a missing signature, and any event when no secret is set', async () => {
      const paid = approvedOf(await stripe.authorize(request(CARDS.visa)));
      const event = fake.events.disputeCreated(paid.processor_id);
      const forged = fake.signed(event, 'whsec_not_the_endpoints');
      await expect(stripe.parseNotifications!(forged.body, forged.headers)).rejects.toBeInstanceOf(NotificationSignatureError);
      const genuine = fake.signed(event);
      await expect(stripe.parseNotifications!(genuine.body.replace('"amount":2000', '"amount":1'), genuine.headers)).rejects.toBeInstanceOf(
        NotificationSignatureError,
      );
      await expect(stripe.parseNotifications!(genuine.body, {})).rejects.toBeInstanceOf(NotificationSignatureError);
      await expect(connector({ webhookSecret: null }).parseNotifications!(genuine.body, genuine.headers)).rejects.toBeInstanceOf(NotificationSignatureError);
      expect(await stripe.parseNotifications!(genuine.body, genuine.headers)).toHaveLength(1);
    });
  });
});
