// Mandates: created by a recurring checkout with the consent the customer gave, listed, cancelled,
// ended by their date or their card's deletion, and recorded for agreements given elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, SHOP, newCard, openSession, type TestVault, startTestVault, LIFTABLE_LIMITS } from '../helpers/test-vault.ts';

const DAY = 86_400_000;
const inDays = (n: number, from = Date.now()) => new Date(from + n * DAY).toISOString().slice(0, 10);
const nextYear = new Date().getUTCFullYear() + 1;

describeEachDb('mandates', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0 } });
  });
  afterAll(() => v.close());

  const terms = (over: Record<string, unknown> = {}) => ({ min_amount: 500, max_amount: 2000, frequency_days: 30, end_date: `${nextYear}-12-31`, ...over });

  /** A recurring checkout the customer consents to; returns the session, the card and the mandate. */
  async function subscribe(
    customer: string,
    options: { mode?: 'payment' | 'setup'; number?: string; consent_text?: string; recurring?: Record<string, unknown> } = {},
  ) {
    const s = await openSession(v, {
      customer,
      mode: options.mode ?? 'payment',
      amount: options.mode === 'setup' ? undefined : 1500,
      recurring: terms(options.recurring),
    });
    const res = await v.frame('/frame/v1/confirm', s.secret, {
      card: newCard(options.number ?? CARDS.visa),
      save: true,
      consent_text: options.consent_text ?? 'I agree to monthly charges of 5.00 to 20.00 USD.',
    });
    if (res.status !== 200) throw new Error(`not confirmed: ${res.text}`);
    return { session: s.id, token: res.body.card.token as string, mandate: res.body.mandate as string, charge: res.body.charge as string | undefined };
  }

  const mandates = async (customer: string, key?: string) => (await v.api('GET', `/v1/customers/${customer}/mandates`, { key })).body.data as any[];
  const events = async (type: string) => (await v.api('GET', `/v1/events?type=${type}&limit=100`)).body.data as any[];

  describe('created by a recurring checkout', () => {
    it("records the agreement with the vault's wording, the embedding page, the last four digits and the network transaction id", async () => {
      const sub = await subscribe('m-create', { consent_text: 'Coffee club: 15.00 USD every 30 days' });
      const wording = `Save this card and agree to recurring payments to “Test shop”: $5.00–$20.00 per payment, every 30 days, until December 31, ${nextYear}.`;
      expect(sub.mandate).toMatch(/^mdt_/);
      const session = await v.api('GET', `/v1/sessions/${sub.session}`);
      expect(session.body.mandate).toBe(sub.mandate);
      const charge = await v.api('GET', `/v1/charges/${sub.charge}`);

      const list = await mandates('m-create');
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({
        id: sub.mandate,
        customer: 'm-create',
        card: sub.token,
        min_amount: 500,
        max_amount: 2000,
        frequency_days: 30,
        end_date: `${nextYear}-12-31`,
        status: 'active',
        last_charge_at: expect.any(String),
        created_at: expect.any(String),
        consent: {
          text: wording,
          accepted_at: expect.any(String),
          origin: SHOP,
          last4: '4242',
          network_transaction_id: charge.body.network_transaction_id,
          source: 'checkout',
        },
      });
      expect(charge.body.network_transaction_id).toMatch(/^ntid_/);
      const row = await v.runtime.deps.db.selectFrom('mandates').selectAll().where('id', '=', sub.mandate).executeTakeFirstOrThrow();
      expect(row.network_transaction_id).toBe(charge.body.network_transaction_id);
      expect(row.consent).not.toContain(CARDS.visa);
      expect((await events('mandate.created')).some((e) => e.data.mandate === sub.mandate)).toBe(true);
    });

    it("takes the setup check's network transaction id in setup mode, where no charge counts toward the frequency", async () => {
      const sub = await subscribe('m-setup', { mode: 'setup' });
      expect(sub.charge).toBeUndefined();
      const [mandate] = await mandates('m-setup');
      const card = await v.runtime.deps.db.selectFrom('cards').select('network_transaction_id').where('token', '=', sub.token).executeTakeFirstOrThrow();
      expect(mandate).toMatchObject({
        id: sub.mandate,
        status: 'active',
        last_charge_at: null,
        consent: { network_transaction_id: card.network_transaction_id },
      });
      expect(card.network_transaction_id).toMatch(/^ntid_/);
    });

    it("records the vault's own wording, never a consent text the request carries (a card number included)", async () => {
      const s = await openSession(v, { customer: 'm-leak', recurring: terms() });
      const res = await v.frame('/frame/v1/confirm', s.secret, {
        card: newCard(CARDS.visa),
        save: true,
        consent_text: `I agree, my card is ${CARDS.mastercard}`,
      });
      expect(res.status).toBe(200);
      const [mandate] = await mandates('m-leak');
      expect(mandate.consent.text).toBe(
        `Save this card and agree to recurring payments to “Test shop”: $5.00–$20.00 per payment, every 30 days, until December 31, ${nextYear}.`,
      );
      const row = await v.runtime.deps.db.selectFrom('mandates').selectAll().where('id', '=', mandate.id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(CARDS.mastercard);
    });

    it('creates no mandate for a session without recurring', async () => {
      const s = await openSession(v, { customer: 'm-plain' });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
      expect(res.status).toBe(200);
      expect(res.body.mandate).toBeUndefined();
      expect(await mandates('m-plain')).toEqual([]);
    });
  });

  describe("the fields' saved cards", () => {
    it('flag the card whose deletion would end a live agreement, and no other', async () => {
      const sub = await subscribe('m-fields');
      const other = await openSession(v, { customer: 'm-fields' });
      await v.frame('/frame/v1/confirm', other.secret, { card: newCard(CARDS.mastercard), save: true });
      const flags = async () => {
        const s = await openSession(v, { customer: 'm-fields' });
        const cards = (await v.frame('/frame/v1/session', s.secret)).body.cards as { token: string; agreements: boolean }[];
        return Object.fromEntries(cards.map((card) => [card.token === sub.token ? 'subscribed' : 'other', card.agreements]));
      };
      expect(await flags()).toEqual({ subscribed: true, other: false });
      expect((await v.api('DELETE', `/v1/mandates/${sub.mandate}`)).status).toBe(200);
      expect(await flags()).toEqual({ subscribed: false, other: false });
    });
  });

  describe('DELETE /v1/mandates/:id', () => {
    it('cancels: an event, a message to the customer, and no merchant-initiated charge on it again', async () => {
      const sub = await subscribe('m-cancel', { mode: 'setup' });
      const res = await v.api('DELETE', `/v1/mandates/${sub.mandate}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: sub.mandate, status: 'cancelled' });
      expect((await mandates('m-cancel'))[0].status).toBe('cancelled');
      expect((await events('mandate.cancelled')).filter((e) => e.data.mandate === sub.mandate)).toHaveLength(1);
      const messages = await v.runtime.deps.db
        .selectFrom('messages')
        .selectAll()
        .where('customer', '=', 'm-cancel')
        .where('template', '=', 'agreement_cancelled')
        .execute();
      expect(messages.length).toBeGreaterThanOrEqual(1);

      const charge = await v.api('POST', '/v1/charges', {
        body: { customer: 'm-cancel', card: sub.token, amount: 1000, currency: 'USD', mandate: sub.mandate },
        headers: { 'idempotency-key': 'm-cancel-1' },
      });
      expect(charge.status).toBe(402);
      expect(charge.body.error).toMatchObject({ type: 'card_error', code: 'mandate_violation' });
      const recorded = await v.runtime.deps.db
        .selectFrom('charges')
        .select('id')
        .where('customer', '=', 'm-cancel')
        .where('initiator', '=', 'merchant')
        .execute();
      expect(recorded).toEqual([]);

      // Cancelling again changes nothing and tells no one twice.
      const again = await v.api('DELETE', `/v1/mandates/${sub.mandate}`);
      expect(again.body.status).toBe('cancelled');
      expect((await events('mandate.cancelled')).filter((e) => e.data.mandate === sub.mandate)).toHaveLength(1);
    });

    it('answers a mandate of another merchant group exactly as a missing one', async () => {
      const sub = await subscribe('m-foreign', { mode: 'setup' });
      const stranger = await v.newMerchant();
      const foreign = await v.api('DELETE', `/v1/mandates/${sub.mandate}`, { key: stranger.secret_key });
      const missing = await v.api('DELETE', '/v1/mandates/mdt_doesnotexist', { key: stranger.secret_key });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(missing.body);
      expect(await mandates('m-foreign', stranger.secret_key)).toEqual([]);
      expect((await mandates('m-foreign'))[0].status).toBe('active');
    });
  });

  describe('ending', () => {
    it('reads as ended once today is past the end date, and the scheduler stores it so', async () => {
      const end = inDays(3);
      const sub = await subscribe('m-end', { mode: 'setup', recurring: { end_date: end } });
      expect((await mandates('m-end'))[0].status).toBe('active');
      v.setNow(new Date(Date.parse(`${end}T12:00:00Z`) + DAY));
      try {
        expect((await mandates('m-end'))[0].status).toBe('ended');
        const run = await v.api('POST', '/v1/scheduler/run', { body: {} });
        expect(run.body.mandates_ended).toBeGreaterThanOrEqual(1);
      } finally {
        v.setNow(undefined);
      }
      const row = await v.runtime.deps.db.selectFrom('mandates').selectAll().where('id', '=', sub.mandate).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'ended', ended_at: expect.any(String) });
    });

    it('ends the mandates of a deleted card', async () => {
      const sub = await subscribe('m-delete', { mode: 'setup' });
      const res = await v.api('DELETE', `/v1/customers/m-delete/cards/${sub.token}`);
      expect(res.status).toBe(200);
      expect((await mandates('m-delete'))[0]).toMatchObject({ id: sub.mandate, status: 'ended' });
      const row = await v.runtime.deps.db.selectFrom('mandates').select('status').where('id', '=', sub.mandate).executeTakeFirstOrThrow();
      expect(row.status).toBe('ended');
    });
  });

  describe('POST /v1/customers/:customer/mandates', () => {
    const importCard = async (customer: string, number: string = CARDS.mastercard) => {
      const res = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number, exp_month: 12, exp_year: nextYear + 2 } });
      expect(res.status).toBe(201);
      return res.body.token as string;
    };
    const agreement = (card: string, over: Record<string, unknown> = {}) => ({
      card,
      min_amount: 100,
      max_amount: 5000,
      currency: 'USD',
      frequency_days: 0,
      end_date: `${nextYear}-06-30`,
      consent: { text: 'Signed at our previous provider', accepted_at: '2024-03-01T10:00:00Z', network_transaction_id: 'ntid_previous_provider' },
      ...over,
    });

    it('records an agreement given elsewhere for an imported card', async () => {
      const card = await importCard('m-import');
      const res = await v.api('POST', '/v1/customers/m-import/mandates', { body: agreement(card) });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^mdt_/),
        customer: 'm-import',
        card,
        min_amount: 100,
        max_amount: 5000,
        currency: 'USD',
        frequency_days: 0,
        status: 'active',
        last_charge_at: null,
        consent: {
          text: 'Signed at our previous provider',
          accepted_at: '2024-03-01T10:00:00.000Z',
          origin: null,
          last4: '4444',
          network_transaction_id: 'ntid_previous_provider',
          source: 'import',
        },
      });
      expect((await mandates('m-import')).map((m) => m.id)).toEqual([res.body.id]);
      expect((await events('mandate.created')).some((e) => e.data.mandate === res.body.id)).toBe(true);
    });

    it('refuses a card of another customer, inverted amounts, a past end date and a card number in the consent', async () => {
      const card = await importCard('m-import-2');
      await importCard('m-import-3', CARDS.visa);
      const other = await v.api('POST', '/v1/customers/m-import-3/mandates', { body: agreement(card) });
      expect(other.status).toBe(404);
      expect(other.body.error).toMatchObject({ code: 'resource_missing', param: 'card' });
      const inverted = await v.api('POST', '/v1/customers/m-import-2/mandates', { body: agreement(card, { min_amount: 900, max_amount: 100 }) });
      expect(inverted.body.error).toMatchObject({ code: 'parameter_invalid', param: 'min_amount' });
      const past = await v.api('POST', '/v1/customers/m-import-2/mandates', { body: agreement(card, { end_date: '2020-01-01' }) });
      expect(past.body.error).toMatchObject({ code: 'parameter_invalid', param: 'end_date' });
      const leak = await v.api('POST', '/v1/customers/m-import-2/mandates', {
        body: agreement(card, { consent: { text: `card ${CARDS.visa}`, accepted_at: '2024-03-01T10:00:00Z' } }),
      });
      expect(leak.status).toBe(400);
      expect(leak.text).not.toContain(CARDS.visa);
      const missing = await v.api('POST', '/v1/customers/m-import-2/mandates', { body: { card } });
      expect(missing.body.error).toMatchObject({ code: 'parameter_missing' });
      expect(await mandates('m-import-2')).toEqual([]);
    });
  });
});
