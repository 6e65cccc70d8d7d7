// A test-mode shop on the simulated processor takes test cards only: a real card number typed into the
// fields or imported through the API is refused (402 card_declined / test_mode_live_card) before
// anything stores, charges or logs it. Numbers with a test card's first six and last four are test cards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { everyRow } from '../helpers/storage-scan.ts';
import { freshVisa, guessesBetween, withCheckDigit } from '../helpers/test-cards.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, recordAuthorizations, startTestVault, type TestVault } from '../helpers/test-vault.ts';

/** A Visa number as a real card would have: a BIN and a last four that no test card has. */
const realLooking = () => withCheckDigit(`4539${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`);

describeEachDb('test cards only, in test mode', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
  });
  afterAll(() => v.close());

  let n = 0;
  const uniq = (p: string) => `${p}-${target.slice(0, 2)}-${++n}`;
  const exp = { exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 };

  const expectRefused = (res: { status: number; text: string; body: any }, number: string) => {
    expect(res.status, res.text).toBe(402);
    expect(res.body.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'test_mode_live_card', param: 'card.number' });
    expect(res.body.error.message).toMatch(/test mode/);
    expect(res.text).not.toContain(number);
    expect(res.text).not.toContain(number.slice(6, 12));
  };

  it('refuses a real card typed into the fields, before the processor hears of it, and stores nothing of it', async () => {
    const asked = recordAuthorizations(v);
    const customer = uniq('typed');
    const number = realLooking();
    const s = await openSession(v, { customer, save_card: 'ask', amount: 1500, currency: 'USD' });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true });
    expectRefused(res, number);
    expect(asked).toEqual([]);
    // The session is still open, with no failed attempt counted: the customer may type a test card.
    const again = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
    expect(again.status, again.text).toBe(200);
    expect(again.body.status).toBe('succeeded');
    const stored = await everyRow(v, target, 'cards');
    expect(stored).not.toContain(number);
    expect(stored).not.toContain(number.slice(6, 12));
    expect((await v.api('GET', `/v1/customers/${customer}/cards`)).body.data.map((c: { last4: string }) => c.last4)).toEqual(['4242']);
  });

  it('refuses a real card imported through the API, and stores nothing of it', async () => {
    const customer = uniq('import');
    const number = realLooking();
    const res = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number, ...exp } });
    expectRefused(res, number);
    expect((await v.api('GET', `/v1/customers/${customer}/cards`)).body.data).toEqual([]);
    expect(await everyRow(v, target, 'cards')).not.toContain(number);
  });

  it('takes every card of the test table, and any number with a test card’s first six and last four', async () => {
    for (const number of [CARDS.visa, CARDS.mastercard, CARDS.amex, CARDS.declineAfterSave, freshVisa(), '4242426556624242', '5555555105194444']) {
      const res = await v.api('POST', `/v1/customers/${uniq('test-card')}/cards`, { body: { number, ...exp } });
      expect(res.status, `${number}: ${res.text}`).toBe(201);
    }
    // The first six of a test card are not enough, nor its last four.
    for (const number of [withCheckDigit('424242123456789'), guessesBetween('453912', '4242', 1, '')[0]]) {
      expectRefused(await v.api('POST', `/v1/customers/${uniq('near')}/cards`, { body: { number, ...exp } }), number);
    }
  });

  it('leaves a test-mode shop on a real provider’s test account to that provider (an import is not checked)', async () => {
    const shop = await newShop(v);
    const set = await shop.api('POST', '/v1/merchant', { processor: { type: 'stripe', secret_key: 'sk_test_local_provider_account' } });
    expect(set.status, set.text).toBe(200);
    const res = await shop.api('POST', `/v1/customers/${uniq('provider')}/cards`, { number: '4111111111111111', ...exp });
    expect(res.status, res.text).toBe(201);
  });
});

describe('test cards only: the rule itself', () => {
  it('names as test cards exactly the numbers with a test card’s first six, last four and length', async () => {
    const { isTestCardNumber } = await import('../../server/payments/test-mode-cards.ts');
    expect(isTestCardNumber(CARDS.visa)).toBe(true);
    expect(isTestCardNumber('4242420000004242')).toBe(true);
    expect(isTestCardNumber('4242421234567890')).toBe(false);
    expect(isTestCardNumber('4111111111114242')).toBe(false);
    expect(isTestCardNumber('42424200004242')).toBe(false);
  });
});
