// Review of today's changes (import limit, customer_denied in merchant charges, one-digit keys, closed
// sessions' challenges): each test is an attack asserting the safe behaviour; a failing test is a defect.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizeRequest, AuthorizeResult } from '../../server/payments/processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { subscribe } from '../helpers/money-days.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, type Shop, startTestVault, type TestVault } from '../helpers/test-vault.ts';
import { freshVisa, guessesBetween } from '../helpers/test-cards.ts';

describeEachDb('review of today', (target) => {
  let v: TestVault;
  let inFront: ((req: AuthorizeRequest, real: (r: AuthorizeRequest) => Promise<AuthorizeResult>) => Promise<AuthorizeResult | undefined>) | undefined;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    const processor = v.runtime.deps.processor;
    const real = processor.authorize.bind(processor);
    processor.authorize = async (req) => (await inFront?.(req, real)) ?? real(req);
  });
  afterAll(() => v.close());
  beforeEach(() => {
    v.setNow(undefined);
    inFront = undefined;
  });

  let n = 0;
  const uniq = (p: string) => `${p}-${target.slice(0, 2)}-${++n}`;
  const shop = (group?: string): Promise<Shop> => newShop(v, { group, settings: { frame_limit_per_address: 0 } });
  const exp = { exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 };
  const importCard = (s: Shop, customer: string, number: string, headers?: Record<string, string>) =>
    s.api('POST', `/v1/customers/${customer}/cards`, { number, ...exp }, headers);
  const db = () => v.runtime.deps.db;

  describe('import limit: sister shops and migrations', () => {
    it('lets no sister shop confirm a shared card by typed guesses saved in its own checkouts (save: true), past the import limit', async () => {
      const a = await shop();
      const b = await shop(a.group);
      const customer = uniq('checkout-guess');
      const { card } = await subscribe(v, a, customer);
      const listed = (await b.api('GET', `/v1/customers/${customer}/cards`)).body.data[0];
      const guesses = [...guessesBetween(listed.bin, listed.last4, 11, CARDS.visa), CARDS.visa];
      const answers = [];
      for (const guess of guesses) {
        const s = await openSession(v, { customer, mode: 'setup', amount: undefined, currency: 'USD' }, b.secret_key);
        answers.push(await v.frame('/frame/v1/confirm', s.secret, { card: newCard(guess), save: true }));
      }
      const last = answers.at(-1)!;
      // Safe: stopped after ten guesses, or the right guess answers no differently from a wrong one.
      const confirmed = last.status === 200 && last.body.card?.token === card;
      const events = await db().selectFrom('events').select('type').where('merchant_id', '=', b.id).where('type', '=', 'card.updated').execute();
      expect(confirmed || events.length > 0, `statuses ${answers.map((r) => r.status).join(',')}, tokens equal: ${confirmed}`).toBe(false);
    });

    it("refuses a checkout save over the day's new cards before the processor hears of it, the same for a new number as for a saved one", async () => {
      const a = await shop();
      const customer = uniq('checkout-limit');
      const start = new Date();
      v.setNow(start);
      await subscribe(v, a, customer);
      const asked: string[] = [];
      inFront = async (req) => {
        asked.push(req.card.number);
        return undefined;
      };
      // Nine more new cards: ten saved today.
      for (const number of guessesBetween('424242', '4242', 9, CARDS.visa)) {
        const s = await openSession(v, { customer, mode: 'setup', amount: undefined, currency: 'USD' }, a.secret_key);
        const r = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true });
        expect(r.status, r.text).toBe(200);
      }
      asked.length = 0;
      const refusals = [];
      for (const number of [freshVisa(), CARDS.visa]) {
        const s = await openSession(v, { customer, amount: 1500, currency: 'USD' }, a.secret_key);
        refusals.push(await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true }));
      }
      expect(refusals.map((r) => [r.status, r.body.error?.code])).toEqual([
        [429, 'rate_limited'],
        [429, 'rate_limited'],
      ]);
      expect(asked).toEqual([]);
      // Paying without saving still works.
      const s = await openSession(v, { customer, amount: 1500, currency: 'USD' }, a.secret_key);
      expect((await v.frame('/frame/v1/confirm', s.secret, { card: newCard(freshVisa()) })).status).toBe(200);
      // A day later, a card may be saved again.
      v.setNow(new Date(start.getTime() + 86_400_000 + 1000));
      const later = await openSession(v, { customer, mode: 'setup', amount: undefined, currency: 'USD' }, a.secret_key);
      expect((await v.frame('/frame/v1/confirm', later.secret, { card: newCard(freshVisa()), save: true })).status).toBe(200);
    });

    it('adds no guesses for a shared card when more sister shops of the group import for the same customer', async () => {
      const a = await shop();
      const sisters = [await shop(a.group), await shop(a.group), await shop(a.group)];
      const customer = uniq('colluding');
      await subscribe(v, a, customer);
      const numbers = guessesBetween('424242', '4242', 30, CARDS.visa);
      let taken = 0;
      for (const [i, s] of sisters.entries()) {
        for (const number of numbers.slice(i * 10, i * 10 + 10)) if ((await importCard(s, customer, number)).status === 201) taken++;
      }
      // Safe: one customer's guesses in a day are bounded per group, not multiplied by its shops.
      expect(taken).toBeLessThanOrEqual(10);
    });

    it('still lets a migration import a few cards for many customers at once', async () => {
      const s = await shop();
      const customers = Array.from({ length: 20 }, () => uniq('migrated'));
      const replies = await Promise.all(
        customers.flatMap((c) => [importCard(s, c, freshVisa()), importCard(s, c, freshVisa()), importCard(s, c, CARDS.mastercard)]),
      );
      expect(replies.map((r) => r.status).filter((st) => st !== 201)).toEqual([]);
      // Run again (a migration script restarted): the same cards, 200, nothing refused.
      const again = await Promise.all(customers.map((c) => importCard(s, c, CARDS.mastercard)));
      expect(again.map((r) => r.status).filter((st) => st !== 200)).toEqual([]);
    });
  });

  describe('customer_denied in merchant-initiated charges', () => {
    it('records money an earlier attempt moved, even when the customer is set to deny and the ledger could not be asked once', async () => {
      const a = await shop();
      const customer = uniq('deny-unknown');
      const { card, mandate } = await subscribe(v, a, customer);
      const processor = v.runtime.deps.processor;
      const lookup = processor.lookup.bind(processor);
      // The processor's ledger cannot be asked during the first attempt, nor once on the retry.
      let lookupFailures = Infinity;
      processor.lookup = async (ref) => {
        if (lookupFailures > 0) {
          lookupFailures--;
          throw new Error('ledger unavailable');
        }
        return lookup(ref);
      };
      // The first attempt is approved at the processor, but the answer is lost on the way back.
      inFront = async (req, real) => {
        if (req.initiator !== 'merchant') return undefined;
        await real(req);
        throw new Error('socket hang up');
      };
      const key = { 'idempotency-key': uniq('lost') };
      const body = { customer, card, mandate, amount: 1500, currency: 'USD' };
      let first: Awaited<ReturnType<typeof a.api>>;
      try {
        first = await a.api('POST', '/v1/charges', body, key);
      } finally {
        inFront = undefined;
      }
      expect(first.status, first.text).toBeGreaterThanOrEqual(500);
      // The customer asks for no more saved-card charges; the retry finds the ledger down once.
      expect((await a.api('POST', `/v1/customers/${customer}`, { status: 'deny' })).status).toBe(200);
      lookupFailures = 1;
      try {
        const retry = await a.api('POST', '/v1/charges', body, key);
        // Any answer but one that ends the key: the money moved must still be found on a later retry.
        const later = await a.api('POST', '/v1/charges', body, key);
        expect(later.status, `retry ${retry.status} ${retry.text}; later ${later.status} ${later.text}`).toBe(201);
        expect(later.body.status).toBe('succeeded');
      } finally {
        processor.lookup = lookup;
      }
      const charges = await db().selectFrom('charges').selectAll().where('customer', '=', customer).where('initiator', '=', 'merchant').execute();
      expect(charges.filter((c) => c.status === 'succeeded')).toHaveLength(1);
    });
  });

  describe('Idempotency-Key spellings', () => {
    it('refuses a key spelling a known-brand number in ways no honest client writes', async () => {
      const s = await shop();
      const pan = freshVisa();
      const keys = {
        pairs: pan.match(/.{2}/g)!.join('-'),
        threes: `${pan.slice(0, 3)}-${pan.slice(3, 6)}-${pan.slice(6, 9)}-${pan.slice(9, 12)}-${pan.slice(12)}`,
        longSeparators: pan.match(/.{4}/g)!.join('----'),
        percentDigits: pan
          .split('')
          .map((d) => `%3${d}`)
          .join(''),
        oneByOneWithPair: `${pan.slice(0, 14).split('').join('-')}-${pan.slice(14)}`,
      };
      const accepted: string[] = [];
      for (const [name, key] of Object.entries(keys)) {
        const res = await s.api('POST', `/v1/customers/${uniq('key')}`, { locale: 'en' }, { 'idempotency-key': key });
        if (res.status !== 400) accepted.push(`${name} (${res.status})`);
      }
      expect(accepted).toEqual([]);
    });
  });

  describe('closed sessions and challenges', () => {
    it('answers a closed session the same (410) for a challenge id it never had as for its own', async () => {
      const s = await openSession(v, { customer: uniq('closed') });
      const asked = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge) });
      expect(asked.body.status, asked.text).toBe('requires_action');
      const own = asked.body.next_action.challenge as string;
      v.setNow(new Date(Date.now() + 3 * 86_400_000));
      const mine = await v.frame(`/frame/v1/challenges/${own}`, s.secret, { code: '123456' });
      const bogus = await v.frame(`/frame/v1/challenges/chl_000000000000nothere`, s.secret, { code: '123456' });
      expect([mine.status, bogus.status], `${mine.text} / ${bogus.text}`).toEqual([410, 410]);
    });
  });
});
