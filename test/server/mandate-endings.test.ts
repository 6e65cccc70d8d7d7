// How a mandate's end meets the charges under it. A cancellation (DELETE /v1/mandates/:id) or a card's
// deletion that comes while a merchant-initiated charge is at the processor waits for that charge: when
// it is answered, the charge is already recorded and no later one succeeds. A cancellation that lands
// during a charge all the same (one that stopped waiting) leaves the money's record but no date on the
// ended mandate. And a sister shop whose mandate ends because another shop (or the customer there)
// deleted the shared card hears of it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cancelMandateRow } from '../../server/mandates/mandate-status.ts';
import type { Processor } from '../../server/payments/processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, newShop, openSession, type Shop, startTestVault, type TestVault, LIFTABLE_LIMITS } from '../helpers/test-vault.ts';

const nextYear = new Date().getUTCFullYear() + 1;
const terms = { min_amount: 100, max_amount: 50_000, frequency_days: 0, end_date: `${nextYear}-12-31` };

describeEachDb('mandate endings and charges', (target) => {
  let v: TestVault;
  let real: Processor['authorize'];
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    const processor = v.runtime.deps.processor;
    real = processor.authorize.bind(processor);
  });
  afterEach(() => {
    v.runtime.deps.processor.authorize = real;
  });
  afterAll(() => v.close());

  /** The shop's customer agrees in a recurring setup (no charge yet): the saved card and the mandate. */
  async function subscribe(shop: Shop, customer: string, number: string = CARDS.visa, recurring = terms) {
    const s = await openSession(v, { customer, mode: 'setup', amount: undefined, recurring }, shop.secret_key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true });
    if (res.status !== 200) throw new Error(`not confirmed: ${res.text}`);
    return { card: res.body.card.token as string, mandate: res.body.mandate as string };
  }

  /**
   * Holds the next authorisation at the processor for `ms` (and runs `during` meanwhile); resolves
   * `atProcessor` once it is there, past every check of the charge.
   */
  function slowProcessor(ms: number, during?: () => Promise<void>) {
    let arrived!: () => void;
    const atProcessor = new Promise<void>((resolve) => (arrived = resolve));
    v.runtime.deps.processor.authorize = async (request) => {
      arrived();
      await Promise.all([new Promise((resolve) => setTimeout(resolve, ms)), during?.()]);
      return real(request);
    };
    return atProcessor;
  }

  const charge = (shop: Shop, customer: string, sub: { card: string; mandate: string }, key: string) =>
    shop.api(
      'POST',
      '/v1/charges',
      { customer, card: sub.card, amount: 900, currency: 'USD', mandate: sub.mandate },
      { 'idempotency-key': `${target}-${key}` },
    );
  const charges = async (shop: Shop, customer: string) =>
    (await shop.api('GET', `/v1/charges?customer=${customer}&initiator=merchant`)).body.data as { id: string; status: string }[];
  const mandate = async (shop: Shop, customer: string, id: string) =>
    ((await shop.api('GET', `/v1/customers/${customer}/mandates`)).body.data as any[]).find((m) => m.id === id);

  describe('a charge at the processor', () => {
    it('is recorded before the cancellation of its mandate is answered, and no charge succeeds after it', async () => {
      const shop = await newShop(v);
      const sub = await subscribe(shop, 'race-cancel');
      const atProcessor = slowProcessor(600);
      const inFlight = charge(shop, 'race-cancel', sub, 'race-cancel-1');
      await atProcessor;
      const cancel = await shop.api('DELETE', `/v1/mandates/${sub.mandate}`);
      // What the merchant sees the moment it is told "cancelled": the charge under it is already there.
      const seen = await charges(shop, 'race-cancel');
      expect(cancel.status).toBe(200);
      expect(cancel.body).toMatchObject({ id: sub.mandate, status: 'cancelled' });
      const done = await inFlight;
      expect(done.status).toBe(201);
      expect(seen).toEqual([expect.objectContaining({ id: done.body.id, status: 'succeeded' })]);
      // The mandate was dated by the charge, before it was cancelled; nothing succeeds on it any more.
      expect(await mandate(shop, 'race-cancel', sub.mandate)).toMatchObject({ status: 'cancelled', last_charge_at: expect.any(String) });
      const after = await charge(shop, 'race-cancel', sub, 'race-cancel-2');
      expect(after.status).toBe(402);
      expect(after.body.error.code).toBe('mandate_violation');
      expect(await charges(shop, 'race-cancel')).toHaveLength(1);
    });

    it("is recorded before its card's deletion is answered, and the card charges nothing after it", async () => {
      const shop = await newShop(v);
      const sub = await subscribe(shop, 'race-delete', CARDS.mastercard);
      const atProcessor = slowProcessor(600);
      const inFlight = charge(shop, 'race-delete', sub, 'race-delete-1');
      await atProcessor;
      const deleted = await shop.api('DELETE', `/v1/customers/race-delete/cards/${sub.card}`);
      const seen = await charges(shop, 'race-delete');
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ token: sub.card, deleted: true });
      const done = await inFlight;
      expect(done.status).toBe(201);
      expect(seen).toEqual([expect.objectContaining({ id: done.body.id, status: 'succeeded' })]);
      expect(await mandate(shop, 'race-delete', sub.mandate)).toMatchObject({ status: 'ended', last_charge_at: expect.any(String) });
      const after = await charge(shop, 'race-delete', sub, 'race-delete-2');
      expect(after.status).toBe(404);
      expect(await charges(shop, 'race-delete')).toHaveLength(1);
    });

    it('whose mandate is cancelled meanwhile all the same is recorded as the money moved, and dates no cancelled mandate', async () => {
      const shop = await newShop(v);
      const sub = await subscribe(shop, 'late-cancel');
      // A cancellation that did not wait for the charge (it gave up past the lease's wait): the row moves
      // while the charge is at the processor.
      slowProcessor(300, async () => {
        await cancelMandateRow(v.runtime.deps.db, sub.mandate, new Date());
      });
      const done = await charge(shop, 'late-cancel', sub, 'late-cancel-1');
      expect(done.status).toBe(201);
      expect(done.body).toMatchObject({ status: 'succeeded', mandate: sub.mandate });
      expect(await charges(shop, 'late-cancel')).toEqual([expect.objectContaining({ id: done.body.id, status: 'succeeded' })]);
      // A setup charged nothing: the cancelled mandate still shows no charge, and allows none.
      expect(await mandate(shop, 'late-cancel', sub.mandate)).toMatchObject({ status: 'cancelled', last_charge_at: null });
      const again = await charge(shop, 'late-cancel', sub, 'late-cancel-1');
      expect(again).toMatchObject({ status: 201, body: { id: done.body.id, status: 'succeeded' } });
    });
  });

  describe("a sister shop's deletion of a shared card", () => {
    const cardEvents = async (shop: Shop) => ((await shop.api('GET', '/v1/events?type=card.deleted&limit=100')).body.data as any[]).map((e) => e.data);

    it('tells the shop whose mandate it ended, and the deleting shop as before', async () => {
      const a = await newShop(v);
      const b = await newShop(v, { group: a.group });
      const sub = await subscribe(a, 'sister-dan');
      const res = await b.api('DELETE', `/v1/customers/sister-dan/cards/${sub.card}`);
      expect(res.status).toBe(200);
      expect(await mandate(a, 'sister-dan', sub.mandate)).toMatchObject({ status: 'ended' });
      expect(await cardEvents(a)).toEqual([{ card: sub.card, customer: 'sister-dan', by: 'sister_shop', mandates: [sub.mandate] }]);
      expect(await cardEvents(b)).toEqual([{ card: sub.card, customer: 'sister-dan', by: 'merchant' }]);
    });

    it('lists only the mandates live on the day of the deletion, not one that had lapsed by its end date', async () => {
      const a = await newShop(v);
      const b = await newShop(v, { group: a.group });
      const soon = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      const lapsing = await subscribe(a, 'sister-gil', CARDS.visa, { ...terms, end_date: soon });
      // A second agreement on the same card, for a year yet.
      const s = await openSession(v, { customer: 'sister-gil', mode: 'setup', amount: undefined, recurring: terms }, a.secret_key);
      const again = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: lapsing.card, cvc: '123' }, save: true });
      expect(again.status, again.text).toBe(200);
      const live = again.body.mandate as string;
      v.setNow(new Date(Date.now() + 10 * 86_400_000));
      try {
        expect(await mandate(a, 'sister-gil', lapsing.mandate)).toMatchObject({ status: 'ended' });
        expect(await mandate(a, 'sister-gil', live)).toMatchObject({ status: 'active' });
        expect((await b.api('DELETE', `/v1/customers/sister-gil/cards/${lapsing.card}`)).status).toBe(200);
        expect(await cardEvents(a)).toEqual([{ card: lapsing.card, customer: 'sister-gil', by: 'sister_shop', mandates: [live] }]);
        expect(await mandate(a, 'sister-gil', lapsing.mandate)).toMatchObject({ status: 'ended' });
        expect(await mandate(a, 'sister-gil', live)).toMatchObject({ status: 'ended' });
        // The lapsed one is left to the lapse's own treatment (the scheduler's sweep): the deletion did not date its end.
        const stored = await v.runtime.deps.db.selectFrom('mandates').select(['id', 'ended_at']).where('card_token', '=', lapsing.card).orderBy('id').execute();
        expect(Object.fromEntries(stored.map((m) => [m.id, m.ended_at]))).toEqual({ [lapsing.mandate]: null, [live]: expect.any(String) });
      } finally {
        v.setNow(undefined);
      }
    });

    it("tells it too when the customer deletes the card in the sister shop's fields", async () => {
      const a = await newShop(v);
      const b = await newShop(v, { group: a.group });
      const sub = await subscribe(a, 'sister-eve');
      const fields = await openSession(v, { customer: 'sister-eve' }, b.secret_key);
      expect((await v.frame('/frame/v1/cards/delete', fields.secret, { token: sub.card })).body).toEqual({ token: sub.card, deleted: true });
      expect(await cardEvents(a)).toEqual([{ card: sub.card, customer: 'sister-eve', by: 'customer', mandates: [sub.mandate] }]);
      expect(await cardEvents(b)).toEqual([{ card: sub.card, customer: 'sister-eve', by: 'customer' }]);
    });

    it('tells a shop deleting the card under its own mandate once, as before, and no shop without a mandate on it', async () => {
      const a = await newShop(v);
      const b = await newShop(v, { group: a.group });
      const sub = await subscribe(a, 'sister-fay');
      expect((await a.api('DELETE', `/v1/customers/sister-fay/cards/${sub.card}`)).status).toBe(200);
      expect(await cardEvents(a)).toEqual([{ card: sub.card, customer: 'sister-fay', by: 'merchant' }]);
      expect(await cardEvents(b)).toEqual([]);
    });
  });
});
