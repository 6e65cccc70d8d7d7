import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, saveCardFor, startTestVault, type TestVault, LIFTABLE_LIMITS } from '../helpers/test-vault.ts';

let serial = 0;
/** A customer number no other test uses. */
const fresh = (label: string) => `fc-${label}-${++serial}`;
const YEAR = new Date().getUTCFullYear();

describeEachDb('POST /frame/v1/confirm', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    // This file makes more requests than the default limits allow (60 a minute per address, 100 a second).
    await v.api('POST', '/v1/merchant', { body: { frame_limit_per_address: 0, rate_limit: 0 } });
  });
  afterAll(() => v.close());

  /** Another merchant (its own customer base) with the given settings; returns its secret key. */
  async function merchantWith(settings: Record<string, unknown>): Promise<string> {
    const m = await v.newMerchant();
    const res = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { frame_limit_per_address: 0, rate_limit: 0, ...settings } });
    if (res.status !== 200) throw new Error(`settings not saved: ${res.text}`);
    return m.secret_key;
  }
  const chargesOf = async (customer: string, key?: string) => (await v.api('GET', `/v1/charges?customer=${customer}&limit=100`, { key })).body.data as any[];
  const cardsOf = async (customer: string, key?: string) => (await v.api('GET', `/v1/customers/${customer}/cards`, { key })).body.data as any[];
  /** saveCardFor for another merchant: a payment that saves the card. */
  async function saveCardWith(key: string, customer: string, number: string = CARDS.visa): Promise<string> {
    const s = await openSession(v, { customer }, key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true });
    if (res.status !== 200) throw new Error(`card not saved: ${res.text}`);
    return res.body.card.token;
  }
  const setupSession = (customer: string, key?: string) => openSession(v, { mode: 'setup', customer, amount: undefined, currency: undefined }, key);

  describe('a new card', () => {
    it('pays and answers with the session, the charge and the masked card, not saved', async () => {
      const s = await openSession(v, { order: 'A-100' });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'succeeded',
        session: s.id,
        saved: false,
        card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: YEAR + 3 },
      });
      expect(res.body.charge).toMatch(/^ch_/);
      expect(res.body.card.token).toBeUndefined();
      expect(res.text).not.toContain(CARDS.visa);
    });

    it("shows the merchant's server the completed session with its charge and masked card", async () => {
      const customer = fresh('complete');
      const s = await openSession(v, { customer, order: 'A-101' });
      const paid = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.mastercard) });
      const read = await v.api('GET', `/v1/sessions/${s.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        id: s.id,
        status: 'complete',
        charge: paid.body.charge,
        order: 'A-101',
        card: { brand: 'mastercard', last4: '4444', exp_month: 12, exp_year: YEAR + 3 },
      });
      expect(read.text).not.toContain(CARDS.mastercard);
      const charge = await v.api('GET', `/v1/charges/${paid.body.charge}`);
      expect(charge.body).toMatchObject({
        id: paid.body.charge,
        status: 'succeeded',
        amount: 1999,
        currency: 'USD',
        customer,
        order: 'A-101',
        initiator: 'customer',
      });
    });

    it('refuses to confirm a completed session again, and charges only once', async () => {
      const customer = fresh('twice');
      const s = await openSession(v, { customer });
      expect((await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) })).status).toBe(200);
      const again = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(again.status).toBe(410);
      expect(again.body.error).toMatchObject({ type: 'invalid_request_error', code: 'session_expired' });
      expect(await chargesOf(customer)).toHaveLength(1);
    });

    it('refuses a session past its expires_at and charges nothing', async () => {
      const customer = fresh('expired');
      const s = await openSession(v, { customer, expires_in: 60 });
      v.setNow(new Date(Date.now() + 120_000));
      try {
        const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
        expect(res.status).toBe(410);
        expect(res.body.error).toMatchObject({ code: 'session_expired' });
        expect((await v.api('GET', `/v1/sessions/${s.id}`)).body.status).toBe('expired');
      } finally {
        v.setNow(undefined);
      }
      expect(await chargesOf(customer)).toEqual([]);
    });
  });

  describe('saving the card', () => {
    it('cannot save a card in a guest checkout', async () => {
      const s = await openSession(v);
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'save' });
      expect((await v.api('GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ status: 'open', charge: null });
    });

    it('saves the card when the customer ticks the box, and tells the merchant', async () => {
      const customer = fresh('save');
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'succeeded', saved: true, card: { brand: 'visa', last4: '4242' } });
      const token = res.body.card.token;
      expect(token).toMatch(/^card_/);
      const cards = await cardsOf(customer);
      expect(cards).toHaveLength(1);
      expect(cards[0]).toMatchObject({
        token,
        bin: '424242',
        last4: '4242',
        brand: 'visa',
        exp_month: 12,
        exp_year: YEAR + 3,
        active: true,
        successful_payments: 1,
      });
      expect((await v.api('GET', `/v1/customers/${customer}`)).body).toMatchObject({ status: 'member', default_card: token });
      const events = await v.api('GET', '/v1/events?type=card.saved&limit=100');
      const event = events.body.data.find((e: any) => e.data.card === token);
      expect(event).toMatchObject({ type: 'card.saved', data: { card: token, customer } });
      expect(events.text).not.toContain(CARDS.visa);
      expect((await v.api('GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ saved: true, card: { token } });
    });

    it('does not save the card when the customer leaves the box unticked', async () => {
      const customer = fresh('nosave');
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(res.status).toBe(200);
      expect(res.body.saved).toBe(false);
      expect(res.body.card.token).toBeUndefined();
      expect(await cardsOf(customer)).toEqual([]);
    });

    it('requires consent when the session says save_card: require', async () => {
      const customer = fresh('require');
      const s = await openSession(v, { customer, save_card: 'require' });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing', param: 'save' });
      expect(await chargesOf(customer)).toEqual([]);
      const ok = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
      expect(ok.status).toBe(200);
      expect(ok.body.saved).toBe(true);
    });

    it('offers a denied customer no saving and no saved cards, and refuses to save for them', async () => {
      const customer = fresh('deny');
      await saveCardFor(v, customer);
      const denied = await v.api('POST', `/v1/customers/${customer}`, { body: { status: 'deny' } });
      expect(denied.body.status).toBe('deny');
      const s = await openSession(v, { customer });
      const view = await v.frame('/frame/v1/session', s.secret);
      expect(view.status).toBe(200);
      expect(view.body.save_card).toBe('off');
      expect(view.body.cards).toEqual([]);
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.mastercard), save: true });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'customer_denied' });
      expect((await cardsOf(customer)).map((c) => c.last4)).toEqual(['4242']);
    });

    it('still lets a denied customer pay without saving', async () => {
      const customer = fresh('deny-pay');
      await v.api('POST', `/v1/customers/${customer}`, { body: { status: 'deny' } });
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'succeeded', saved: false });
      expect(await cardsOf(customer)).toEqual([]);
    });

    it('refuses to save in a session that does not offer saving', async () => {
      const customer = fresh('off');
      const s = await openSession(v, { customer, save_card: 'off' });
      expect((await v.frame('/frame/v1/session', s.secret)).body.save_card).toBe('off');
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'save' });
      expect(await cardsOf(customer)).toEqual([]);
      expect(await chargesOf(customer)).toEqual([]);
    });
  });

  describe('card input', () => {
    const refused = async (card: Record<string, unknown>) => {
      const customer = fresh('input');
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card });
      expect(await chargesOf(customer)).toEqual([]);
      expect(res.text).not.toContain(String(card.number));
      return res;
    };

    it('refuses a number that fails the Luhn check with invalid_number', async () => {
      const res = await refused(newCard('4242424242424241'));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'invalid_number' });
    });

    it('refuses a number of a bad length with invalid_number', async () => {
      for (const number of ['4242424242', '42424242424242424242']) {
        const res = await refused(newCard(number));
        expect(res.status, number).toBe(400);
        expect(res.body.error, number).toMatchObject({ type: 'card_error', code: 'invalid_number' });
      }
    });

    it('refuses an expiry month outside 1-12 with invalid_expiry_month', async () => {
      for (const exp_month of [0, 13]) {
        const res = await refused({ ...newCard(CARDS.visa), exp_month });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ type: 'card_error', code: 'invalid_expiry_month' });
      }
    });

    it('refuses an expiry year in the past with invalid_expiry_year', async () => {
      const res = await refused({ ...newCard(CARDS.visa), exp_year: YEAR - 1 });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'invalid_expiry_year' });
    });

    it("judges the expiry by the vault's clock, as every other date: more than 20 years ahead of it is refused", async () => {
      v.setNow(new Date(Date.UTC(YEAR - 3, 5, 1)));
      try {
        const res = await refused({ ...newCard(CARDS.visa), exp_year: YEAR + 19 });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ type: 'card_error', code: 'invalid_expiry_year' });
      } finally {
        v.setNow(undefined);
      }
    });

    it("has the simulated processor judge the expiry by the vault's clock too: a card still valid on its date is approved", async () => {
      // Three years back, a card that expired last December (by the wall clock) has years to run.
      v.setNow(new Date(Date.UTC(YEAR - 3, 5, 1)));
      try {
        const customer = fresh('sim-clock');
        const s = await openSession(v, { customer });
        const res = await v.frame('/frame/v1/confirm', s.secret, { card: { ...newCard(CARDS.visa), exp_month: 12, exp_year: YEAR - 1 } });
        expect(res.status, res.text).toBe(200);
        expect(res.body).toMatchObject({ status: 'succeeded', card: { exp_month: 12, exp_year: YEAR - 1 } });
        expect(await chargesOf(customer)).toEqual([expect.objectContaining({ id: res.body.charge, status: 'succeeded' })]);
      } finally {
        v.setNow(undefined);
      }
    });

    it('refuses a CVC of the wrong length for the brand with invalid_cvc: 4 digits for Amex, 3 for Visa', async () => {
      for (const card of [newCard(CARDS.amex, '123'), newCard(CARDS.visa, '1234')]) {
        const res = await refused(card);
        expect(res.status, card.cvc).toBe(400);
        expect(res.body.error, card.cvc).toMatchObject({ type: 'card_error', code: 'invalid_cvc' });
        expect(res.text).not.toContain(`"${card.cvc}"`);
      }
    });

    it('refuses a number with letters in it with invalid_number', async () => {
      const res = await refused(newCard('4242 4242 4242 424x'));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'invalid_number' });
    });

    it('refuses a CVC that is too short or not digits with invalid_cvc', async () => {
      for (const cvc of ['12', '12a']) {
        const res = await refused(newCard(CARDS.visa, cvc));
        expect(res.status, cvc).toBe(400);
        expect(res.body.error, cvc).toMatchObject({ type: 'card_error', code: 'invalid_cvc' });
      }
    });
  });

  describe('setup mode', () => {
    it('verifies and saves the card without charging it', async () => {
      const customer = fresh('setup');
      const s = await setupSession(customer);
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'succeeded', session: s.id, saved: true, card: { brand: 'visa', last4: '4242' } });
      expect(res.body.charge).toBeUndefined();
      expect(res.body.card.token).toMatch(/^card_/);
      expect(await chargesOf(customer)).toEqual([]);
      const read = await v.api('GET', `/v1/sessions/${s.id}`);
      expect(read.body).toMatchObject({ status: 'complete', mode: 'setup', charge: null, card: { token: res.body.card.token } });
      expect(await cardsOf(customer)).toMatchObject([{ token: res.body.card.token, successful_payments: 0 }]);
    });

    it("needs the customer's consent to save, as save_card: require does", async () => {
      const customer = fresh('setup-consent');
      const s = await setupSession(customer);
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_missing', param: 'save' });
      expect(await cardsOf(customer)).toEqual([]);
    });
  });

  describe('one-click payment with a saved card', () => {
    it('lists a card with a successful payment, masked to its BIN and last four digits', async () => {
      const customer = fresh('list');
      const token = await saveCardFor(v, customer);
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/session', s.secret);
      expect(res.status).toBe(200);
      expect(res.body.cards).toEqual([
        expect.objectContaining({ token, brand: 'visa', bin: '424242', last4: '4242', exp_month: 12, exp_year: YEAR + 3, need_cvc: true }),
      ]);
      expect(res.text).not.toContain(CARDS.visa);
      expect(res.text).not.toContain('42424242');
    });

    it("pays with only the saved card's token and CVC", async () => {
      const customer = fresh('oneclick');
      const token = await saveCardFor(v, customer);
      const s = await openSession(v, { customer, amount: 2500 });
      const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'succeeded', session: s.id, card: { token, brand: 'visa', last4: '4242' } });
      const charge = await v.api('GET', `/v1/charges/${res.body.charge}`);
      expect(charge.body).toMatchObject({ status: 'succeeded', amount: 2500, customer, card: token, initiator: 'customer' });
      expect((await cardsOf(customer))[0].successful_payments).toBe(2);
    });

    it("offers a card only after the merchant's one_click_after successful payments", async () => {
      const key = await merchantWith({ one_click_after: 2 });
      const customer = fresh('after2');
      const token = await saveCardWith(key, customer);
      const s = await openSession(v, { customer }, key);
      expect((await v.frame('/frame/v1/session', s.secret)).body.cards).toEqual([]);
      const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } });
      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
      expect(await chargesOf(customer, key)).toHaveLength(1);
      // A second payment with the same number brings it to the threshold.
      expect(await saveCardWith(key, customer)).toBe(token);
      const later = await openSession(v, { customer }, key);
      expect((await v.frame('/frame/v1/session', later.secret)).body.cards.map((c: any) => c.token)).toEqual([token]);
    });

    it('asks for the CVC when the merchant needs it', async () => {
      const customer = fresh('needcvc');
      const token = await saveCardFor(v, customer);
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_missing' });
      expect(await chargesOf(customer)).toHaveLength(1);
    });

    it("refuses a saved card's CVC of the wrong length with invalid_cvc", async () => {
      const customer = fresh('cvc-length');
      const token = await saveCardFor(v, customer);
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '12' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'invalid_cvc' });
      expect(await chargesOf(customer)).toHaveLength(1);
    });

    it('pays without a CVC when the merchant set need_cvc to false', async () => {
      const key = await merchantWith({ need_cvc: false });
      const customer = fresh('nocvc');
      const token = await saveCardWith(key, customer);
      const s = await openSession(v, { customer }, key);
      const view = await v.frame('/frame/v1/session', s.secret);
      expect(view.body.cards).toMatchObject([{ token, need_cvc: false }]);
      const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'succeeded', card: { token } });
    });

    it('lets the customer retry a wrong CVC in the same session', async () => {
      const customer = fresh('cvc-retry');
      const token = await saveCardFor(v, customer);
      const s = await openSession(v, { customer });
      const wrong = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '000' } });
      expect(wrong.status).toBe(402);
      expect(wrong.body.error).toMatchObject({ type: 'card_error', code: 'incorrect_cvc' });
      const right = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } });
      expect(right.status).toBe(200);
      expect(right.body).toMatchObject({ status: 'succeeded', session: s.id, card: { token } });
      expect((await v.api('GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ status: 'complete', charge: right.body.charge });
    });

    it('neither lists nor charges in the fields a card imported from another provider', async () => {
      const key = await merchantWith({ one_click_after: 0 });
      const customer = fresh('import');
      const imported = await v.api('POST', `/v1/customers/${customer}/cards`, { key, body: { number: CARDS.mastercard, exp_month: 12, exp_year: YEAR + 2 } });
      expect(imported.status).toBe(201);
      const setup = await setupSession(customer, key);
      const saved = await v.frame('/frame/v1/confirm', setup.secret, { card: newCard(CARDS.visa), save: true });
      const s = await openSession(v, { customer }, key);
      const view = await v.frame('/frame/v1/session', s.secret);
      expect(view.body.cards.map((c: any) => c.token)).toEqual([saved.body.card.token]);
      const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: imported.body.token, cvc: '123' } });
      expect(res.status).toBe(400);
      expect(await chargesOf(customer, key)).toEqual([]);
    });

    it('does not charge a saved card of another customer', async () => {
      const token = await saveCardFor(v, fresh('owner'));
      const customer = fresh('other');
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'resource_missing' });
      expect(await chargesOf(customer)).toEqual([]);
    });
  });

  describe('card testing', () => {
    it('closes a session after five failed confirmations, even for a good card', async () => {
      const customer = fresh('testing');
      const s = await openSession(v, { customer });
      for (let i = 0; i < 5; i++) {
        const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.declined) });
        expect(res.status, `attempt ${i + 1}`).toBe(402);
      }
      const sixth = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(sixth.status).toBe(429);
      expect(sixth.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
      const seventh = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(seventh.status).toBe(429);
      const charges = await chargesOf(customer);
      expect(charges).toHaveLength(5);
      expect(charges.every((c) => c.status === 'failed')).toBe(true);
    });
  });

  describe('the test cards', () => {
    it.each([
      ['Visa', CARDS.visa, 'visa', '4242'],
      ['Mastercard', CARDS.mastercard, 'mastercard', '4444'],
      ['Amex with a 4-digit CVC', CARDS.amex, 'amex', '0005'],
    ])('approves %s', async (_name, number, brand, last4) => {
      const customer = fresh('approve');
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'succeeded', card: { brand, last4 } });
      expect((await chargesOf(customer)).map((c) => c.status)).toEqual(['succeeded']);
    });

    it.each([
      ['4000 0000 0000 0002', 'card_declined', CARDS.declined, 'generic_decline'],
      ['4000 0000 0000 9995', 'insufficient_funds', CARDS.insufficient, undefined],
      ['4000 0000 0000 0127', 'incorrect_cvc', CARDS.incorrectCvc, undefined],
      ['4000 0000 0000 0069', 'expired_card', CARDS.expired, undefined],
    ])('declines %s with 402 %s, naming the recorded failed charge', async (_name, code, number, declineCode) => {
      const customer = fresh('decline');
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number) });
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({ type: 'card_error', code });
      if (declineCode) expect(res.body.error.decline_code).toBe(declineCode);
      expect(res.body.error.charge).toMatch(/^ch_/);
      expect(res.text).not.toContain(number);
      const charges = await chargesOf(customer);
      expect(charges).toHaveLength(1);
      expect(charges[0]).toMatchObject({ id: res.body.error.charge, status: 'failed', amount: 1999, failure: { code } });
      const charge = await v.api('GET', `/v1/charges/${res.body.error.charge}`);
      expect(charge.body).toMatchObject({ status: 'failed', customer });
      expect((await v.api('GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ status: 'open', charge: null });
    });

    it('answers 4000 0000 0000 0119 with 502 processor_unavailable and lets the customer try again', async () => {
      const s = await openSession(v, { customer: fresh('error') });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.processingError) });
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ type: 'api_error', code: 'processor_unavailable' });
      expect(res.text).not.toContain(CARDS.processingError);
      const retry = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(retry.status).toBe(200);
    });

    it('asks for 3-D Secure for 4000 0000 0000 3220', async () => {
      const s = await openSession(v, { customer: fresh('3ds') });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'requires_action', next_action: { type: 'three_d_secure' } });
    });

    it('saves 4000 0000 0000 0341 in setup mode, then declines a one-click payment with it', async () => {
      const key = await merchantWith({ one_click_after: 0 });
      const customer = fresh('0341');
      const setup = await setupSession(customer, key);
      const saved = await v.frame('/frame/v1/confirm', setup.secret, { card: newCard(CARDS.declineAfterSave), save: true });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({ status: 'succeeded', saved: true, card: { last4: '0341' } });
      const token = saved.body.card.token;
      const s = await openSession(v, { customer }, key);
      expect((await v.frame('/frame/v1/session', s.secret)).body.cards.map((c: any) => c.token)).toEqual([token]);
      const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } });
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'card_declined' });
      expect(await chargesOf(customer, key)).toMatchObject([{ id: res.body.error.charge, status: 'failed', card: token }]);
    });
  });

  describe('customer limits', () => {
    it("refuses a payment over the customer's daily limit and records no charge", async () => {
      const customer = fresh('limit');
      const set = await v.api('POST', `/v1/customers/${customer}`, { body: { limits: { daily: 1000 } } });
      expect(set.body.limits).toEqual({ daily: 1000 });
      const s = await openSession(v, { customer, amount: 1999 });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'limit_exceeded' });
      expect(res.body.error.charge).toBeUndefined();
      expect(await chargesOf(customer)).toEqual([]);
      const small = await openSession(v, { customer, amount: 900 });
      expect((await v.frame('/frame/v1/confirm', small.secret, { card: newCard(CARDS.visa) })).status).toBe(200);
      const more = await openSession(v, { customer, amount: 200 });
      const over = await v.frame('/frame/v1/confirm', more.secret, { card: newCard(CARDS.visa) });
      expect(over.status).toBe(402);
      expect(over.body.error.code).toBe('limit_exceeded');
      expect(await chargesOf(customer)).toHaveLength(1);
    });
  });

  describe('POST /frame/v1/cards/delete', () => {
    it("deletes the customer's own saved card", async () => {
      const customer = fresh('delete');
      const token = await saveCardFor(v, customer);
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/cards/delete', s.secret, { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ token, deleted: true });
      expect(await cardsOf(customer)).toEqual([]);
      expect((await v.frame('/frame/v1/session', s.secret)).body.cards).toEqual([]);
      const pay = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } });
      expect(pay.status).toBe(404);
      const events = await v.api('GET', '/v1/events?type=card.deleted&limit=100');
      expect(events.body.data.some((e: any) => e.data.card === token)).toBe(true);
    });

    it('cannot delete a card of another customer', async () => {
      const owner = fresh('del-owner');
      const token = await saveCardFor(v, owner);
      const s = await openSession(v, { customer: fresh('del-other') });
      const res = await v.frame('/frame/v1/cards/delete', s.secret, { token });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'resource_missing' });
      expect((await cardsOf(owner)).map((c) => c.token)).toEqual([token]);
    });

    it('cannot delete any card from a guest checkout', async () => {
      const owner = fresh('del-guest');
      const token = await saveCardFor(v, owner);
      const s = await openSession(v);
      const res = await v.frame('/frame/v1/cards/delete', s.secret, { token });
      expect(res.status).toBe(404);
      expect((await cardsOf(owner)).map((c) => c.token)).toEqual([token]);
    });
  });
});
