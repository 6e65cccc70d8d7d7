// Attacks on amounts and currencies end to end: currencies whose minor unit is not the hundredth (JPY,
// KWD, ISK, IDR, CLP, VND) through the Stripe and Adyen connectors against their local servers (is the
// provider asked for the sum the customer saw, in the provider's own minor units?), bounds on every
// amount the API takes (0, negative, fractional, strings, past 2^31 and 2^53, past the providers'
// maxima), currency spelling, refunds of one minor unit up to the charge, customer limits across
// currencies, and the amounts written in the fields and the consent text.
//
// Provider rules the connector tests check against:
// - Stripe: ISK "will remain a two-decimal currency in the Stripe API, and an ISK amount of 100 will
//   continue to represent 1 króna" (support.stripe.com/questions/deprecation-of-fractional-isk-charges-and-refunds);
//   three-decimal currencies (BHD, JOD, KWD, OMR, TND) need the last digit of the amount to be 0
//   (docs.stripe.com/currencies#three-decimal); amounts have at most eight digits.
// - Adyen: "For CLP, CVE, IDR, and ISK the standard has a different number of decimals than shown in
//   our currency codes table": CLP 2, CVE 0, IDR 0, ISK 2 (docs.adyen.com/development-resources/currency-codes).
// The vault's contract (docs/api.md, Conventions) takes ISO 4217 minor units: 500 ISK is 500 krónur.
// Written as an attack review; its seven defects (Stripe's ISK and three-decimal amounts, Adyen's IDR, ISK
// and CLP, a dispute past 2^31 on PostgreSQL, codes of no currency, limits summed across currencies) are fixed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { startFakeAdyen, type FakeAdyen } from '../helpers/fake-adyen.ts';
import { startFakeStripe, type FakeStripe } from '../helpers/fake-stripe.ts';
import { nextYear } from '../helpers/money-days.ts';
import { vaultOnAdyen, vaultOnStripe } from '../helpers/provider-fixtures.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, recordMandate, type Shop, startTestVault, type TestVault } from '../helpers/test-vault.ts';

/** Intl's text with its no-break spaces as plain ones. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
/** An answer in the contract's error shape. */
const isContractError = (body: any) =>
  typeof body?.error?.type === 'string' && typeof body?.error?.code === 'string' && typeof body?.error?.message === 'string';

