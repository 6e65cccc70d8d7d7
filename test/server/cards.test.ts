import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const YEAR = new Date().getUTCFullYear();

/** The month after this one, as a card expiry. */
function nextMonth(): { exp_month: number; exp_year: number } {
  const now = new Date();
  const month = now.getUTCMonth() + 2;
  return month > 12 ? { exp_month: month - 12, exp_year: now.getUTCFullYear() + 1 } : { exp_month: month, exp_year: now.getUTCFullYear() };
}

describeEachDb('Saved cards: /v1/customers/:customer/cards', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
    // Many quick calls in a row: the per-second rate limit is tested in merchant.test.ts, not here.
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0 } });
  });
  afterAll(() => v.close());
  afterEach(() => v.setNow(undefined));

  const list = async (customer: string, key?: string) => {
    const res = await v.api('GET', `/v1/customers/${customer}/cards`, { key });
    expect(res.status).toBe(200);
    return res.body.data as any[];
  };
  const importCard = (customer: string, body: Record<string, unknown>) => v.api('POST', `/v1/customers/${customer}/cards`, { body });

  describe('GET /v1/customers/:customer/cards', () => {
    it('lists a saved card with every field of the contract', async () => {
      const token = await saveCardFor(v, 'c-shape');
      const res = await v.api('GET', '/v1/customers/c-shape/cards');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toContain('data');
      expect(res.body.data).toHaveLength(1);
      const card = res.body.data[0];
      expect(card).toMatchObject({
        token,
        bin: '424242',
        last4: '4242',
        brand: 'visa',
        issuer: expect.any(String),
        country: expect.stringMatching(/^[A-Z]{2}$/),
        exp_month: 12,
        exp_year: YEAR + 3,
        active: true,
        expiring_soon: false,
        need_cvc: true,
        default: true,
        successful_payments: 1,
        created_at: expect.any(String),
      });
      expect(token).toMatch(/^card_/);
      expect(new Date(card.created_at).toISOString()).toBe(card.created_at);
    });

    it('answers a customer without cards with an empty list', async () => {
      expect(await list('c-no-cards')).toEqual([]);
    });

    it('shows cards masked only: no full number anywhere in the response', async () => {
      await saveCardFor(v, 'c-masked', CARDS.visa);
      await saveCardFor(v, 'c-masked', CARDS.mastercard);
      await saveCardFor(v, 'c-masked', CARDS.amex);
      const res = await v.api('GET', '/v1/customers/c-masked/cards');
      expect(res.body.data).toHaveLength(3);
      for (const number of [CARDS.visa, CARDS.mastercard, CARDS.amex]) {
        expect(res.text).not.toContain(number);
        expect(res.text).not.toContain(number.slice(0, -4));
      }
      expect(res.body.data.map((c: any) => c.last4).sort()).toEqual(['0005', '4242', '4444']);
    });

    it('shows need_cvc as the asking merchant has set it', async () => {
      await saveCardFor(v, 'c-need-cvc');
      const sibling = await v.newMerchant({ group: v.merchant.group });
      await v.api('POST', '/v1/merchant', { key: sibling.secret_key, body: { need_cvc: false } });
      expect((await list('c-need-cvc'))[0].need_cvc).toBe(true);
      expect((await list('c-need-cvc', sibling.secret_key))[0].need_cvc).toBe(false);
    });

    it('counts successful payments on the card', async () => {
      const token = await saveCardFor(v, 'c-count');
      // Paying again with the same number and consent updates the same card.
      const s = await openSession(v, { customer: 'c-count' });
      const again = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
      expect(again.status).toBe(200);
      const [card] = await list('c-count');
      expect(card.token).toBe(token);
      expect(card.successful_payments).toBe(2);
    });
  });

  describe('POST /v1/customers/:customer/cards/:token', () => {
    it('makes another card the default', async () => {
      const visa = await saveCardFor(v, 'c-default', CARDS.visa);
      const mc = await saveCardFor(v, 'c-default', CARDS.mastercard);
      expect((await v.api('GET', '/v1/customers/c-default')).body.default_card).toBe(visa);

      const res = await v.api('POST', `/v1/customers/c-default/cards/${mc}`, { body: { default: true } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token: mc, default: true });
      const cards = await list('c-default');
      expect(cards.find((c) => c.token === mc).default).toBe(true);
      expect(cards.find((c) => c.token === visa).default).toBe(false);
      expect((await v.api('GET', '/v1/customers/c-default')).body.default_card).toBe(mc);
    });

    it('answers 404 for a card the customer does not have', async () => {
      const token = await saveCardFor(v, 'c-owner');
      const missing = await v.api('POST', '/v1/customers/c-owner/cards/card_doesnotexist', { body: { default: true } });
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
      const wrongCustomer = await v.api('POST', `/v1/customers/c-not-owner/cards/${token}`, { body: { default: true } });
      expect(wrongCustomer.status).toBe(404);
      expect(wrongCustomer.body.error).toMatchObject({ code: 'resource_missing' });
      expect((await v.api('GET', '/v1/customers/c-not-owner')).body.default_card ?? null).toBeNull();
    });

    it('refuses an unknown field', async () => {
      const token = await saveCardFor(v, 'c-default-unknown');
      const res = await v.api('POST', `/v1/customers/c-default-unknown/cards/${token}`, { body: { default: true, nickname: 'x' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_unknown', param: 'nickname' });
    });
  });

  describe('DELETE /v1/customers/:customer/cards/:token', () => {
    it('deletes a card: it answers { token, deleted: true } and the card leaves the list', async () => {
      const visa = await saveCardFor(v, 'c-delete', CARDS.visa);
      const mc = await saveCardFor(v, 'c-delete', CARDS.mastercard);
      const res = await v.api('DELETE', `/v1/customers/c-delete/cards/${mc}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ token: mc, deleted: true });
      expect((await list('c-delete')).map((c) => c.token)).toEqual([visa]);
    });

    it('lists cards saved within one millisecond newest first, and the newest left becomes the default when the default goes', async () => {
      // The vault's clock stands still: every card is saved at the same millisecond.
      v.setNow(new Date());
      const first = await saveCardFor(v, 'c-same-ms', CARDS.visa);
      const second = await saveCardFor(v, 'c-same-ms', CARDS.mastercard);
      const third = await saveCardFor(v, 'c-same-ms', CARDS.amex);
      expect((await list('c-same-ms')).map((c) => c.token)).toEqual([first, third, second]);
      expect((await v.api('DELETE', `/v1/customers/c-same-ms/cards/${first}`)).status).toBe(200);
      expect((await v.api('GET', '/v1/customers/c-same-ms')).body.default_card).toBe(third);
      expect((await list('c-same-ms')).map((c) => c.token)).toEqual([third, second]);
    });

    it('answers 404 to a second delete of the same card', async () => {
      const token = await saveCardFor(v, 'c-delete-twice');
      expect((await v.api('DELETE', `/v1/customers/c-delete-twice/cards/${token}`)).status).toBe(200);
      const again = await v.api('DELETE', `/v1/customers/c-delete-twice/cards/${token}`);
      expect(again.status).toBe(404);
      expect(again.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
    });

    it('cannot make a deleted card the default again', async () => {
      const token = await saveCardFor(v, 'c-delete-default');
      await v.api('DELETE', `/v1/customers/c-delete-default/cards/${token}`);
      const res = await v.api('POST', `/v1/customers/c-delete-default/cards/${token}`, { body: { default: true } });
      expect(res.status).toBe(404);
    });

    it('moves the default to another card when the default card is deleted', async () => {
      const visa = await saveCardFor(v, 'c-move-default', CARDS.visa);
      const mc = await saveCardFor(v, 'c-move-default', CARDS.mastercard);
      expect((await v.api('GET', '/v1/customers/c-move-default')).body.default_card).toBe(visa);
      await v.api('DELETE', `/v1/customers/c-move-default/cards/${visa}`);
      const cards = await list('c-move-default');
      expect(cards).toHaveLength(1);
      expect(cards[0]).toMatchObject({ token: mc, default: true });
      expect((await v.api('GET', '/v1/customers/c-move-default')).body.default_card).toBe(mc);
    });

    it('leaves no default card when the last card is deleted', async () => {
      const token = await saveCardFor(v, 'c-last-card');
      await v.api('DELETE', `/v1/customers/c-last-card/cards/${token}`);
      expect(await list('c-last-card')).toEqual([]);
      expect((await v.api('GET', '/v1/customers/c-last-card')).body.default_card ?? null).toBeNull();
    });

    it('does not delete a card through another customer number or another merchant group', async () => {
      const token = await saveCardFor(v, 'c-keep');
      const otherCustomer = await v.api('DELETE', `/v1/customers/c-someone-else/cards/${token}`);
      expect(otherCustomer.status).toBe(404);
      const stranger = await v.newMerchant();
      const otherGroup = await v.api('DELETE', `/v1/customers/c-keep/cards/${token}`, { key: stranger.secret_key });
      expect(otherGroup.status).toBe(404);
      expect(otherGroup.body.error).toMatchObject({ code: 'resource_missing' });
      expect((await list('c-keep')).map((c) => c.token)).toEqual([token]);
    });

    it('lets a merchant of the same group delete a shared card', async () => {
      const token = await saveCardFor(v, 'c-group-delete');
      const sibling = await v.newMerchant({ group: v.merchant.group });
      const res = await v.api('DELETE', `/v1/customers/c-group-delete/cards/${token}`, { key: sibling.secret_key });
      expect(res.status).toBe(200);
      expect(await list('c-group-delete')).toEqual([]);
    });
  });

  describe('saving a number the customer already has', () => {
    it('keeps the token and updates the expiry when the customer pays again with the same number', async () => {
      const token = await saveCardFor(v, 'c-reissued');
      const s = await openSession(v, { customer: 'c-reissued' });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: { ...newCard(CARDS.visa), exp_month: 6, exp_year: YEAR + 5 }, save: true });
      expect(res.status).toBe(200);
      expect(res.body.card.token).toBe(token);
      const cards = await list('c-reissued');
      expect(cards).toHaveLength(1);
      expect(cards[0]).toMatchObject({ token, exp_month: 6, exp_year: YEAR + 5 });
    });
  });

  describe('POST /v1/customers/:customer/cards (import)', () => {
    it('imports a card with 201 and answers it as the list shows it', async () => {
      const res = await importCard('c-import', { number: CARDS.mastercard, exp_month: 7, exp_year: YEAR + 2, holder: 'Ann Example' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        token: expect.stringMatching(/^card_/),
        bin: '555555',
        last4: '4444',
        brand: 'mastercard',
        exp_month: 7,
        exp_year: YEAR + 2,
        active: true,
        expiring_soon: false,
        successful_payments: 0,
      });
      expect(res.text).not.toContain(CARDS.mastercard);
      const cards = await list('c-import');
      expect(cards).toEqual([res.body]);
    });

    it('answers 200 with the same token when the customer already has that number, and updates the expiry', async () => {
      const first = await importCard('c-import-twice', { number: CARDS.visa, exp_month: 1, exp_year: YEAR + 2 });
      expect(first.status).toBe(201);
      const second = await importCard('c-import-twice', { number: CARDS.visa, exp_month: 3, exp_year: YEAR + 4 });
      expect(second.status).toBe(200);
      expect(second.body.token).toBe(first.body.token);
      expect(second.body).toMatchObject({ exp_month: 3, exp_year: YEAR + 4 });
      const cards = await list('c-import-twice');
      expect(cards).toHaveLength(1);
      expect(cards[0]).toMatchObject({ token: first.body.token, exp_month: 3, exp_year: YEAR + 4 });
    });

    it('accepts a number written with spaces as the same number', async () => {
      const first = await importCard('c-import-spaces', { number: CARDS.visa, exp_month: 1, exp_year: YEAR + 2 });
      const spaced = await importCard('c-import-spaces', { number: '4242 4242 4242 4242', exp_month: 1, exp_year: YEAR + 2 });
      expect(spaced.status).toBe(200);
      expect(spaced.body.token).toBe(first.body.token);
    });

    it('answers 200 with the checkout token when the customer saved that number in the fields', async () => {
      const token = await saveCardFor(v, 'c-import-saved', CARDS.visa);
      const res = await importCard('c-import-saved', { number: CARDS.visa, exp_month: 12, exp_year: YEAR + 3 });
      expect(res.status).toBe(200);
      expect(res.body.token).toBe(token);
      expect(await list('c-import-saved')).toHaveLength(1);
    });

    it('makes a customer with a first imported card a member with it as default', async () => {
      const res = await importCard('c-import-member', { number: CARDS.visa, exp_month: 12, exp_year: YEAR + 3 });
      const customer = await v.api('GET', '/v1/customers/c-import-member');
      expect(customer.body).toMatchObject({ status: 'member', default_card: res.body.token });
    });

    it('refuses a number that fails the Luhn check with 400 card_error invalid_number, never echoing it', async () => {
      const res = await importCard('c-import-bad', { number: '4242424242424241', exp_month: 12, exp_year: YEAR + 3 });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'invalid_number' });
      expect(res.text).not.toContain('4242424242424241');
      expect(await list('c-import-bad')).toEqual([]);
    });

    it('refuses a number of a bad length with 400 card_error invalid_number', async () => {
      for (const number of ['4242424242', '42424242424242424242']) {
        const res = await importCard('c-import-bad', { number, exp_month: 12, exp_year: YEAR + 3 });
        expect(res.status, number).toBe(400);
        expect(res.body.error, number).toMatchObject({ type: 'card_error', code: 'invalid_number' });
      }
      expect(await list('c-import-bad')).toEqual([]);
    });

    it('refuses month 13 with invalid_expiry_month', async () => {
      const res = await importCard('c-import-bad', { number: CARDS.visa, exp_month: 13, exp_year: YEAR + 3 });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'invalid_expiry_month' });
      const zero = await importCard('c-import-bad', { number: CARDS.visa, exp_month: 0, exp_year: YEAR + 3 });
      expect(zero.body.error).toMatchObject({ type: 'card_error', code: 'invalid_expiry_month' });
    });

    it('refuses a past year with invalid_expiry_year', async () => {
      const res = await importCard('c-import-bad', { number: CARDS.visa, exp_month: 12, exp_year: YEAR - 1 });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'invalid_expiry_year' });
      expect(await list('c-import-bad')).toEqual([]);
    });

    it('refuses a missing number or expiry, naming the parameter', async () => {
      const noNumber = await importCard('c-import-bad', { exp_month: 12, exp_year: YEAR + 3 });
      expect(noNumber.status).toBe(400);
      expect(noNumber.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing', param: 'number' });
      const noYear = await importCard('c-import-bad', { number: CARDS.visa, exp_month: 12 });
      expect(noYear.body.error).toMatchObject({ code: 'parameter_missing', param: 'exp_year' });
    });

    it('refuses a CVC: an imported card comes without one', async () => {
      const res = await importCard('c-import-cvc', { number: CARDS.visa, exp_month: 12, exp_year: YEAR + 3, cvc: '123' });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_unknown', param: 'cvc' });
      expect(res.text).not.toContain(CARDS.visa);
      expect(await list('c-import-cvc')).toEqual([]);
    });

    it('refuses to import a card for a deny customer with 403 customer_denied', async () => {
      await v.api('POST', '/v1/customers/c-import-deny', { body: { status: 'deny' } });
      const res = await importCard('c-import-deny', { number: CARDS.visa, exp_month: 12, exp_year: YEAR + 3 });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'customer_denied' });
      expect(await list('c-import-deny')).toEqual([]);
      expect((await v.api('GET', '/v1/customers/c-import-deny')).body.status).toBe('deny');
    });
  });

  describe('active and expiring_soon', () => {
    it('flags a card that expires next month as expiring soon but still active', async () => {
      const res = await importCard('c-expiring', { number: CARDS.visa, ...nextMonth() });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ active: true, expiring_soon: true });
      expect((await list('c-expiring'))[0]).toMatchObject({ active: true, expiring_soon: true });
    });

    it('flags a card as expiring soon once the clock reaches the month before its expiry', async () => {
      await importCard('c-expiring-later', { number: CARDS.visa, exp_month: 12, exp_year: YEAR + 3 });
      expect((await list('c-expiring-later'))[0]).toMatchObject({ active: true, expiring_soon: false });
      v.setNow(new Date(Date.UTC(YEAR + 3, 8, 15)));
      expect((await list('c-expiring-later'))[0]).toMatchObject({ active: true, expiring_soon: false });
      v.setNow(new Date(Date.UTC(YEAR + 3, 10, 15)));
      expect((await list('c-expiring-later'))[0]).toMatchObject({ active: true, expiring_soon: true });
    });

    it('keeps a card active through the last day of its expiry month and inactive after', async () => {
      await importCard('c-expired', { number: CARDS.visa, exp_month: 12, exp_year: YEAR + 3 });
      v.setNow(new Date(Date.UTC(YEAR + 3, 11, 31, 23, 0)));
      expect((await list('c-expired'))[0]).toMatchObject({ active: true });
      v.setNow(new Date(Date.UTC(YEAR + 4, 0, 15)));
      const [card] = await list('c-expired');
      expect(card).toMatchObject({ active: false, expiring_soon: false, exp_month: 12, exp_year: YEAR + 3 });
    });
  });
});
