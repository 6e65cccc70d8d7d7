// A merchant attacking a saved card it may not simply charge: a sister shop firing many agreement
// confirmations at once to guess the card's CVC, and a forged confirmation with the card of a customer
// who is set to deny saved cards. Both through the real API, on both databases.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const nextYear = new Date().getUTCFullYear() + 1;
const terms = { min_amount: 100, max_amount: 50_000, frequency_days: 0, end_date: `${nextYear}-12-31` };

describeEachDb('saved cards under attack', (target) => {
  let v: TestVault;
  let wrongTried = 0;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    const processor = v.runtime.deps.processor;
    const authorize = processor.authorize.bind(processor);
    // A real provider takes a few hundred milliseconds to answer: the window a race needs.
    processor.authorize = async (request) => {
      if (request.card.cvc === '000') wrongTried++;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return authorize(request);
    };
  });
  afterAll(() => v.close());

  /** A customer of shop A saves a card; shop B, a sister shop, may offer it with its CVC. */
  async function sharedCard(label: string) {
    const a = await newShop(v, { settings: { frame_limit_per_address: 0 } });
    const b = await newShop(v, { group: a.group, settings: { frame_limit_per_address: 0 } });
    const customer = `${label}-${Math.random().toString(36).slice(2, 8)}`;
    const first = await openSession(v, { customer, amount: 1000 }, a.secret_key);
    const saved = await v.frame('/frame/v1/confirm', first.secret, { card: newCard(CARDS.visa), save: true });
    expect(saved.status, saved.text).toBe(200);
    return { a, b, customer, token: saved.body.card.token as string };
  }

  for (const mode of ['setup', 'payment'] as const) {
    it(`lets no more than three wrong CVCs reach the processor when a sister shop fires 20 ${mode} agreements at once`, async () => {
      const { b, customer, token } = await sharedCard(`race-${mode}`);
      const body = mode === 'setup' ? { customer, mode: 'setup', amount: undefined, recurring: terms } : { customer, amount: 1500, recurring: terms };
      const sessions = await Promise.all(Array.from({ length: 20 }, () => openSession(v, body, b.secret_key)));
      wrongTried = 0;
      const answers = await Promise.all(sessions.map((s) => v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '000' }, save: true })));
      expect(wrongTried, answers.map((r) => `${r.status}:${r.body?.error?.code}`).join(' ')).toBeLessThanOrEqual(3);
      expect(answers.every((r) => r.status !== 200)).toBe(true);
      const mandates = await b.api('GET', `/v1/mandates?customer=${customer}`);
      expect(mandates.body.data ?? []).toEqual([]);
    });
  }

  it('takes no saved card for a customer set to deny, as it offers none', async () => {
    const { a, customer, token } = await sharedCard('deny');
    expect((await a.api('POST', `/v1/customers/${customer}`, { status: 'deny' })).status).toBe(200);
    const session = await openSession(v, { customer, amount: 2222 }, a.secret_key);
    expect((await v.frame('/frame/v1/session', session.secret)).body.cards).toEqual([]);
    const forged = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token, cvc: '123' }, save: false });
    expect(forged.status, forged.text).toBe(403);
    expect(forged.body.error).toMatchObject({ code: 'customer_denied' });
    const charges = await a.api('GET', `/v1/charges?customer=${customer}`);
    expect(charges.body.data.filter((c: { amount: number }) => c.amount === 2222)).toEqual([]);
  });
});
