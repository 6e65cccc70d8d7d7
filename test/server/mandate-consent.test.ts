// A mandate is consent only the customer can give. Each case is an attack a merchant could make alone:
// a sister shop recording a mandate on a card saved through the fields, a merchant's server confirming
// a recurring session on a saved card with no tick and no CVC, and consent wording the merchant writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, SHOP, VAULT, newCard, openSession, newShop, type Reply, type Shop, type TestVault, startTestVault } from '../helpers/test-vault.ts';

const nextYear = new Date().getUTCFullYear() + 1;
const terms = { min_amount: 100, max_amount: 500_000, frequency_days: 0, end_date: `${nextYear}-12-31` };

describeEachDb('consent only the customer can give', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  const shop = (group?: string) => newShop(v, { group });

  /** The customer pays at `s` with a new card and ticks "save", with no recurring agreement. */
  async function saveThroughCheckout(s: Shop, customer: string, number = CARDS.visa) {
    const session = await openSession(v, { customer, amount: 1000 }, s.secret_key);
    const res = await v.frame('/frame/v1/confirm', session.secret, { card: newCard(number), save: true });
    expect(res.status, res.text).toBe(200);
    return res.body.card.token as string;
  }

  const mandatesIn = (customer: string) => v.runtime.deps.db.selectFrom('mandates').selectAll().where('customer', '=', customer).execute();
  const chargesIn = (customer: string) => v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).execute();
  const agreement = (card: string, ntid?: string) => ({
    card,
    ...terms,
    currency: 'USD',
    consent: { text: 'Agreed at our previous provider', accepted_at: '2024-03-01T10:00:00Z', ...(ntid ? { network_transaction_id: ntid } : {}) },
  });

  describe('POST /v1/customers/:customer/mandates', () => {
    it('refuses a sister shop a mandate on a card another shop saved through checkout, and so any charge on it', async () => {
      const a = await shop();
      const b = await shop(a.group);
      const card = await saveThroughCheckout(a, 'sister-victim');
      const forged = await b.api('POST', '/v1/customers/sister-victim/mandates', agreement(card));
      expect(forged.status).toBe(402);
      expect(forged.body.error).toMatchObject({ type: 'card_error', code: 'mandate_violation', param: 'card' });
      // The shop that saved it cannot record one either: only the customer, in the fields, gives it.
      expect((await a.api('POST', '/v1/customers/sister-victim/mandates', agreement(card))).body.error.code).toBe('mandate_violation');
      expect(await mandatesIn('sister-victim')).toEqual([]);
      const charge = await b.api(
        'POST',
        '/v1/charges',
        { customer: 'sister-victim', card, amount: 400_000, currency: 'USD' },
        { 'idempotency-key': 'sister-1' },
      );
      expect(charge.status).toBe(402);
      expect(charge.body.error.code).toBe('mandate_violation');
      expect((await chargesIn('sister-victim')).filter((c) => c.initiator === 'merchant')).toEqual([]);
    });

    it("refuses a sister shop a mandate on a card another shop imported, and never hands the importer a checkout's network transaction id", async () => {
      const a = await shop();
      const b = await shop(a.group);
      const imported = await a.api('POST', '/v1/customers/import-owner/cards', { number: CARDS.mastercard, exp_month: 12, exp_year: nextYear + 2 });
      expect(imported.status).toBe(201);
      const card = imported.body.token;
      expect((await b.api('POST', '/v1/customers/import-owner/mandates', agreement(card))).body.error).toMatchObject({ code: 'mandate_violation' });
      const own = await a.api('POST', '/v1/customers/import-owner/mandates', agreement(card));
      expect(own.status, own.text).toBe(201);
      expect(own.body.consent).toMatchObject({ source: 'import', network_transaction_id: null });
      expect((await mandatesIn('import-owner')).map((m) => m.merchant_id)).toEqual([a.id]);
    });

    it('refuses a card the importer later saw saved through the fields', async () => {
      const a = await shop();
      const imported = await a.api('POST', '/v1/customers/import-then-checkout/cards', { number: CARDS.visa, exp_month: 12, exp_year: nextYear + 2 });
      expect(await saveThroughCheckout(a, 'import-then-checkout')).toBe(imported.body.token);
      const res = await a.api('POST', '/v1/customers/import-then-checkout/mandates', agreement(imported.body.token));
      expect(res.body.error).toMatchObject({ code: 'mandate_violation' });
    });
  });

  describe('a recurring confirmation from a server that forges the fields', () => {
    /** What a merchant's server can send: any Origin, any embedding page, the client secret it holds. */
    const forge = (secret: string, body: unknown) =>
      v.frame('/frame/v1/confirm', secret, body, { origin: VAULT, 'checkout-host-origin': SHOP, 'user-agent': 'curl/8' });

    let n = 0;
    async function savedCardWithoutCvc() {
      const s = await shop();
      const customer = `forged-${++n}`;
      expect((await s.api('POST', '/v1/merchant', { need_cvc: false })).body.need_cvc).toBe(false);
      const card = await saveThroughCheckout(s, customer);
      const session = await openSession(v, { customer, amount: 1000, recurring: terms }, s.secret_key);
      return { s, card, session, customer };
    }

    it('needs the tick on a saved card, whatever need_cvc says', async () => {
      const { card, session, customer } = await savedCardWithoutCvc();
      expect((await forge(session.secret, { saved_card: { token: card } })).status).toBe(400);
      // Even with the CVC, no tick is no agreement.
      const res = await forge(session.secret, { saved_card: { token: card, cvc: '123' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_missing', param: 'save' });
      expect(await mandatesIn(customer)).toEqual([]);
      expect(await chargesIn(customer)).toHaveLength(1);
    });

    it("needs the saved card's CVC, whatever need_cvc says", async () => {
      const { card, session, customer } = await savedCardWithoutCvc();
      const res = await forge(session.secret, { saved_card: { token: card }, save: true });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_missing', param: 'saved_card.cvc' });
      expect(await mandatesIn(customer)).toEqual([]);
      expect(await chargesIn(customer)).toHaveLength(1);
    });

    it('asks the fields for the CVC of every saved card in a recurring session, and agrees with the tick and the CVC', async () => {
      const { card, session, customer } = await savedCardWithoutCvc();
      const view = await v.frame('/frame/v1/session', session.secret);
      expect(view.body.cards).toEqual([expect.objectContaining({ token: card, need_cvc: true })]);
      const res = await v.frame('/frame/v1/confirm', session.secret, { saved_card: { token: card, cvc: '123' }, save: true });
      expect(res.status, res.text).toBe(200);
      expect((await mandatesIn(customer)).map((m) => m.id)).toEqual([res.body.mandate]);
    });

    it('needs the tick for a new card in a recurring session too', async () => {
      const s = await shop();
      const session = await openSession(v, { customer: 'forged-new', amount: 1000, recurring: terms }, s.secret_key);
      const res = await forge(session.secret, { card: newCard(CARDS.visa) });
      expect(res.body.error).toMatchObject({ code: 'parameter_missing', param: 'save' });
      expect(await mandatesIn('forged-new')).toEqual([]);
    });
  });

  describe("the agreement's wording", () => {
    it("is the vault's, in the fields' language, whatever text the request carries", async () => {
      const s = await shop();
      const session = await openSession(
        v,
        {
          customer: 'wording',
          amount: 1000,
          currency: 'EUR',
          recurring: { ...terms, min_amount: 500, max_amount: 2500, frequency_days: 30, end_date: '2031-06-30' },
        },
        s.secret_key,
      );
      const shown = await v.frame('/frame/v1/session', session.secret, { locale: 'fr' });
      expect(shown.body.consent_text).toMatch(
        new RegExp(
          /^Enregistrer cette carte et accepter des paiements récurrents à « Test shop » : /.source +
            /5,00\s€–25,00\s€ par paiement, tous les 30 jours, jusqu’au 30 juin 2031\.$/.source,
        ),
      );
      const res: Reply = await v.frame('/frame/v1/confirm', session.secret, {
        card: newCard(CARDS.visa),
        save: true,
        locale: 'fr',
        consent_text: 'One free trial, nothing more will ever be charged.',
      });
      expect(res.status, res.text).toBe(200);
      const [mandate] = (await s.api('GET', '/v1/customers/wording/mandates')).body.data;
      expect(mandate.consent.text).toBe(shown.body.consent_text);
      expect(JSON.stringify(await mandatesIn('wording'))).not.toContain('free trial');
    });

    it("falls back to the customer's language, then English", async () => {
      const s = await shop();
      await s.api('POST', '/v1/customers/wording-ru', { locale: 'ru' });
      const ru = await openSession(v, { customer: 'wording-ru', amount: 1000, currency: 'RUB', recurring: terms }, s.secret_key);
      expect((await v.frame('/frame/v1/session', ru.secret)).body.consent_text).toMatch(/^Сохранить карту/);
      const en = await openSession(v, { customer: 'wording-en', amount: 1000, recurring: terms }, s.secret_key);
      expect((await v.frame('/frame/v1/session', en.secret, { locale: 'xx-YY' })).body.consent_text).toMatch(
        /^Save this card and agree to recurring payments to “Test shop”: \$1\.00–\$5,000\.00 per payment, whenever the merchant charges, as agreed/,
      );
    });

    it('refuses a merchant name with hidden characters, which would reorder the wording', async () => {
      const s = await shop();
      for (const name of ['Acme\u202e', 'Acme\u2066x', 'Ac\u0007me', 'Acme\u2028Terms']) {
        const res = await s.api('POST', '/v1/merchant', { name });
        expect(res.status, JSON.stringify(name)).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'name' });
      }
      expect((await s.api('POST', '/v1/merchant', { name: 'Café Crème & Co.' })).status).toBe(200);
    });

    it('is absent outside a recurring session', async () => {
      const s = await shop();
      const session = await openSession(v, { customer: 'wording-none', amount: 1000 }, s.secret_key);
      expect((await v.frame('/frame/v1/session', session.secret)).body.consent_text).toBeNull();
    });
  });
});