describeEachDb('amount and currency attacks', (target) => {
  let n = 0;
  const uniq = (p: string) => `${p}-${target}-${++n}`;

  /** A checkout paid with a new card: the fields' reading of the session (what the customer saw) and the confirmation's answer. */
  async function pay(v: TestVault, body: Record<string, unknown>) {
    const s = await openSession(v, body);
    const shown = await v.frame('/frame/v1/session', s.secret, {});
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    return { session: s, shown, res };
  }

  describe('through Stripe', () => {
    let fake: FakeStripe;
    let v: TestVault;
    beforeAll(async () => {
      fake = await startFakeStripe();
      v = await vaultOnStripe(target, fake);
    });
    afterAll(async () => {
      await v?.close();
      await fake?.close();
    });

    /** The PaymentIntents the vault created for a currency (lower case, as Stripe takes it): their amounts. */
    const intentAmounts = (currency: string) =>
      fake.requests
        .filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents' && r.body.currency === currency)
        .map((r) => Number(r.body.amount as string));

    it('sends a zero-decimal JPY and a three-decimal KWD amount as they are, in lower case, and the customer sees that sum', async () => {
      const jpy = await pay(v, { amount: 1000, currency: 'JPY' });
      expect(jpy.res.status, jpy.res.text).toBe(200);
      expect(jpy.shown.body.amount_text).toBe('¥1,000');
      expect(intentAmounts('jpy')).toEqual([1000]);
      const kwd = await pay(v, { amount: 1500, currency: 'KWD' });
      expect(kwd.res.status, kwd.res.text).toBe(200);
      expect(plain(kwd.shown.body.amount_text)).toBe('KWD 1.500');
      expect(intentAmounts('kwd')).toEqual([1500]);
      expect(intentAmounts('JPY')).toEqual([]);
    });

    it('asks Stripe for the ISK sum the customer saw: ISK 50,000 is 5000000 in Stripe (two-decimal ISK), not 50000', async () => {
      const isk = await pay(v, { amount: 50_000, currency: 'ISK' });
      expect(plain(isk.shown.body.amount_text)).toBe('ISK 50,000');
      expect(isk.res.status, isk.res.text).toBe(200);
      // Stripe reads 50000 as 500.00 krónur: the customer agreed to a hundred times what is taken.
      expect(intentAmounts('isk')).toEqual([5_000_000]);
    });

    it('never sends Stripe a three-decimal amount whose last digit is not 0 (KWD 1.005): refused before Stripe, in the contract shape', async () => {
      const s = await v.api('POST', '/v1/sessions', { body: { amount: 1005, currency: 'KWD' } });
      expect(s.status).not.toBe(500);
      if (s.status === 201) {
        const res = await v.frame('/frame/v1/confirm', s.body.client_secret, { card: newCard(CARDS.visa) });
        expect(res.status).not.toBe(500);
      }
      // Real Stripe refuses such an amount; the vault should not let a customer reach it.
      expect(intentAmounts('kwd').filter((a) => a % 10 !== 0)).toEqual([]);
    });

    it("answers a payment above Stripe's eight-digit maximum in the contract's error shape, and nothing is taken", async () => {
      const paidBefore = fake.paidCharges().length;
      const big = await pay(v, { amount: 100_000_000, currency: 'USD' });
      expect(big.res.status).not.toBe(500);
      expect(big.res.status).toBeGreaterThanOrEqual(400);
      expect(isContractError(big.res.body), big.res.text).toBe(true);
      expect(fake.paidCharges().length).toBe(paidBefore);
      const session = await v.api('GET', `/v1/sessions/${big.session.id}`);
      expect(session.body).toMatchObject({ status: 'open', charge: null });
    });

    it('refunds one minor unit at a time up to the charge, then refuses one more in the contract shape; Stripe refunded exactly the charge', async () => {
      const paid = await pay(v, { amount: 7, currency: 'JPY' });
      expect(paid.res.status, paid.res.text).toBe(200);
      const charge = paid.res.body.charge as string;
      for (let i = 1; i <= 7; i++) {
        const r = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1 }, headers: { 'idempotency-key': uniq(`one-${i}`) } });
        expect(r.status, r.text).toBe(201);
        expect(r.body).toMatchObject({ amount: 1, currency: 'JPY', status: 'succeeded' });
      }
      const more = await v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 1 }, headers: { 'idempotency-key': uniq('one-more') } });
      expect(more.status).toBe(400);
      expect(more.body.error).toMatchObject({ type: 'invalid_request_error', param: 'amount' });
      const read = await v.api('GET', `/v1/charges/${charge}`);
      expect(read.body).toMatchObject({ amount: 7, amount_refunded: 7 });
      const atStripe = [...fake.charges.values()].filter((c) => c.currency === 'jpy' && c.amount === 7);
      expect(atStripe.map((c) => c.amount_refunded)).toEqual([7]);
    });
  });

  describe('through Adyen', () => {
    let fake: FakeAdyen;
    let v: TestVault;
    beforeAll(async () => {
      fake = await startFakeAdyen();
      v = await vaultOnAdyen(target, fake);
    });
    afterAll(async () => {
      await v?.close();
      await fake?.close();
    });

    const amountsAtAdyen = (currency: string) => fake.payments.filter((p) => p.amount.currency === currency).map((p) => p.amount.value);

    it('sends JPY (0), USD (2) and KWD (3) amounts unchanged: Adyen uses the ISO exponent for them', async () => {
      for (const [amount, currency] of [
        [1000, 'JPY'],
        [1999, 'USD'],
        [1500, 'KWD'],
      ] as const) {
        const before = amountsAtAdyen(currency).length;
        const paid = await pay(v, { amount, currency });
        expect(paid.res.status, paid.res.text).toBe(200);
        expect(amountsAtAdyen(currency).slice(before)).toEqual([amount]);
      }
    });

    it('asks Adyen for the IDR sum the customer saw: IDR 10,000 is 1000000 ISO minor units but 10000 at Adyen (IDR has 0 decimals there)', async () => {
      const idr = await pay(v, { amount: 1_000_000, currency: 'IDR' });
      expect(plain(idr.shown.body.amount_text)).toBe('IDR 10,000');
      expect(idr.res.status, idr.res.text).toBe(200);
      // Sent as is, Adyen charges IDR 1,000,000: a hundred times what the customer agreed to.
      expect(amountsAtAdyen('IDR')).toEqual([10_000]);
    });

    it('asks Adyen for the ISK and CLP sums the customer saw: both have 2 decimals at Adyen, 0 in ISO 4217', async () => {
      const isk = await pay(v, { amount: 500, currency: 'ISK' });
      expect(plain(isk.shown.body.amount_text)).toBe('ISK 500');
      expect(isk.res.status, isk.res.text).toBe(200);
      const clp = await pay(v, { amount: 5000, currency: 'CLP' });
      expect(plain(clp.shown.body.amount_text)).toBe('CLP 5,000');
      expect(clp.res.status, clp.res.text).toBe(200);
      // Sent as is, Adyen charges ISK 5.00 and CLP 50.00.
      expect(amountsAtAdyen('ISK')).toEqual([50_000]);
      expect(amountsAtAdyen('CLP')).toEqual([500_000]);
    });

    it('records a dispute on a charge past 2^31 minor units (VND 3,000,000,000), as it recorded the charge', async () => {
      const paid = await pay(v, { amount: 3_000_000_000, currency: 'VND' });
      expect(paid.res.status, paid.res.text).toBe(200);
      const row = await v.runtime.deps.db.selectFrom('charges').selectAll().where('id', '=', paid.res.body.charge).executeTakeFirstOrThrow();
      expect(Number(row.amount)).toBe(3_000_000_000);
      const body = fake.notification([
        {
          eventCode: 'NOTIFICATION_OF_CHARGEBACK',
          pspReference: `DSP${Date.now()}${n}`,
          originalReference: row.processor_id!,
          amount: { value: 3_000_000_000, currency: 'VND' },
          reason: 'Fraud',
        },
      ]);
      const res = await v.api('POST', `/processor-webhooks/${v.merchant.id}`, { raw: body, headers: { 'content-type': 'application/json' }, key: '' });
      expect(res.status, res.text).toBe(200);
      expect(res.text).toBe('[accepted]');
      const disputes = await v.runtime.deps.db.selectFrom('disputes').selectAll().where('charge_id', '=', row.id).execute();
      expect(disputes.map((d) => [d.status, Number(d.amount), d.currency])).toEqual([['open', 3_000_000_000, 'VND']]);
    });
  });

  describe('on the simulated processor', () => {
    let v: TestVault;
    beforeAll(async () => {
      v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    });
    afterAll(() => v?.close());

    const IMPORTED = { number: CARDS.mastercard, exp_month: 12, exp_year: nextYear + 1 };
    const shop = () => newShop(v, { settings: { frame_limit_per_address: 0 } });
    let keys = 0;
    const charge = (s: Shop, body: Record<string, unknown>) => s.api('POST', '/v1/charges', body, { 'idempotency-key': `amt-${target}-${++keys}` });
    /** A customer's imported card and a mandate recorded for it. */
    async function importedWithMandate(s: Shop, customer: string, currency: string, terms: Record<string, unknown> = {}) {
      const imported = await s.api('POST', `/v1/customers/${customer}/cards`, IMPORTED);
      if (imported.status !== 201) throw new Error(`card not imported: ${imported.text}`);
      const card = imported.body.token as string;
      const mandate = await recordMandate(
        s,
        customer,
        card,
        { min_amount: 1, max_amount: 10_000_000, frequency_days: 0, end_date: `${nextYear}-12-31`, ...terms },
        currency,
      );
      return { card, mandate };
    }

    const BAD_AMOUNTS: unknown[] = [0, -1, 1.5, '100', null, true, 100_000_000_000, 2 ** 31 * 1e3, 2 ** 53, [100], { value: 100 }];
    const RAW_BAD_AMOUNTS = ['1e400', '-0', '9007199254740993', '0x10', '1_000'];

    it("refuses every amount that is not a positive integer within the contract's bound, in sessions, charges, refunds, invoices and limits", async () => {
      const s = await shop();
      const customer = uniq('bounds');
      const { card, mandate } = await importedWithMandate(s, customer, 'USD');
      const paid = await charge(s, { customer, card, mandate, amount: 1000, currency: 'USD' });
      expect(paid.status, paid.text).toBe(201);
      const targets: Array<[string, string, (amount: unknown) => Record<string, unknown>]> = [
        ['POST', '/v1/sessions', (amount) => ({ amount, currency: 'USD' })],
        ['POST', '/v1/charges', (amount) => ({ customer, card, mandate, amount, currency: 'USD' })],
        ['POST', `/v1/charges/${paid.body.id}/refunds`, (amount) => ({ amount })],
        ['POST', '/v1/invoices', (amount) => ({ customer, amount, currency: 'USD', due_date: `${nextYear}-01-01` })],
        ['POST', `/v1/customers/${customer}`, (amount) => ({ limits: { daily: amount } })],
      ];
      for (const [method, path, body] of targets) {
        for (const amount of BAD_AMOUNTS) {
          if (amount === null && path.startsWith('/v1/customers/')) continue; // null removes a limit
          const res = await s.api(method, path, body(amount), { 'idempotency-key': uniq('bad') });
          expect(res.status, `${path} ${JSON.stringify(amount)}: ${res.text}`).toBe(400);
          expect(res.body.error.type).toBe('invalid_request_error');
        }
        for (const raw of RAW_BAD_AMOUNTS) {
          const text = JSON.stringify(body('@@')).replace('"@@"', raw);
          const res = await v.api(method, path, {
            key: s.secret_key,
            raw: text,
            headers: { 'content-type': 'application/json', 'idempotency-key': uniq('raw') },
          });
          if (raw === '-0' && path.startsWith('/v1/customers/')) continue;
          expect(res.status, `${path} ${raw}: ${res.text}`).toBe(400);
          expect(isContractError(res.body), res.text).toBe(true);
        }
      }
      const read = await s.api('GET', `/v1/charges/${paid.body.id}`);
      expect(read.body).toMatchObject({ amount: 1000, amount_refunded: 0 });
    });

    it('refuses agreement bounds that are not safe integers, and keeps the largest safe one exact on both databases', async () => {
      const s = await shop();
      const customer = uniq('terms');
      const imported = await s.api('POST', `/v1/customers/${customer}/cards`, IMPORTED);
      expect(imported.status, imported.text).toBe(201);
      const terms = (max: unknown) => ({
        card: imported.body.token,
        min_amount: 1,
        max_amount: max,
        currency: 'JPY',
        frequency_days: 0,
        end_date: `${nextYear}-12-31`,
        consent: { text: 'Agreed by phone', accepted_at: '2024-01-01T00:00:00Z' },
      });
      for (const max of [2 ** 53, 1e20, 1.5, 0, '5000']) {
        const res = await s.api('POST', `/v1/customers/${customer}/mandates`, terms(max));
        expect(res.status, `${max}: ${res.text}`).toBe(400);
      }
      const session = await s.api('POST', '/v1/sessions', {
        mode: 'setup',
        currency: 'JPY',
        recurring: { min_amount: 0, max_amount: 2 ** 53, frequency_days: 0, end_date: `${nextYear}-12-31` },
      });
      expect(session.status, session.text).toBe(400);
      const ok = await s.api('POST', `/v1/customers/${customer}/mandates`, terms(Number.MAX_SAFE_INTEGER));
      expect(ok.status, ok.text).toBe(201);
      const list = await s.api('GET', `/v1/customers/${customer}/mandates`);
      expect(list.body.data[0]).toMatchObject({ max_amount: Number.MAX_SAFE_INTEGER, currency: 'JPY' });
      // A charge above the contract's own bound is refused by the schema, not compared against the mandate.
      const over = await charge(s, { customer, card: imported.body.token, mandate: ok.body.id, amount: 100_000_000_000, currency: 'JPY' });
      expect(over.status).toBe(400);
      const top = await charge(s, { customer, card: imported.body.token, mandate: ok.body.id, amount: 99_999_999_999, currency: 'JPY' });
      expect(top.status, top.text).toBe(201);
      expect(top.body).toMatchObject({ amount: 99_999_999_999, currency: 'JPY' });
    });

    it('refuses currencies in lower case, with spaces, in other scripts or of other lengths, in every resource that takes one', async () => {
      const s = await shop();
      const customer = uniq('spell');
      const { card, mandate } = await importedWithMandate(s, customer, 'EUR');
      for (const currency of ['eur', 'Eur', ' EUR', 'EUR ', 'E R', 'EURO', 'EU', 'ЕUR', 'ＥＵＲ', 'EU\u0000', '', 978, null]) {
        const label = JSON.stringify(currency);
        const session = await s.api('POST', '/v1/sessions', { amount: 1000, currency });
        expect(session.status, `session ${label}`).toBe(400);
        // A NUL anywhere is refused before the schema, without a param.
        const param = String(currency).includes('\u0000') ? {} : { param: 'currency' };
        expect(session.body.error, `session ${label}: ${session.text}`).toMatchObject({ type: 'invalid_request_error', ...param });
        const mit = await charge(s, { customer, card, mandate, amount: 1000, currency });
        expect(mit.status, `charge ${label}`).toBe(400);
        const inv = await s.api('POST', '/v1/invoices', { customer, amount: 1000, currency, due_date: `${nextYear}-01-01` });
        expect(inv.status, `invoice ${label}`).toBe(400);
      }
      const charges = await s.api('GET', `/v1/charges?customer=${customer}`);
      expect(charges.body.data).toEqual([]);
    });

    it('refuses a code that is not an ISO 4217 currency one can pay in (ABC, QQQ, XXX "no currency", XTS "testing")', async () => {
      const s = await shop();
      for (const currency of ['ABC', 'QQQ', 'XXX', 'XTS']) {
        const res = await s.api('POST', '/v1/sessions', { amount: 1000, currency });
        expect(res.status, `${currency}: ${res.text}`).toBe(400);
        expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'currency' });
      }
    });

    it('does not add minor units of different currencies toward one limit: after ¥9,000, a $20.00 charge fits a 10000 daily limit', async () => {
      const s = await shop();
      const customer = uniq('limits');
      const set = await s.api('POST', `/v1/customers/${customer}`, { limits: { daily: 10_000 } });
      expect(set.status, set.text).toBe(200);
      const jpy = await importedWithMandate(s, customer, 'JPY');
      const usdMandate = await recordMandate(
        s,
        customer,
        jpy.card,
        { min_amount: 1, max_amount: 10_000_000, frequency_days: 0, end_date: `${nextYear}-12-31` },
        'USD',
      );
      const yen = await charge(s, { customer, card: jpy.card, mandate: jpy.mandate, amount: 9000, currency: 'JPY' });
      expect(yen.status, yen.text).toBe(201);
      // ¥9,000 and $20.00 are not 11000 of anything: whatever currency the limit is meant in, one of them
      // is not in it, and the vault must not sum them as if they were the same money.
      const dollars = await charge(s, { customer, card: jpy.card, mandate: usdMandate, amount: 2000, currency: 'USD' });
      expect(dollars.status, dollars.text).toBe(201);
    });

    it('refuses a charge over the daily limit in a single currency, and the refusal records nothing', async () => {
      const s = await shop();
      const customer = uniq('limit-one');
      await s.api('POST', `/v1/customers/${customer}`, { limits: { daily: 10_000 } });
      const { card, mandate } = await importedWithMandate(s, customer, 'KWD');
      expect((await charge(s, { customer, card, mandate, amount: 9_000, currency: 'KWD' })).status).toBe(201);
      const over = await charge(s, { customer, card, mandate, amount: 1_001, currency: 'KWD' });
      expect(over.status).toBe(402);
      expect(over.body.error).toMatchObject({ type: 'card_error', code: 'limit_exceeded' });
      const exact = await charge(s, { customer, card, mandate, amount: 1_000, currency: 'KWD' });
      expect(exact.status, exact.text).toBe(201);
      const list = await s.api('GET', `/v1/charges?customer=${customer}`);
      expect(list.body.data.map((c: any) => [c.status, c.amount])).toEqual([
        ['succeeded', 1_000],
        ['succeeded', 9_000],
      ]);
    });

    it('writes zero- and three-decimal amounts in the fields and the consent text as the currency writes them', async () => {
      const recurring = { min_amount: 100, max_amount: 5000, frequency_days: 30, end_date: `${nextYear}-12-31` };
      const jpy = await openSession(v, { amount: 1000, currency: 'JPY', customer: uniq('jp'), recurring });
      const jpyShown = await v.frame('/frame/v1/session', jpy.secret, {});
      expect(jpyShown.body.amount_text).toBe('¥1,000');
      expect(jpyShown.body.consent_text).toContain('¥5,000');
      expect(jpyShown.body.consent_text).not.toContain('¥50.00');
      const kwd = await openSession(v, { amount: 1000, currency: 'KWD', customer: uniq('kw'), recurring });
      const kwdShown = await v.frame('/frame/v1/session', kwd.secret, {});
      expect(plain(kwdShown.body.amount_text)).toBe('KWD 1.000');
      expect(plain(kwdShown.body.consent_text)).toContain('KWD 5.000');
      expect(plain(kwdShown.body.consent_text)).toContain('KWD 0.100');
      expect(plain(kwdShown.body.consent_text)).not.toContain('KWD 50');
    });
  });
});
