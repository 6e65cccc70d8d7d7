// Proof that the customer holds a saved card. need_cvc: false waives the CVC only for a card the
// customer already used at this very shop: a sister shop's server, forging the fields' requests, cannot
// charge a card saved at another shop with nobody there. And the CVC cannot be guessed by opening
// session after session: wrong codes are counted per card, across sessions and shops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, LIFTABLE_LIMITS, SHOP, VAULT, newCard, newShop, openSession, type Shop, type TestVault, startTestVault } from '../helpers/test-vault.ts';

describeEachDb('proof that the customer holds a saved card', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
  });
  afterAll(() => v.close());

  let n = 0;
  const shop = (group?: string, settings: Record<string, unknown> = {}) => newShop(v, { group, settings: { frame_limit_per_address: 0, ...settings } });
  /** What a merchant's server can send: any Origin, any embedding page, the client secret it holds. */
  const forge = (secret: string, path: string, body: unknown) => v.frame(path, secret, body, { origin: VAULT, 'checkout-host-origin': SHOP });
  const chargesOf = (customer: string, merchantId: string) =>
    v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).where('merchant_id', '=', merchantId).execute();

  async function savedAt(s: Shop) {
    const customer = `proof-${++n}`;
    const session = await openSession(v, { customer, amount: 1000 }, s.secret_key);
    const res = await v.frame('/frame/v1/confirm', session.secret, { card: newCard(CARDS.visa), save: true });
    expect(res.status, res.text).toBe(200);
    return { customer, card: res.body.card.token as string };
  }

  describe('need_cvc: false', () => {
    it('does not let a sister shop charge a card saved at another shop without its CVC', async () => {
      const a = await shop();
      const b = await shop(a.group, { need_cvc: false });
      const { customer, card } = await savedAt(a);
      const session = await openSession(v, { customer, amount: 250_000 }, b.secret_key);
      const listed = await forge(session.secret, '/frame/v1/session', {});
      expect(listed.body.cards).toEqual([expect.objectContaining({ token: card, need_cvc: true })]);
      const res = await forge(session.secret, '/frame/v1/confirm', { saved_card: { token: card } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_missing', param: 'saved_card.cvc' });
      expect(await chargesOf(customer, b.id)).toEqual([]);
      // With the customer there (the CVC typed), the sister shop is paid, and from then on need_cvc: false applies there too.
      expect((await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' } })).status).toBe(200);
      const next = await openSession(v, { customer, amount: 500 }, b.secret_key);
      expect((await v.frame('/frame/v1/session', next.secret)).body.cards).toEqual([expect.objectContaining({ token: card, need_cvc: false })]);
      expect((await v.frame('/frame/v1/confirm', next.secret, { saved_card: { token: card } })).status).toBe(200);
    });

    it('still waives the CVC at the shop where the customer used the card', async () => {
      const a = await shop(undefined, { need_cvc: false });
      const { customer, card } = await savedAt(a);
      const session = await openSession(v, { customer, amount: 700 }, a.secret_key);
      expect((await v.frame('/frame/v1/session', session.secret)).body.cards).toEqual([expect.objectContaining({ token: card, need_cvc: false })]);
      const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card } });
      expect(res.status, res.text).toBe(200);
    });
  });

  describe('wrong CVCs across sessions', () => {
    it('stop one-click on the card after three wrong codes, however many sessions a merchant opens', async () => {
      const a = await shop();
      const b = await shop(a.group);
      const { customer, card } = await savedAt(a);
      // The simulated processor declines 000 as a wrong CVC. Each guess in a fresh session of the sister shop.
      for (let i = 0; i < 3; i++) {
        const s = await openSession(v, { customer, amount: 1000 }, b.secret_key);
        const res = await forge(s.secret, '/frame/v1/confirm', { saved_card: { token: card, cvc: '000' } });
        expect(res.status).toBe(402);
        expect(res.body.error.code).toBe('incorrect_cvc');
      }
      const s = await openSession(v, { customer, amount: 1000 }, b.secret_key);
      const locked = await forge(s.secret, '/frame/v1/confirm', { saved_card: { token: card, cvc: '123' } });
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('rate_limited');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(3600);
      // The right code is refused as well: the lock is not an oracle. The shop that saved it is locked out too.
      const home = await openSession(v, { customer, amount: 1000 }, a.secret_key);
      expect((await v.frame('/frame/v1/confirm', home.secret, { saved_card: { token: card, cvc: '123' } })).status).toBe(429);
      expect((await chargesOf(customer, b.id)).every((c) => c.status === 'failed')).toBe(true);
      // A day later the card serves again, and a right code clears the count.
      v.setNow(new Date(Date.now() + 24 * 3600 * 1000 + 60_000));
      try {
        const later = await openSession(v, { customer, amount: 1000 }, a.secret_key);
        expect((await v.frame('/frame/v1/confirm', later.secret, { saved_card: { token: card, cvc: '123' } })).status).toBe(200);
      } finally {
        v.setNow(undefined);
      }
      const row = await v.runtime.deps.db.selectFrom('cards').select(['cvc_failures']).where('token', '=', card).executeTakeFirstOrThrow();
      expect(row.cvc_failures).toBe(0);
    });
  });
});
