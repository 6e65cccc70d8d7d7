// A mandate is consent to amounts in one currency. The attack: a customer agrees to "RUB 1.00–RUB
// 5,000.00 per payment" and the merchant charges USD 5,000 under it. Every way a charge or an invoice
// could cross currencies, and the migration that dates mandates recorded before they had one.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfillMandateCurrency } from '../../server/db/migrations.ts';
import type { AuthorizeRequest } from '../../server/payments/processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, openSession, type TestVault, startTestVault, recordAuthorizations } from '../helpers/test-vault.ts';

const nextYear = new Date().getUTCFullYear() + 1;
const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
/** RUB 1.00 to RUB 5,000.00 per payment, whenever the merchant charges. */
const rubTerms = { min_amount: 100, max_amount: 500_000, frequency_days: 0, end_date: `${nextYear}-12-31` };

describeEachDb('a mandate holds its currency', (target) => {
  let v: TestVault;
  /** Every authorisation the processor is asked for. */
  let calls: AuthorizeRequest[] = [];
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0 } });
    calls = recordAuthorizations(v);
  });
  afterAll(() => v.close());
  beforeEach(() => {
    calls.length = 0;
  });

  /** The customer ticks the vault's wording of a recurring setup session in `currency`; returns that wording too. */
  async function agree(customer: string, currency: string, terms = rubTerms) {
    const s = await openSession(v, { customer, mode: 'setup', amount: undefined, currency, recurring: terms });
    const wording = (await v.frame('/frame/v1/session', s.secret, { locale: 'en' })).body.consent_text as string;
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true, consent_text: wording });
    if (res.status !== 200) throw new Error(`not confirmed: ${res.text}`);
    calls.length = 0;
    return { card: res.body.card.token as string, mandate: res.body.mandate as string, wording };
  }

  /** An imported card with an agreement the merchant records through the API. */
  async function recordAgreement(customer: string, body: Record<string, unknown>) {
    const imported = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number: CARDS.mastercard, exp_month: 12, exp_year: nextYear + 1 } });
    // 201 the first time, 200 when the same card is imported again.
    expect([200, 201], imported.text).toContain(imported.status);
    const card = imported.body.token as string;
    const res = await v.api('POST', `/v1/customers/${customer}/mandates`, {
      body: {
        card,
        min_amount: 100,
        max_amount: 500_000,
        frequency_days: 0,
        end_date: `${nextYear}-12-31`,
        consent: { text: 'Agreed at our previous provider', accepted_at: '2024-03-01T10:00:00Z' },
        ...body,
      },
    });
    return { card, res };
  }

  let keys = 0;
  const charge = (body: Record<string, unknown>) => v.api('POST', '/v1/charges', { body, headers: { 'idempotency-key': `cur-${target}-${++keys}` } });
  const chargesOf = (customer: string) =>
    v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).where('initiator', '=', 'merchant').execute();
  const mandateRow = (id: string) => v.runtime.deps.db.selectFrom('mandates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  describe('POST /v1/charges', () => {
    it('refuses a USD, EUR or KWD charge under consent to roubles: 402 naming both currencies, nothing charged or recorded', async () => {
      const { card, mandate, wording } = await agree('cur-attack', 'RUB');
      // What the customer saw names roubles, and the mandate keeps them.
      expect(wording).toMatch(/RUB|₽/);
      expect((await mandateRow(mandate)).currency).toBe('RUB');
      for (const currency of ['USD', 'EUR', 'KWD']) {
        const res = await charge({ customer: 'cur-attack', card, mandate, amount: 500_000, currency });
        expect(res.status, currency).toBe(402);
        expect(res.body.error).toMatchObject({ type: 'card_error', code: 'mandate_violation', param: 'currency' });
        expect(res.body.error.message).toContain('RUB');
        expect(res.body.error.message).toContain(currency);
        expect(res.body.error.charge).toBeUndefined();
      }
      expect(calls).toEqual([]);
      expect(await chargesOf('cur-attack')).toEqual([]);
      expect((await mandateRow(mandate)).last_charge_at).toBeNull();
    });

    it('still charges in the agreed currency', async () => {
      const { card, mandate } = await agree('cur-same', 'RUB');
      const res = await charge({ customer: 'cur-same', card, mandate, amount: 500_000, currency: 'RUB' });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ status: 'succeeded', amount: 500_000, currency: 'RUB', mandate });
      expect(calls.map((c) => c.currency)).toEqual(['RUB']);
    });

    it('refuses a USD charge under an agreement recorded in EUR', async () => {
      const { card, res: recorded } = await recordAgreement('cur-recorded', { currency: 'EUR' });
      expect(recorded.status, recorded.text).toBe(201);
      expect(recorded.body.currency).toBe('EUR');
      const usd = await charge({ customer: 'cur-recorded', card, mandate: recorded.body.id, amount: 1000, currency: 'USD' });
      expect(usd.status).toBe(402);
      expect(usd.body.error).toMatchObject({ code: 'mandate_violation', param: 'currency', message: expect.stringMatching(/EUR.*USD/) });
      expect(calls).toEqual([]);
      expect(await chargesOf('cur-recorded')).toEqual([]);
      const eur = await charge({ customer: 'cur-recorded', card, mandate: recorded.body.id, amount: 1000, currency: 'EUR' });
      expect(eur.status, eur.text).toBe(201);
    });
  });

  describe('recording the agreement', () => {
    it('refuses a recurring session without a currency, in setup mode too', async () => {
      const setup = await v.api('POST', '/v1/sessions', { body: { mode: 'setup', customer: 'cur-nocurrency', recurring: rubTerms } });
      expect(setup.status).toBe(400);
      expect(setup.body.error).toMatchObject({ code: 'parameter_missing', param: 'currency' });
      // A setup session that saves a card without an agreement needs none.
      expect((await v.api('POST', '/v1/sessions', { body: { mode: 'setup', customer: 'cur-nocurrency' } })).status).toBe(201);
    });

    it('refuses an agreement recorded through the API without a currency, or with one not in ISO 4217 form', async () => {
      const { res: missing } = await recordAgreement('cur-api', {});
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatchObject({ code: 'parameter_missing', param: 'currency' });
      const { res: lower } = await recordAgreement('cur-api', { currency: 'eur' });
      expect(lower.status).toBe(400);
      expect(lower.body.error).toMatchObject({ code: 'parameter_invalid', param: 'currency' });
      expect((await v.api('GET', '/v1/customers/cur-api/mandates')).body.data).toEqual([]);
    });
  });

  describe('automatic invoice payment', () => {
    const run = async () => {
      const res = await v.api('POST', '/v1/scheduler/run', { body: {} });
      expect(res.status).toBe(200);
      return res.body;
    };
    const invoice = async (customer: string, currency: string, amount = 2500) => {
      const res = await v.api('POST', '/v1/invoices', { body: { customer, amount, currency, due_date: inDays(1) } });
      expect(res.status, res.text).toBe(201);
      return res.body.id as string;
    };
    const failures = async (id: string) =>
      (await v.api('GET', '/v1/events?type=invoice.payment_failed&limit=100')).body.data.filter((e: any) => e.data.invoice === id);

    it('charges nothing for an invoice in another currency than the only mandate: payment_failed with mandate_violation', async () => {
      await agree('cur-invoice', 'RUB');
      const id = await invoice('cur-invoice', 'USD');
      await run();
      expect((await v.api('GET', `/v1/invoices/${id}`)).body).toMatchObject({ status: 'open', failure_code: 'mandate_violation', charge: null });
      expect((await failures(id)).map((e: any) => e.data)).toEqual([
        expect.objectContaining({ code: 'mandate_violation', charge: null, message: expect.stringContaining('USD') }),
      ]);
      expect(calls).toEqual([]);
      expect(await chargesOf('cur-invoice')).toEqual([]);
    });

    it('pays an invoice under the mandate in its own currency, never under a newer one in another', async () => {
      const usd = await agree('cur-two', 'USD');
      const rub = await agree('cur-two', 'RUB');
      // The same card saved twice: both agreements are on it, and the roubles one is the newer.
      expect(rub.card).toBe(usd.card);
      const id = await invoice('cur-two', 'USD');
      await run();
      const paid = (await v.api('GET', `/v1/invoices/${id}`)).body;
      expect(paid.status).toBe('paid');
      expect((await v.api('GET', `/v1/charges/${paid.charge}`)).body).toMatchObject({ status: 'succeeded', currency: 'USD', mandate: usd.mandate });
    });
  });

  describe('mandates recorded before they had a currency', () => {
    it('takes the currency of the session that created it, else of its earliest charge; one with neither allows no charge', async () => {
      const fromSession = await agree('cur-old-session', 'RUB');
      const charged = await recordAgreement('cur-old-charged', { currency: 'EUR' });
      const first = await charge({ customer: 'cur-old-charged', card: charged.card, mandate: charged.res.body.id, amount: 1000, currency: 'EUR' });
      expect(first.status).toBe(201);
      const later = await charge({ customer: 'cur-old-charged', card: charged.card, mandate: charged.res.body.id, amount: 2000, currency: 'EUR' });
      expect(later.status).toBe(201);
      const never = await recordAgreement('cur-old-never', { currency: 'USD' });
      const db = v.runtime.deps.db;
      // As an older vault stored them: no currency on the mandates, and a later charge in another
      // currency under one of them (the attack this change closes).
      await db.updateTable('charges').set({ currency: 'USD' }).where('id', '=', later.body.id).execute();
      const ids = [fromSession.mandate, charged.res.body.id, never.res.body.id];
      await db.updateTable('mandates').set({ currency: null }).where('id', 'in', ids).execute();

      await backfillMandateCurrency(db);
      expect((await mandateRow(fromSession.mandate)).currency).toBe('RUB');
      expect((await mandateRow(charged.res.body.id)).currency).toBe('EUR');
      expect((await mandateRow(never.res.body.id)).currency).toBeNull();

      const [shown] = (await v.api('GET', '/v1/customers/cur-old-never/mandates')).body.data;
      expect(shown).toMatchObject({ id: never.res.body.id, currency: null, status: 'active' });
      calls.length = 0;
      const res = await charge({ customer: 'cur-old-never', card: never.card, mandate: never.res.body.id, amount: 1000, currency: 'USD' });
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({ code: 'mandate_violation', message: expect.stringContaining('record the agreement again') });
      expect(calls).toEqual([]);
      expect(await chargesOf('cur-old-never')).toEqual([]);
    });
  });
});
