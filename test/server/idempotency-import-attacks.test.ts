// Attacks on Idempotency-Key handling, on the card import (POST /v1/customers/:c/cards) as an oracle,
// on customers across merchants and groups, and on card numbers hidden where they must never go. Each
// test is the attack as a merchant (or a sister shop) would run it, asserting the safe behaviour: a
// failing test is a weakness. Both databases.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizeRequest, AuthorizeResult } from '../../server/payments/processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { everyRow } from '../helpers/storage-scan.ts';
import { nextYear, schedulerPass, subscribe } from '../helpers/money-days.ts';
import { CARDS, LIFTABLE_LIMITS, newShop, type Shop, startTestVault, type TestVault } from '../helpers/test-vault.ts';
import { freshVisa, guessesBetween } from '../helpers/test-cards.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The text with single separators between digits removed: `4242 4242…` and `4242.4242…` read as one run. */
const joined = (text: string) => text.replace(/(\d)[^0-9A-Za-z](?=\d)/g, '$1');

describeEachDb('idempotency and import attacks', (target) => {
  let v: TestVault;
  /** Every authorisation the processor was asked for, by reference. */
  let authorized: AuthorizeRequest[] = [];
  /** A test's own behaviour in front of the simulated processor (delay, a failure). */
  let inFront: ((req: AuthorizeRequest) => Promise<AuthorizeResult | undefined>) | undefined;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    const processor = v.runtime.deps.processor;
    const real = processor.authorize.bind(processor);
    processor.authorize = async (req) => {
      authorized.push({ ...req, card: { ...req.card } });
      const early = await inFront?.(req);
      return early ?? real(req);
    };
  });
  afterAll(() => v.close());
  beforeEach(() => {
    v.setNow(undefined);
    inFront = undefined;
    authorized = [];
  });

  let n = 0;
  const uniq = (p: string) => `${p}-${target.slice(0, 2)}-${++n}`;
  const shop = (group?: string): Promise<Shop> => newShop(v, { group, settings: { frame_limit_per_address: 0 } });
  const exp = { exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 };
  const importCard = (s: Shop, customer: string, number: string, headers?: Record<string, string>, extra: Record<string, unknown> = {}) =>
    s.api('POST', `/v1/customers/${customer}/cards`, { number, ...exp, ...extra }, headers);
  const db = () => v.runtime.deps.db;
  const succeededFor = async (customer: string) =>
    (await db().selectFrom('charges').selectAll().where('customer', '=', customer).where('status', '=', 'succeeded').execute()).filter(
      (c) => c.initiator === 'merchant',
    );
  const liveCards = async (groupId: string, customer: string) =>
    db().selectFrom('cards').selectAll().where('group_id', '=', groupId).where('customer', '=', customer).where('deleted_at', 'is', null).execute();
  /** An imported card with a mandate this shop recorded: what a merchant-initiated charge needs. */
  async function importedWithMandate(s: Shop, customer: string, number: string = CARDS.visa) {
    const card = (await importCard(s, customer, number)).body.token as string;
    const m = await s.api('POST', `/v1/customers/${customer}/mandates`, {
      card,
      min_amount: 100,
      max_amount: 50_000,
      currency: 'USD',
      frequency_days: 0,
      end_date: `${nextYear}-12-31`,
      consent: { text: 'I agree to be charged', accepted_at: new Date().toISOString() },
    });
    if (m.status !== 201) throw new Error(`mandate refused: ${m.text}`);
    return { card, mandate: m.body.id as string };
  }

  describe('Idempotency-Key', () => {
    it("never replays another merchant's or a sister shop's stored answer for the same key and body", async () => {
      const a = await shop();
      const sister = await shop(a.group);
      const other = await shop();
      const customer = uniq('idem-foreign');
      const { card, mandate } = await subscribe(v, a, customer);
      const body = { customer, card, amount: 1200, currency: 'USD', mandate };
      const first = await a.api('POST', '/v1/charges', body, { 'idempotency-key': 'shared-key-1' });
      expect(first.status, first.text).toBe(201);
      for (const s of [sister, other]) {
        const res = await s.api('POST', '/v1/charges', body, { 'idempotency-key': 'shared-key-1' });
        expect(res.headers.get('idempotent-replayed')).toBeNull();
        expect(res.text).not.toContain(first.body.id);
        expect([402, 404]).toContain(res.status);
      }
      // The same for an import: another group's import with the same key and body is its own card.
      const imported = await importCard(a, customer, CARDS.mastercard, { 'idempotency-key': 'shared-key-2' });
      const foreign = await importCard(other, customer, CARDS.mastercard, { 'idempotency-key': 'shared-key-2' });
      expect(foreign.status).toBe(201);
      expect(foreign.headers.get('idempotent-replayed')).toBeNull();
      expect(foreign.body.token).not.toBe(imported.body.token);
      expect(await succeededFor(customer)).toHaveLength(1);
    });

    it('charges once when the same key comes with another body, the same body re-ordered or re-spaced, or on another path', async () => {
      const s = await shop();
      const customer = uniq('idem-body');
      const { card, mandate } = await subscribe(v, s, customer);
      authorized = [];
      const key = { 'idempotency-key': uniq('k') };
      const raw = (text: string) => v.api('POST', '/v1/charges', { key: s.secret_key, raw: text, headers: { ...key, 'content-type': 'application/json' } });
      const first = await raw(JSON.stringify({ customer, card, amount: 1000, currency: 'USD', mandate }));
      expect(first.status, first.text).toBe(201);
      const variants = [
        JSON.stringify({ customer, card, amount: 2000, currency: 'USD', mandate }),
        JSON.stringify({ mandate, currency: 'USD', amount: 1000, card, customer }),
        JSON.stringify({ customer, card, amount: 1000, currency: 'USD', mandate }, null, 2),
        ` ${JSON.stringify({ customer, card, amount: 1000, currency: 'USD', mandate })}\n`,
      ];
      for (const text of variants) {
        const res = await raw(text);
        // Either the first answer replayed, or 409: never a second run.
        if (res.status === 201) {
          expect(res.headers.get('idempotent-replayed')).toBe('true');
          expect(res.body.id).toBe(first.body.id);
        } else expect(res.body.error.code).toBe('idempotency_key_reused');
      }
      // Same key and body on another endpoint: not the charge's answer.
      const elsewhere = await s.api('POST', `/v1/customers/${customer}`, { email: 'x@example.com' }, key);
      expect(elsewhere.status).toBe(409);
      expect(await succeededFor(customer)).toHaveLength(1);
      expect(authorized.filter((r) => r.merchant === s.id)).toHaveLength(1);
    });

    it('makes exactly one charge when five identical requests with one key are in flight at once', async () => {
      const s = await shop();
      const customer = uniq('idem-race');
      const { card, mandate } = await subscribe(v, s, customer);
      authorized = [];
      inFront = async () => {
        await sleep(300);
        return undefined;
      };
      const body = { customer, card, amount: 1500, currency: 'USD', mandate };
      const replies = await Promise.all(Array.from({ length: 5 }, () => s.api('POST', '/v1/charges', body, { 'idempotency-key': 'race-key' })));
      const codes = replies.map((r) => `${r.status}:${r.body.error?.code ?? r.body.id}`);
      expect(replies.filter((r) => r.status === 201).length, codes.join(' ')).toBeGreaterThanOrEqual(1);
      expect(new Set(replies.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(1);
      for (const r of replies.filter((r) => r.status !== 201)) expect(r.body.error.code).toBe('request_in_progress');
      expect(authorized.filter((r) => r.merchant === s.id)).toHaveLength(1);
      expect(await succeededFor(customer)).toHaveLength(1);
    });

    it('makes one card when five identical imports with one key are in flight at once, from the shop and its sister', async () => {
      const a = await shop();
      const b = await shop(a.group);
      const customer = uniq('import-race');
      const replies = await Promise.all(
        Array.from({ length: 6 }, (_, i) => importCard(i % 2 ? a : b, customer, CARDS.amex, { 'idempotency-key': 'import-race' })),
      );
      expect(
        replies.every((r) => [200, 201, 409].includes(r.status)),
        replies.map((r) => r.text).join('\n'),
      ).toBe(true);
      expect(await liveCards(a.group, customer)).toHaveLength(1);
    });

    it('refuses a charge or a forward without a key, and keys that are empty, too long or huge, without echoing them', async () => {
      const s = await shop();
      const body = { customer: 'c-none', card: 'card_x', amount: 100, currency: 'USD', mandate: 'mdt_x' };
      expect((await s.api('POST', '/v1/charges', body)).body.error.code).toBe('parameter_missing');
      expect((await s.api('POST', '/v1/forward', {})).body.error.code).toBe('parameter_missing');
      for (const key of ['', 'k'.repeat(256), 'z'.repeat(20_000)]) {
        const res = await s.api('POST', '/v1/charges', body, { 'idempotency-key': key });
        expect(res.status).toBe(400);
        expect(res.text).not.toContain('kkkkkkkkkk');
        expect(res.text).not.toContain('zzzzzzzzzz');
      }
      expect(await db().selectFrom('idempotency_keys').select('key').where('merchant_id', '=', s.id).execute()).toEqual([]);
    });

    it('refuses keys holding a card number, and keeps them nowhere (table, logs)', async () => {
      const s = await shop();
      const pan = freshVisa();
      const g = pan.match(/.{4}/g)!;
      const keys = [pan, `order-${pan}`, g.join(' '), g.join('-'), g.join('.'), g.join('%20'), `${g.join('_')}-retry-2`];
      for (const key of keys) {
        const res = await s.api('POST', `/v1/customers/${uniq('kc')}`, { locale: 'en' }, { 'idempotency-key': key });
        expect(res.status, key).toBe(400);
        expect(joined(res.text)).not.toContain(pan);
      }
      const stored = await db().selectFrom('idempotency_keys').select('key').where('merchant_id', '=', s.id).execute();
      expect(stored.filter((r) => joined(r.key).includes(pan))).toEqual([]);
      expect(joined(v.logs.join('\n'))).not.toContain(pan);
    });

    it('refuses a key holding a card number with a separator between every digit, as every other field does (it would reach the processor)', async () => {
      const s = await shop();
      const customer = uniq('kd');
      const { card, mandate } = await subscribe(v, s, customer);
      authorized = [];
      const pan = freshVisa();
      const keys = [pan.split('').join('-'), pan.split('').join('.')];
      const charge = await s.api('POST', '/v1/charges', { customer, card, mandate, amount: 100, currency: 'USD' }, { 'idempotency-key': keys[0] });
      // Accepted, the key becomes the processor reference: a provider's idempotency key, kept in its logs.
      expect(authorized.filter((r) => r.reference.replace(/\D/g, '').includes(pan))).toEqual([]);
      expect(charge.status).toBe(400);
      for (const key of keys) {
        const res = await s.api('POST', `/v1/customers/${uniq('kd')}`, { locale: 'en' }, { 'idempotency-key': key });
        expect(res.status, key).toBe(400);
      }
      const stored = await db().selectFrom('idempotency_keys').select('key').where('merchant_id', '=', s.id).execute();
      expect(stored.filter((r) => r.key.replace(/\D/g, '').includes(pan))).toEqual([]);
    });

    it('replays a 4xx, but runs again after a 5xx: one charge in all', async () => {
      const s = await shop();
      const customer = uniq('idem-retry');
      const { card, mandate } = await subscribe(v, s, customer);
      // 402 without the mandate: replayed, even once the body would now pass.
      const refused = await s.api('POST', '/v1/charges', { customer, card, amount: 900, currency: 'USD' }, { 'idempotency-key': 'retry-4xx' });
      expect(refused.status).toBe(402);
      const again = await s.api('POST', '/v1/charges', { customer, card, amount: 900, currency: 'USD' }, { 'idempotency-key': 'retry-4xx' });
      expect(again.status).toBe(402);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      // The processor fails once: 502, not stored; the retry charges once.
      let failed = false;
      inFront = async () => {
        if (failed) return undefined;
        failed = true;
        return { outcome: 'error', message: 'down' };
      };
      const body = { customer, card, amount: 900, currency: 'USD', mandate };
      const down = await s.api('POST', '/v1/charges', body, { 'idempotency-key': 'retry-5xx' });
      expect(down.status).toBe(502);
      const up = await s.api('POST', '/v1/charges', body, { 'idempotency-key': 'retry-5xx' });
      expect(up.status, up.text).toBe(201);
      const replay = await s.api('POST', '/v1/charges', body, { 'idempotency-key': 'retry-5xx' });
      expect(replay.body.id).toBe(up.body.id);
      expect(await succeededFor(customer)).toHaveLength(1);
    });

    it("forgets an import's stored answer when its card is deleted: a replay never names the deleted card", async () => {
      const a = await shop();
      const b = await shop(a.group);
      const customer = uniq('idem-deleted');
      const first = await importCard(a, customer, CARDS.mastercard, { 'idempotency-key': 'imp-del' });
      expect(first.status).toBe(201);
      // The sister shop deletes it.
      expect((await b.api('DELETE', `/v1/customers/${customer}/cards/${first.body.token}`)).status).toBe(200);
      expect(await db().selectFrom('idempotency_keys').select('key').where('merchant_id', '=', a.id).where('key', '=', 'imp-del').execute()).toEqual([]);
      const replay = await importCard(a, customer, CARDS.mastercard, { 'idempotency-key': 'imp-del' });
      expect(replay.status).toBe(201);
      expect(replay.body.token).not.toBe(first.body.token);
      expect(replay.headers.get('idempotent-replayed')).toBeNull();
    });

    it('keeps no trace of a refused import under its key: a retry with another number is a new request', async () => {
      const s = await shop();
      const customer = uniq('idem-refused');
      await s.api('POST', `/v1/customers/${customer}`, { status: 'deny' });
      const pan = freshVisa();
      const refused = await importCard(s, customer, pan, { 'idempotency-key': 'imp-refused' });
      expect(refused.status).toBe(403);
      expect(await db().selectFrom('idempotency_keys').select('key').where('merchant_id', '=', s.id).execute()).toEqual([]);
      await s.api('POST', `/v1/customers/${customer}`, { status: 'none' });
      const ok = await importCard(s, customer, CARDS.visa, { 'idempotency-key': 'imp-refused' });
      expect(ok.status).toBe(201);
    });
  });

  describe('card import as an oracle', () => {
    it('tells nothing of a number saved for another customer, at another group, or at a sister shop for another customer', async () => {
      const a = await shop();
      const sister = await shop(a.group);
      const other = await shop();
      const pan = freshVisa();
      const alice = uniq('alice');
      const first = await importCard(a, alice, pan);
      expect(first.status).toBe(201);
      const answers = [await importCard(a, uniq('bob'), pan), await importCard(sister, uniq('carol'), pan), await importCard(other, alice, pan)];
      for (const res of answers) {
        expect(res.status, res.text).toBe(201);
        expect(res.body.token).not.toBe(first.body.token);
        expect(Object.keys(res.body)).not.toContain('fingerprint');
        expect(res.text).not.toMatch(/duplicate|already|exists/i);
      }
      // Another group's events hear only of their own card.
      const events = await db().selectFrom('events').selectAll().where('merchant_id', '=', other.id).execute();
      expect(events.map((e) => e.type)).toEqual(['card.saved']);
      expect(events[0].data).not.toContain(first.body.token);
    });

    it("lets no sister shop confirm the full number of a customer's card saved elsewhere by importing guesses (200 vs 201)", async () => {
      const a = await shop();
      const b = await shop(a.group);
      const customer = uniq('pan-guess');
      const { card } = await subscribe(v, a, customer);
      // The sister shop sees the first six and last four; about 10^5 numbers pass Luhn between them.
      const listed = (await b.api('GET', `/v1/customers/${customer}/cards`)).body.data[0];
      expect(listed.token).toBe(card);
      const guesses = guessesBetween(listed.bin, listed.last4, 40, CARDS.visa);
      const answers = [];
      for (const guess of [...guesses, CARDS.visa]) answers.push(await importCard(b, customer, guess));
      const last = answers.at(-1)!;
      // Safe: the imports are stopped, or the answer to the right guess is no different from a wrong one.
      const confirmed = last.status === 200 && last.body.token === card;
      expect(confirmed, `statuses: ${[...new Set(answers.map((r) => r.status))].join(',')}`).toBe(false);
    });

    it('takes at most 10 imports a day per customer from a group, in flight at once too, and counts neither a re-import nor a deletion back', async () => {
      const a = await shop();
      const b = await shop(a.group);
      const customer = uniq('import-limit');
      const start = new Date();
      v.setNow(start);
      const numbers = guessesBetween('424242', '4242', 20, CARDS.visa);
      // Fifteen at once: the count holds whichever instance or connection each one reaches.
      const burst = await Promise.all(numbers.slice(0, 15).map((n) => importCard(b, customer, n)));
      expect(burst.filter((r) => r.status === 201)).toHaveLength(10);
      const refused = burst.filter((r) => r.status !== 201);
      for (const r of refused) {
        expect(r.status, r.text).toBe(429);
        expect(r.body.error.code).toBe('rate_limited');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(86_000);
      }
      // Nothing of a refused import stays: ten cards, not fifteen.
      expect(await liveCards(b.group, customer)).toHaveLength(10);
      // A card it imported already is not counted again (an expiry brought up to date)...
      // Which ten of the fifteen got through depends on the order they arrived in.
      const imported = numbers[burst.findIndex((r) => r.status === 201)];
      const again = await importCard(b, customer, imported);
      expect(again.status, again.text).toBe(200);
      // ...and deleting the cards gives no guess back.
      const first = burst.find((r) => r.status === 201)!;
      expect((await b.api('DELETE', `/v1/customers/${customer}/cards/${first.body.token}`)).status).toBe(200);
      expect((await importCard(b, customer, numbers[16])).status).toBe(429);
      // The limit is the customer's in the group: the sister shop adds no guesses; other customers are untouched.
      expect((await importCard(a, customer, numbers[17])).status).toBe(429);
      expect((await importCard(b, uniq('other'), numbers[18])).status).toBe(201);
      // A day later the merchant may import again.
      v.setNow(new Date(start.getTime() + 86_400_000 + 1000));
      expect((await importCard(b, customer, numbers[19])).status).toBe(201);
    });

    it("lets no merchant charge a card imported for a sister shop's customer without its own mandate, nor under the sister's", async () => {
      const a = await shop();
      const b = await shop(a.group);
      const customer = uniq('import-sister');
      const { card, mandate } = await importedWithMandate(a, customer, CARDS.mastercard);
      const byB = await importCard(b, customer, CARDS.visa);
      expect(byB.status).toBe(201);
      const charge = (s: Shop, body: Record<string, unknown>) =>
        s.api('POST', '/v1/charges', { customer, amount: 1000, currency: 'USD', ...body }, { 'idempotency-key': uniq('imp-ch') });
      expect((await charge(b, { card: byB.body.token })).body.error.code).toBe('mandate_violation');
      expect((await charge(b, { card, mandate })).body.error.code).toBe('mandate_violation');
      expect((await charge(b, { card: byB.body.token, mandate })).body.error.code).toBe('mandate_violation');
      expect(await succeededFor(customer)).toHaveLength(0);
    });

    it('refuses to import for a customer set to deny, from a sister shop too, and keeps nothing of the refused number', async () => {
      const a = await shop();
      const b = await shop(a.group);
      const customer = uniq('deny-import');
      expect((await a.api('POST', `/v1/customers/${customer}`, { status: 'deny' })).status).toBe(200);
      const pan = freshVisa();
      const holder = 'Refused Holder';
      const refused = await importCard(b, customer, pan, { 'idempotency-key': uniq('deny') }, { holder });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('customer_denied');
      // Refused for other reasons too: a past expiry, a bad holder.
      expect((await b.api('POST', `/v1/customers/${customer}/cards`, { number: pan, exp_month: 1, exp_year: 2020 })).status).toBe(400);
      expect((await importCard(b, uniq('other'), pan, undefined, { holder: `x ${pan}` })).status).toBe(400);
      const rows = await everyRow(v, target, 'cards');
      expect(joined(rows)).not.toContain(pan);
      expect(rows).not.toContain(holder);
      expect(joined(v.logs.join('\n'))).not.toContain(pan);
      expect(await liveCards(a.group, customer)).toHaveLength(0);
    });
  });

  describe('customers across merchants', () => {
    it("shows, changes and deletes nothing of another group's customer with the same number", async () => {
      const a = await shop();
      const other = await shop();
      const customer = uniq('victim');
      await a.api('POST', `/v1/customers/${customer}`, { email: 'victim@example.com', limits: { daily: 5000 } });
      const { card } = await subscribe(v, a, customer);
      const read = await other.api('GET', `/v1/customers/${customer}`);
      expect(read.body).toEqual({ customer, status: 'none', limits: {} });
      expect((await other.api('GET', `/v1/customers?prefix=${customer}`)).body.data).toEqual([]);
      expect((await other.api('GET', '/v1/customers?limit=100')).text).not.toContain(customer);
      expect((await other.api('GET', `/v1/customers/${customer}/cards`)).body.data).toEqual([]);
      expect((await other.api('POST', `/v1/customers/${customer}`, { status: 'deny', email: null, limits: { daily: 1 } })).status).toBe(200);
      expect((await other.api('DELETE', `/v1/customers/${customer}/cards/${card}`)).status).toBe(404);
      expect((await other.api('POST', `/v1/customers/${customer}/cards/${card}`, { default: true })).status).toBe(404);
      const after = await a.api('GET', `/v1/customers/${customer}`);
      expect(after.body).toMatchObject({ status: 'member', email: 'victim@example.com', limits: { daily: 5000 }, default_card: card });
    });

    it('answers path tricks in a customer number with 400 or 404, never with another customer, and stores none of them', async () => {
      const a = await shop();
      const other = await shop();
      const victim = uniq('v');
      await a.api('POST', `/v1/customers/${victim}`, { email: 'v@example.com' });
      const tricks = [
        `..%2F..%2F${victim}`,
        `x%2F..%2F${victim}`,
        `${victim}%2Fcards`,
        `${victim}%00`,
        `${victim}%20`,
        encodeURIComponent(`${victim.toUpperCase().replace('V', '\uFF36')}`),
        encodeURIComponent(`${victim}\u200b`),
        'x'.repeat(33),
        'x'.repeat(10_000),
        `${victim}/../${victim}`,
        `%2e%2e/${victim}`,
      ];
      for (const t of tricks) {
        for (const [method, body] of [
          ['GET', undefined],
          ['POST', { locale: 'en' }],
        ] as const) {
          const res = await other.api(method, `/v1/customers/${t}`, body);
          expect(res.text, `${method} ${t}`).not.toContain('v@example.com');
          if (res.status === 200) expect(res.body.customer).toMatch(/^[A-Za-z0-9._@-]{1,32}$/);
        }
      }
      const rows = await db().selectFrom('customers').select('customer').where('group_id', '=', other.group).execute();
      for (const r of rows) expect(r.customer).toMatch(/^[A-Za-z0-9._@-]{1,32}$/);
    });
    it('takes no saved card of a customer set to deny in a merchant-initiated charge, as the fields take none in a one-click payment', async () => {
      const a = await shop();
      const b = await shop(a.group);
      const customer = uniq('deny-charge');
      const { card, mandate } = await subscribe(v, a, customer);
      // The customer tells the sister shop they no longer allow saved cards.
      expect((await b.api('POST', `/v1/customers/${customer}`, { status: 'deny' })).status).toBe(200);
      const res = await a.api('POST', '/v1/charges', { customer, card, mandate, amount: 1000, currency: 'USD' }, { 'idempotency-key': uniq('deny') });
      expect(res.status, res.text).toBe(403);
      expect(res.body.error.code).toBe('customer_denied');
      // Nor does the scheduler pay the shop's invoice with it: the attempt fails, and the shop hears why.
      const due = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      const invoice = await a.api('POST', '/v1/invoices', { customer, amount: 1000, currency: 'USD', due_date: due, auto_pay: true });
      expect(invoice.status, invoice.text).toBe(201);
      expect(await schedulerPass(a)).toMatchObject({ paid: 0, failed: 1 });
      const failed = await db().selectFrom('events').selectAll().where('merchant_id', '=', a.id).where('type', '=', 'invoice.payment_failed').execute();
      expect(failed.map((e) => JSON.parse(e.data))).toEqual([expect.objectContaining({ invoice: invoice.body.id, code: 'customer_denied' })]);
      expect(await succeededFor(customer)).toHaveLength(0);
      // Set back to none, the customer's agreement serves again.
      expect((await b.api('POST', `/v1/customers/${customer}`, { status: 'none' })).status).toBe(200);
      const again = await a.api('POST', '/v1/charges', { customer, card, mandate, amount: 1000, currency: 'USD' }, { 'idempotency-key': uniq('none') });
      expect(again.status, again.text).toBe(201);
    });
  });

  describe('card numbers where they must never be', () => {
    it('refuses a card number in a customer number (path), an order, an e-mail, a holder, a parameter name, and stores and logs none', async () => {
      const s = await shop();
      const customer = uniq('pan-places');
      const { card, mandate } = await subscribe(v, s, customer);
      const pan = freshVisa();
      const g = pan.match(/.{4}/g)!;
      for (const id of [pan, g.join('.'), g.join('-'), g.join('_'), g.join('@'), `x${pan}`]) {
        expect((await s.api('GET', `/v1/customers/${id}`)).status, id).toBe(400);
        expect((await s.api('POST', `/v1/customers/${id}`, { locale: 'en' }, { 'idempotency-key': uniq('p') })).status, id).toBe(400);
        expect((await importCard(s, id, CARDS.visa, { 'idempotency-key': uniq('p') })).status, id).toBe(400);
        expect((await s.api('GET', `/v1/customers/${id}/cards`)).status, id).toBe(400);
      }
      const charge = await s.api(
        'POST',
        '/v1/charges',
        { customer, card, mandate, amount: 100, currency: 'USD', order: `ord ${g.join(' ')}` },
        { 'idempotency-key': uniq('o') },
      );
      expect(charge.status).toBe(400);
      expect((await s.api('POST', `/v1/customers/${customer}`, { email: `${pan}@example.com` })).status).toBe(400);
      expect((await importCard(s, customer, CARDS.visa, undefined, { holder: g.join(' ') })).status).toBe(400);
      const unknown = await s.api('POST', `/v1/customers/${customer}/cards/${card}`, { default: true, [pan]: 1 });
      expect(unknown.status).toBe(400);
      expect(joined(unknown.text)).not.toContain(pan);
      const nickname = await s.api('POST', `/v1/customers/${customer}/cards/${card}`, { default: true, nickname: pan });
      expect(nickname.status).toBe(400);
      expect(joined(nickname.text)).not.toContain(pan);
      const rows = await everyRow(v, target, 'idempotency_keys');
      expect(joined(rows)).not.toContain(pan);
      expect(joined(v.logs.join('\n'))).not.toContain(pan);
    });

    it("echoes no card number in an import's errors, and its events and answers carry only the last four", async () => {
      const s = await shop();
      const customer = uniq('pan-errors');
      const pan = freshVisa();
      const wrongLuhn = pan.slice(0, -1) + String((Number(pan.at(-1)) + 1) % 10);
      const bodies: unknown[] = [
        { number: wrongLuhn, ...exp },
        { number: `${pan}0`, ...exp },
        { number: pan, exp_month: pan, exp_year: exp.exp_year },
        { number: pan, exp_month: Number(pan), exp_year: exp.exp_year },
        { number: Number(pan), ...exp },
        { number: `${pan}x`, ...exp },
        { number: pan, ...exp, cvc: '123' },
        { number: pan, ...exp, metadata: { note: pan } },
      ];
      for (const body of bodies) {
        const res = await s.api('POST', `/v1/customers/${customer}/cards`, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(joined(res.text)).not.toContain(pan);
        expect(joined(res.text)).not.toContain(wrongLuhn);
      }
      const ok = await importCard(s, customer, pan, { 'idempotency-key': uniq('ok') });
      expect(ok.status).toBe(201);
      expect(joined(ok.text)).not.toContain(pan);
      const rows = await everyRow(v, target, 'events');
      expect(joined(rows)).not.toContain(pan);
      expect(joined(rows)).not.toContain(wrongLuhn);
      expect(joined(v.logs.join('\n'))).not.toContain(pan);
      expect(joined(v.logs.join('\n'))).not.toContain(wrongLuhn);
    });
  });
});
