// A customer agrees to automatic payments with a card they already saved: the fields list it in a
// recurring session, setup mode included, and ask for its CVC, the customer's proof of presence for
// the agreement. The card is verified with the processor and the mandate made on it; no second copy
// is stored. Every other protection holds: the tick, the CVC and its count, a denied customer, a card
// of someone else, a sister shop's card, and one_click_after for one-click payments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import {
  CARDS,
  LIFTABLE_LIMITS,
  newCard,
  newShop,
  openSession,
  recordAuthorizations,
  type Shop,
  type TestVault,
  startTestVault,
} from '../helpers/test-vault.ts';
import type { AuthorizeRequest } from '../../server/payments/processor.ts';

const nextYear = new Date().getUTCFullYear() + 1;
const terms = { min_amount: 100, max_amount: 50_000, frequency_days: 0, end_date: `${nextYear}-12-31` };

describeEachDb('agreeing to automatic payments with a saved card', (target) => {
  let v: TestVault;
  let calls: AuthorizeRequest[];
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    calls = recordAuthorizations(v);
  });
  afterAll(() => v.close());

  let n = 0;
  const shop = (group?: string, settings: Record<string, unknown> = {}) => newShop(v, { group, settings: { frame_limit_per_address: 0, ...settings } });

  /** The customer saves a card with a new-card session of `s`: a payment (one-click from then on) or a setup (no payment). */
  async function savedAt(s: Shop, how: 'payment' | 'setup' = 'payment', number: string = CARDS.visa) {
    const customer = `agree-${++n}`;
    const body = how === 'payment' ? { customer, amount: 1000 } : { customer, mode: 'setup', amount: undefined };
    const session = await openSession(v, body, s.secret_key);
    const res = await v.frame('/frame/v1/confirm', session.secret, { card: newCard(number), save: true });
    expect(res.status, res.text).toBe(200);
    return { customer, card: res.body.card.token as string };
  }
  const agreement = (s: Shop, customer: string) => openSession(v, { customer, mode: 'setup', amount: undefined, recurring: terms }, s.secret_key);
  const listed = async (secret: string) => (await v.frame('/frame/v1/session', secret)).body.cards as any[];
  const cardsOf = async (s: Shop, customer: string) => (await s.api('GET', `/v1/customers/${customer}/cards`)).body.data as any[];
  const mandatesOf = async (s: Shop, customer: string) => (await s.api('GET', `/v1/customers/${customer}/mandates`)).body.data as any[];
  const chargesOf = async (s: Shop, customer: string) => (await s.api('GET', `/v1/charges?customer=${customer}&limit=100`)).body.data as any[];
  const eventsOf = async (s: Shop, type: string) => (await s.api('GET', `/v1/events?type=${type}&limit=100`)).body.data as any[];
  const cardRow = (token: string) => v.runtime.deps.db.selectFrom('cards').selectAll().where('token', '=', token).executeTakeFirstOrThrow();

  it('lists the saved card in a recurring setup session with need_cvc, and makes the mandate on it with its CVC and the tick', async () => {
    // need_cvc: false and a card used at this shop: the agreement asks for the CVC all the same.
    const s = await shop(undefined, { need_cvc: false });
    const { customer, card } = await savedAt(s);
    const session = await agreement(s, customer);
    expect(await listed(session.secret)).toEqual([expect.objectContaining({ token: card, last4: '4242', need_cvc: true })]);

    const before = calls.length;
    const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', session: session.id, saved: false, card: { token: card, last4: '4242' } });
    expect(res.body.mandate).toMatch(/^mdt_/);
    expect(res.body.charge).toBeUndefined();
    // Verified with the CVC by an authorisation of 1.00 that is not captured, flagged as the agreement's first use.
    expect(calls.slice(before)).toEqual([
      expect.objectContaining({ amount: 100, capture: false, initiator: 'customer', stored_credential: true, agreement: 'unscheduled' }),
    ]);
    expect(calls.at(-1)!.card.cvc).toBe('123');

    const read = await s.api('GET', `/v1/sessions/${session.id}`);
    expect(read.body).toMatchObject({ status: 'complete', mode: 'setup', charge: null, card: { token: card, last4: '4242' }, mandate: res.body.mandate });
    expect(read.text).not.toContain(CARDS.visa);
    expect((await cardsOf(s, customer)).map((c) => c.token)).toEqual([card]);
    expect(await mandatesOf(s, customer)).toEqual([
      expect.objectContaining({ id: res.body.mandate, card, status: 'active', min_amount: 100, max_amount: 50_000, frequency_days: 0 }),
    ]);
    // Only the payment that saved the card: the check is no charge.
    expect((await chargesOf(s, customer)).map((c) => c.amount)).toEqual([1000]);
    expect(await eventsOf(s, 'mandate.created')).toEqual([expect.objectContaining({ data: expect.objectContaining({ mandate: res.body.mandate }) })]);
    expect((await eventsOf(s, 'session.completed')).map((e) => e.data)).toContainEqual(
      expect.objectContaining({ session: session.id, card, saved: false, mandate: res.body.mandate }),
    );
    expect((await eventsOf(s, 'card.saved')).map((e) => e.data.card)).toEqual([card]);

    // The agreement serves: an auto-pay invoice is charged to the card under it.
    const dueDate = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const invoice = await s.api('POST', '/v1/invoices', { customer, amount: 2500, currency: 'USD', due_date: dueDate, auto_pay: true });
    expect(invoice.status, invoice.text).toBe(201);
    expect((await s.api('POST', '/v1/scheduler/run', {})).body).toMatchObject({ paid: 1 });
    expect((await s.api('GET', `/v1/invoices/${invoice.body.id}`)).body.status).toBe('paid');
  });

  it('shows and records the agreement "with this card" for a saved card, and "save this card" for a new one, in the customer\'s language', async () => {
    const s = await shop();
    const { customer, card } = await savedAt(s);
    const session = await agreement(s, customer);
    const shown = (await v.frame('/frame/v1/session', session.secret, { locale: 'de' })).body;
    const end = `bis zum 31. Dezember ${nextYear}.`;
    expect(shown.consent_text).toMatch(/^Diese Karte speichern und wiederkehrenden Zahlungen an „Test shop“ zustimmen: /);
    expect(shown.consent_text_saved_card).toMatch(/^Wiederkehrenden Zahlungen an „Test shop“ mit dieser Karte zustimmen: /);
    // The same terms after the colon, word for word.
    expect(shown.consent_text_saved_card.split(': ')[1]).toBe(shown.consent_text.split(': ')[1]);
    expect(shown.consent_text).toContain(end);

    const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true, locale: 'de' });
    expect(res.status, res.text).toBe(200);
    const recorded = async () => (await mandatesOf(s, customer)).map((m) => [m.card, m.consent.text]);
    expect(await recorded()).toEqual([[card, shown.consent_text_saved_card]]);

    // The same customer agrees again with a new card: that text saves the card.
    await s.api('POST', `/v1/customers/${customer}`, { locale: 'ru' });
    const second = await agreement(s, customer);
    const russian = (await v.frame('/frame/v1/session', second.secret)).body;
    expect(russian.consent_text).toMatch(/^Сохранить карту и согласиться на регулярные платежи в пользу «Test shop»: /);
    expect(russian.consent_text_saved_card).toMatch(/^Согласиться на регулярные платежи с этой карты в пользу «Test shop»: /);
    const fresh = await v.frame('/frame/v1/confirm', second.secret, { card: newCard(CARDS.mastercard), save: true });
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.body.saved).toBe(true);
    expect(await recorded()).toContainEqual([fresh.body.card.token, russian.consent_text]);
  });

  it('needs the tick: without it no agreement and the session stays open', async () => {
    const s = await shop();
    const { customer, card } = await savedAt(s);
    const session = await agreement(s, customer);
    expect((await listed(session.secret)).map((c) => c.token)).toEqual([card]);
    const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing', param: 'save' });
    expect(await mandatesOf(s, customer)).toEqual([]);
    expect((await s.api('GET', `/v1/sessions/${session.id}`)).body.status).toBe('open');
  });

  it('needs the CVC, and a wrong one is declined and counted on the card like any other; the right one then agrees and clears the count', async () => {
    const s = await shop();
    const { customer, card } = await savedAt(s);
    const session = await agreement(s, customer);
    const missing = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card }, save: true });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'parameter_missing', param: 'saved_card.cvc' });

    // The simulated processor declines an all-zero CVC as a wrong one.
    const wrong = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '000' }, save: true });
    expect(wrong.status).toBe(402);
    expect(wrong.body.error).toMatchObject({ type: 'card_error', code: 'incorrect_cvc' });
    expect((await cardRow(card)).cvc_failures).toBe(1);
    expect(await listed(session.secret)).toEqual([expect.objectContaining({ token: card })]);
    expect((await v.frame('/frame/v1/session', session.secret)).body.failed_attempts).toBe(1);
    expect(await mandatesOf(s, customer)).toEqual([]);

    const right = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
    expect(right.status, right.text).toBe(200);
    expect((await cardRow(card)).cvc_failures).toBe(0);
    expect((await mandatesOf(s, customer)).map((m) => m.id)).toEqual([right.body.mandate]);
  });

  it('is locked out with the card after three wrong CVCs, as one-click is', async () => {
    const s = await shop();
    const { customer, card } = await savedAt(s);
    for (let i = 0; i < 3; i++) {
      const session = await agreement(s, customer);
      expect((await listed(session.secret)).map((c) => c.token)).toEqual([card]);
      expect((await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '000' }, save: true })).status).toBe(402);
    }
    const session = await agreement(s, customer);
    const locked = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate_limited');
    expect(await mandatesOf(s, customer)).toEqual([]);
  });

  it('offers a denied customer no saved card, and makes no agreement for them', async () => {
    const s = await shop();
    const { customer, card } = await savedAt(s);
    expect((await listed((await agreement(s, customer)).secret)).map((c) => c.token)).toEqual([card]);
    expect((await s.api('POST', `/v1/customers/${customer}`, { status: 'deny' })).body.status).toBe('deny');
    const session = await agreement(s, customer);
    expect(await listed(session.secret)).toEqual([]);
    const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'customer_denied' });
    expect(await mandatesOf(s, customer)).toEqual([]);
  });

  it("refuses another customer's card", async () => {
    const s = await shop();
    const owner = await savedAt(s);
    const { customer } = await savedAt(s);
    const session = await agreement(s, customer);
    expect((await listed(session.secret)).map((c) => c.token)).toEqual([(await cardsOf(s, customer))[0].token]);
    const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: owner.card, cvc: '123' }, save: true });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'resource_missing', param: 'saved_card.token' });
    expect(await mandatesOf(s, owner.customer)).toEqual([]);
    expect(await mandatesOf(s, customer)).toEqual([]);
  });

  it("lets a sister shop's agreement use a card saved at another shop of the group only with the CVC, and its server still cannot record one", async () => {
    const a = await shop();
    const b = await shop(a.group, { need_cvc: false });
    const { customer, card } = await savedAt(a);
    const session = await agreement(b, customer);
    expect(await listed(session.secret)).toEqual([expect.objectContaining({ token: card, need_cvc: true })]);
    const without = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card }, save: true });
    expect(without.body.error).toMatchObject({ code: 'parameter_missing', param: 'saved_card.cvc' });
    const forged = await b.api('POST', `/v1/customers/${customer}/mandates`, {
      card,
      ...terms,
      currency: 'USD',
      consent: { text: 'Agreed elsewhere', accepted_at: new Date().toISOString() },
    });
    expect(forged.body.error).toMatchObject({ code: 'mandate_violation' });
    const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
    expect(res.status, res.text).toBe(200);
    expect((await mandatesOf(b, customer)).map((m) => [m.id, m.card])).toEqual([[res.body.mandate, card]]);
    expect(await mandatesOf(a, customer)).toEqual([]);
  });

  it('verifies 4000 0000 0000 0341 for the agreement (it saves and verifies), and declines the charges under it', async () => {
    const s = await shop();
    const { customer, card } = await savedAt(s, 'payment', CARDS.declineAfterSave);
    const session = await agreement(s, customer);
    const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
    expect(res.status, res.text).toBe(200);
    const charge = await s.api(
      'POST',
      '/v1/charges',
      { customer, card, amount: 2500, currency: 'USD', mandate: res.body.mandate },
      { 'idempotency-key': `dal-${n}` },
    );
    expect(charge.status).toBe(402);
    expect(charge.body.error).toMatchObject({ code: 'card_declined', decline_code: 'generic_decline' });
  });

  describe('a card saved without a payment (below one_click_after)', () => {
    it('is listed and agreed with its CVC in a recurring setup session', async () => {
      const s = await shop();
      const { customer, card } = await savedAt(s, 'setup');
      expect((await cardRow(card)).successful_payments).toBe(0);
      const session = await agreement(s, customer);
      expect(await listed(session.secret)).toEqual([expect.objectContaining({ token: card, need_cvc: true })]);
      const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
      expect(res.status, res.text).toBe(200);
      expect((await mandatesOf(s, customer)).map((m) => [m.id, m.card])).toEqual([[res.body.mandate, card]]);
      expect((await cardsOf(s, customer)).map((c) => c.token)).toEqual([card]);
    });

    it('is listed and paid with its CVC in a recurring payment session', async () => {
      const s = await shop();
      const { customer, card } = await savedAt(s, 'setup');
      const session = await openSession(v, { customer, amount: 1500, recurring: terms }, s.secret_key);
      expect(await listed(session.secret)).toEqual([expect.objectContaining({ token: card, need_cvc: true })]);
      const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
      expect(res.status, res.text).toBe(200);
      expect(res.body.charge).toMatch(/^ch_/);
      expect((await mandatesOf(s, customer)).map((m) => m.card)).toEqual([card]);
    });

    it('is still neither listed nor accepted for a one-click payment without an agreement', async () => {
      const s = await shop();
      const { customer, card } = await savedAt(s, 'setup');
      const session = await openSession(v, { customer, amount: 1500 }, s.secret_key);
      expect(await listed(session.secret)).toEqual([]);
      const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'saved_card.token' });
      expect(await chargesOf(s, customer)).toEqual([]);
    });
  });

  it('records the wording the customer was shown, even when the merchant renames itself meanwhile', async () => {
    const s = await shop();
    const { customer, card } = await savedAt(s);
    const session = await agreement(s, customer);
    const shown = (await v.frame('/frame/v1/session', session.secret)).body;
    expect(shown.consent_text_saved_card).toContain('“Test shop”');
    expect((await s.api('POST', '/v1/merchant', { name: 'Totally Different Co' })).status).toBe(200);
    const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
    expect(res.status, res.text).toBe(200);
    expect((await mandatesOf(s, customer)).map((m) => m.consent.text)).toEqual([shown.consent_text_saved_card]);
  });

  it('offers no saved card in a setup session without an agreement, which adds a new card', async () => {
    const s = await shop();
    const { customer, card } = await savedAt(s);
    const session = await openSession(v, { customer, mode: 'setup', amount: undefined }, s.secret_key);
    expect(await listed(session.secret)).toEqual([]);
    const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'saved_card.token' });
    expect((await s.api('GET', `/v1/sessions/${session.id}`)).body.status).toBe('open');
  });
});
