// Every money path of the contract through each real connector, on its official library, against the
// provider's local server: checkout and save, one-click, the agreement and its merchant-initiated
// charges, an invoice paid automatically, refunds, a decline with the provider's own code, setup
// verification, 3-D Secure through the issuer's page and back, and the provider's signed notifications.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { startLocalProvider, type LocalProvider, type ProviderName } from '../helpers/provider-fixtures.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const nextYear = new Date().getUTCFullYear() + 1;
const today = () => new Date().toISOString().slice(0, 10);
// The fields that tell Adyen a card is stored for an unscheduled agreement, the customer present.
const ECOMMERCE = '"shopperInteraction":"Ecommerce"';
const UNSCHEDULED = '"recurringProcessingModel":"UnscheduledCardOnFile"';

for (const name of ['stripe', 'adyen'] as ProviderName[]) {
  describe(`through the ${name} connector`, () => {
    describeEachDb('money paths', (target) => {
      let provider: LocalProvider;
      let v: TestVault;
      beforeAll(async () => {
        provider = await startLocalProvider(name);
        v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorBaseUrls: { [name]: provider.url } });
        const set = await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0, processor: provider.settings } });
        if (set.status !== 200) throw new Error(`processor not set: ${set.text}`);
        expect(set.body.processor).toMatchObject({ type: name, configured: true });
      });
      afterAll(async () => {
        await v?.close();
        await provider?.close();
      });

      const processorIdOf = async (charge: string) =>
        (await v.runtime.deps.db.selectFrom('charges').select('processor_id').where('id', '=', charge).executeTakeFirstOrThrow()).processor_id!;

      let card = '';
      let mandate = '';
      let firstCharge = '';

      it('pays with a new card, saves it and records the agreement, telling the provider the card is stored for an agreement', async () => {
        const paidBefore = provider.paid();
        const s = await openSession(v, {
          customer: 'alice',
          amount: 2500,
          recurring: { min_amount: 100, max_amount: 5000, frequency_days: 0, end_date: `${nextYear}-12-31` },
        });
        const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
        expect(res.status, res.text).toBe(200);
        expect(res.body).toMatchObject({ status: 'succeeded', saved: true, card: { last4: '4242' } });
        expect(res.body.mandate).toMatch(/^mdt_/);
        card = res.body.card.token;
        mandate = res.body.mandate;
        firstCharge = res.body.charge;
        expect(provider.paid()).toBe(paidBefore + 1);
        const session = await v.api('GET', `/v1/sessions/${s.id}`);
        expect(session.body).toMatchObject({ status: 'complete', charge: firstCharge });
        const mandates = await v.api('GET', '/v1/customers/alice/mandates');
        const nti = mandates.body.data[0].consent?.network_transaction_id ?? (await v.api('GET', `/v1/charges/${firstCharge}`)).body.network_transaction_id;
        expect(nti).toBeTruthy();
        // What the provider was told: the card is being stored for an unscheduled agreement, customer present.
        const wire = JSON.stringify(provider.requests(name === 'stripe' ? /\/confirm$/ : /\/payments$/).at(-1)!.body);
        if (name === 'stripe') expect(wire).toContain('"setup_future_usage":"off_session"');
        // Both fields, in either order.
        else expect(wire).toMatch(new RegExp(`${ECOMMERCE}.*${UNSCHEDULED}|${UNSCHEDULED}.*${ECOMMERCE}`));
        expect(wire).not.toContain(`${CARDS.visa.slice(0, 6)}x`);
      });

      it('pays one-click with the saved card and its CVC, as a stored credential', async () => {
        const before = provider.paid();
        const s = await openSession(v, { customer: 'alice', amount: 1200 });
        const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: card, cvc: '123' } });
        expect(res.status, res.text).toBe(200);
        expect(res.body).toMatchObject({ status: 'succeeded', card: { token: card } });
        expect(provider.paid()).toBe(before + 1);
      });

      let mitCharge = '';
      it("charges under the mandate from the merchant's server, off session, with the first network transaction id", async () => {
        const before = provider.paid();
        const first = await v.api('GET', `/v1/charges/${firstCharge}`);
        const res = await v.api('POST', '/v1/charges', {
          body: { customer: 'alice', card, mandate, amount: 1500, currency: 'USD', order: 'sub-1' },
          headers: { 'idempotency-key': `mit-${name}-${target}` },
        });
        expect(res.status, res.text).toBe(201);
        expect(res.body).toMatchObject({ status: 'succeeded', initiator: 'merchant', mandate, amount: 1500 });
        mitCharge = res.body.id;
        expect(provider.paid()).toBe(before + 1);
        const wire = JSON.stringify(provider.requests(name === 'stripe' ? /\/confirm$/ : /\/payments$/).at(-1)!.body);
        expect(wire).toContain(first.body.network_transaction_id);
        if (name === 'stripe') expect(wire).toContain('"off_session":"true"');
        else expect(wire).toContain('"shopperInteraction":"ContAuth"');
        // A retry with the same key is the same charge, and the provider is not asked to pay twice.
        const again = await v.api('POST', '/v1/charges', {
          body: { customer: 'alice', card, mandate, amount: 1500, currency: 'USD', order: 'sub-1' },
          headers: { 'idempotency-key': `mit-${name}-${target}` },
        });
        expect(again.body.id).toBe(mitCharge);
        expect(provider.paid()).toBe(before + 1);
      });

      it('pays an open invoice automatically with the default card', async () => {
        const before = provider.paid();
        const inv = await v.api('POST', '/v1/invoices', { body: { customer: 'alice', amount: 900, currency: 'USD', due_date: today(), auto_pay: true } });
        expect(inv.status, inv.text).toBe(201);
        const run = await v.api('POST', '/v1/scheduler/run', { body: {} });
        expect(run.status, run.text).toBe(200);
        const after = await v.api('GET', `/v1/invoices/${inv.body.id}`);
        expect(after.body.status).toBe('paid');
        expect(provider.paid()).toBe(before + 1);
      });

      it('refunds part of a charge, then the rest, at the provider', async () => {
        const part = await v.api('POST', `/v1/charges/${mitCharge}/refunds`, {
          body: { amount: 500 },
          headers: { 'idempotency-key': `re1-${name}-${target}` },
        });
        expect(part.status, part.text).toBe(201);
        expect(part.body).toMatchObject({ amount: 500, status: 'succeeded' });
        const rest = await v.api('POST', `/v1/charges/${mitCharge}/refunds`, { body: {}, headers: { 'idempotency-key': `re2-${name}-${target}` } });
        expect(rest.body).toMatchObject({ amount: 1000, status: 'succeeded' });
        const refunds = provider.requests(/refunds$/);
        expect(refunds.length).toBeGreaterThanOrEqual(2);
        const payment = await processorIdOf(mitCharge);
        expect(JSON.stringify(refunds.slice(-2))).toContain(name === 'stripe' ? payment : `/payments/${payment}/refunds`);
      });

      it("records a decline with the contract's code and keeps the provider's own", async () => {
        const s = await openSession(v, { customer: 'bob', amount: 700 });
        const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.insufficient) });
        expect(res.status, res.text).toBe(402);
        expect(res.body.error).toMatchObject({ type: 'card_error', code: 'insufficient_funds' });
        expect(res.body.error.processor_response).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        expect(res.body.error.charge).toMatch(/^ch_/);
        const charge = await v.api('GET', `/v1/charges/${res.body.error.charge}`);
        expect(charge.body).toMatchObject({ status: 'failed', failure: { code: 'insufficient_funds' } });
        expect(charge.body.processor_response.code).toBe(res.body.error.processor_response.code);
      });

      it('verifies a card in setup mode without taking money: the authorisation is voided at once', async () => {
        const before = provider.paid();
        const s = await openSession(v, { customer: 'carol', mode: 'setup', amount: undefined, currency: undefined });
        const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.mastercard), save: true });
        expect(res.status, res.text).toBe(200);
        expect(res.body).toMatchObject({ status: 'succeeded', saved: true });
        expect(res.body.charge).toBeUndefined();
        expect(provider.requests(name === 'stripe' ? /\/cancel$/ : /\/cancels$/).length).toBeGreaterThanOrEqual(1);
        // The check was held, never captured, then released: no charge is listed for it.
        expect(provider.paid()).toBeLessThanOrEqual(before + 1);
        const charges = await v.api('GET', '/v1/charges?customer=carol');
        expect(charges.body.data).toHaveLength(0);
      });

      it("sends the customer through the issuer's page and back, then completes the payment once", async () => {
        const before = provider.paid();
        const s = await openSession(v, { customer: 'dave', amount: 3100 });
        const body = { card: newCard(CARDS.challenge), save: true };
        const first = await v.frame('/frame/v1/confirm', s.secret, body);
        expect(first.status, first.text).toBe(200);
        expect(first.body).toMatchObject({ status: 'requires_action', next_action: { type: 'three_d_secure' } });
        const { challenge, url } = first.body.next_action;
        // The vault's step frames the issuer's page, and allows exactly that origin to be framed.
        const step = await v.api('GET', new URL(url).pathname);
        expect(step.status).toBe(200);
        const row = await v.runtime.deps.db.selectFrom('challenges').selectAll().where('id', '=', challenge).executeTakeFirstOrThrow();
        const action = JSON.parse(row.action!);
        expect(step.headers.get('content-security-policy')).toContain(`frame-src ${new URL(action.url).origin}`);
        // While the customer is away, the session cannot be paid a second time.
        const meanwhile = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
        expect(meanwhile.status).toBe(409);

        const back = await provider.passIssuerPage(action.url, 'complete');
        expect(back.pathname).toBe(`/frame/3ds/${challenge}/return`);
        const returned = await v.api('GET', back.pathname + back.search);
        expect(returned.status).toBe(200);
        expect(returned.text).toMatch(/status: "passed"/);
        const done = await v.frame('/frame/v1/confirm', s.secret, { ...body, challenge });
        expect(done.status, done.text).toBe(200);
        expect(done.body).toMatchObject({ status: 'succeeded', saved: true });
        expect(provider.paid()).toBe(before + 1);
        // A reload of the return page asks the provider nothing new and changes nothing.
        const again = await v.api('GET', back.pathname + back.search);
        expect(again.text).toMatch(/status: "passed"/);
        expect(provider.paid()).toBe(before + 1);
      });

      it("takes the provider's signed dispute notification once, and refuses a forged one", async () => {
        const payment = await processorIdOf(mitCharge);
        const forged = provider.disputeNotification(payment, { forged: true });
        const refused = await v.api('POST', `/processor-webhooks/${v.merchant.id}`, { raw: forged.body, headers: forged.headers });
        expect(refused.status).toBe(401);
        const real = provider.disputeNotification(payment);
        for (let i = 0; i < 2; i++) {
          const res = await v.api('POST', `/processor-webhooks/${v.merchant.id}`, { raw: real.body, headers: real.headers });
          expect(res.status, res.text).toBe(200);
          if (name === 'adyen') expect(res.text).toBe('[accepted]');
        }
        const events = await v.api('GET', '/v1/events?type=charge.dispute.created');
        expect(events.body.data).toHaveLength(1);
        expect(events.body.data[0].data).toMatchObject({ charge: mitCharge });
      });
    });
  });
}
