// The fields' endpoints (/frame/v1/*) and the vault's pages around them, attacked as an attacker would:
// a client secret carried to another merchant's page, to a page nobody allowed, or guessed; what a
// session read tells a page; the per-address limits dodged with forwarded-address headers and IPv6
// spellings; frame-ancestors on the pages the fields and 3-D Secure use; a secret or a card number in a
// URL, a header, a log line, an error or an event; CORS; hostile bodies.
// Each test is the attack and asserts the safe behaviour: a failing test is a weakness the review found.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { containsCardNumber, passesLuhn } from '../../protocol/cards.ts';
import { LOCALES } from '../../protocol/messages.ts';
import { compileTrust } from '../../server/middleware/client-address.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, SHOP, VAULT, newCard, newShop, openSession, startTestVault, type Shop, type TestVault } from '../helpers/test-vault.ts';

const SHOP_B = 'http://shop-b.test';
const EVIL = 'http://evil.test';
const FRAME_ENDPOINTS = ['/frame/v1/session', '/frame/v1/confirm', '/frame/v1/cards/delete', '/frame/v1/challenges/chl_any'] as const;

interface Raw {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

describeEachDb('fields attacks', (target) => {
  let v: TestVault;
  let a: Shop;
  let b: Shop;
  const trustOne = compileTrust(1);
  beforeAll(async () => {
    // The operator runs one reverse proxy (TRUST_PROXY=1) and the production limits.
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    a = await newShop(v, { settings: { frame_limit_per_address: 300, name: 'Alpha Books' } });
    b = await newShop(v, { settings: { frame_limit_per_address: 300, name: 'Bravo Secret Corp', allowed_origins: [SHOP_B] } });
  });
  afterAll(() => v?.close());
  afterEach(() => {
    v.setNow(undefined);
    v.runtime.deps.trustProxy = trustOne;
  });

  let serial = 0;
  const fresh = (label: string) => `fa-${label}-${target}-${++serial}`;
  const db = () => v.runtime.deps.db;

  /** Any request, with any headers, from any socket address. */
  async function raw(method: string, p: string, o: { headers?: Record<string, string>; body?: string; address?: string } = {}): Promise<Raw> {
    const res = await v.runtime.app.request(`${VAULT}${p}`, { method, headers: o.headers ?? {}, body: o.body }, {
      incoming: { socket: { remoteAddress: o.address ?? '127.0.0.1' } },
    } as never);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* a page */
    }
    return { status: res.status, text, body, headers: res.headers };
  }
  /** A fields request as the iframe sends it; a header set to null is left out. */
  function frame(p: string, secret: string, body: unknown = {}, headers: Record<string, string | null> = {}, address?: string) {
    const all: Record<string, string | null> = {
      origin: VAULT,
      'checkout-host-origin': SHOP,
      authorization: `Bearer ${secret}`,
      'content-type': 'application/json',
      ...headers,
    };
    const sent = Object.fromEntries(Object.entries(all).filter(([, value]) => value !== null)) as Record<string, string>;
    return raw('POST', p, { headers: sent, body: typeof body === 'string' ? body : JSON.stringify(body), address });
  }
  function expectError(res: Raw, status: number, code: string) {
    expect(res.status, res.text).toBe(status);
    expect(res.body?.error, res.text).toMatchObject({ code, type: expect.any(String), message: expect.any(String) });
  }
  /** The customer pays at `shop` with a new card and saves it: the card's token. */
  async function saved(shop: Shop, customer: string, number: string = CARDS.visa) {
    const s = await openSession(v, { customer }, shop.secret_key);
    const res = await frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true }, { 'checkout-host-origin': hostOf(shop) });
    if (res.status !== 200) throw new Error(`card not saved: ${res.text}`);
    return res.body.card.token as string;
  }
  const hostOf = (shop: Shop) => (shop.id === b.id ? SHOP_B : SHOP);
  const sessionRow = (id: string) => db().selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const chargesOf = (id: string) => db().selectFrom('charges').selectAll().where('session_id', '=', id).execute();
  const frameAncestors = (csp: string | null) =>
    /frame-ancestors ([^;]*)/
      .exec(csp ?? '')?.[1]
      ?.trim()
      .split(/\s+/) ?? [];
  /** A session of `shop` stopped at a 3-D Secure challenge: its secret, id and challenge. */
  async function challenged(shop: Shop) {
    const s = await openSession(v, { customer: fresh('3ds') }, shop.secret_key);
    const res = await frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge) }, { 'checkout-host-origin': hostOf(shop) });
    if (res.body.status !== 'requires_action') throw new Error(`no challenge: ${res.text}`);
    const url = res.body.next_action.url as string;
    // The url is absolute, on the vault's own origin.
    expect(new URL(url).origin).toBe(VAULT);
    return { ...s, challenge: res.body.next_action.challenge as string, url: new URL(url).pathname };
  }

  describe('a client secret carried to a page the merchant does not allow', () => {
    it("refuses A's secret on every endpoint for B's allowed page, an unknown page, no page and look-alike spellings, and charges nothing", async () => {
      const s = await openSession(v, { customer: fresh('cross') }, a.secret_key);
      const hosts: (string | null)[] = [
        SHOP_B,
        EVIL,
        null,
        '',
        'null',
        `${SHOP}/`,
        'HTTP://SHOP.TEST',
        'http://shop.test:80',
        'https://shop.test',
        `${SHOP}.evil.test`,
        `${SHOP} ${EVIL}`,
        `${SHOP},${EVIL}`,
        `${SHOP_B}, ${SHOP}`,
      ];
      for (const p of FRAME_ENDPOINTS) {
        for (const host of hosts) {
          const res = await frame(p, s.secret, { card: newCard(CARDS.visa), code: '123456', token: 'card_x' }, { 'checkout-host-origin': host });
          expect(res.status, `${p} for ${host}: ${res.text}`).toBe(403);
          expect(res.body.error.code).toBe('origin_not_allowed');
        }
      }
      expect(await chargesOf(s.id)).toHaveLength(0);
      expect((await sessionRow(s.id)).status).toBe('open');
    });

    it("refuses B's secret on A's page though both merchants are real and A's page is allowed for A", async () => {
      const s = await openSession(v, { customer: fresh('cross-b') }, b.secret_key);
      for (const p of FRAME_ENDPOINTS)
        expectError(await frame(p, s.secret, { card: newCard(CARDS.visa) }, { 'checkout-host-origin': SHOP }), 403, 'origin_not_allowed');
      expect((await frame('/frame/v1/session', s.secret, {}, { 'checkout-host-origin': SHOP_B })).status).toBe(200);
    });

    it('refuses a forged or missing Origin on every endpoint, whatever the embedding page', async () => {
      const s = await openSession(v, { customer: fresh('origin') }, a.secret_key);
      const origins: (string | null)[] = [
        null,
        '',
        'null',
        SHOP,
        EVIL,
        `${VAULT}/`,
        'HTTP://VAULT.TEST',
        'http://vault.test:80',
        'https://vault.test',
        `${VAULT}.evil.test`,
        `${VAULT}, ${EVIL}`,
      ];
      for (const p of FRAME_ENDPOINTS) {
        for (const origin of origins) {
          const res = await frame(p, s.secret, { card: newCard(CARDS.visa), code: '123456', token: 'card_x' }, { origin });
          expect(res.status, `${p} from ${origin}: ${res.text}`).toBe(403);
          expect(res.body.error.code).toBe('origin_not_allowed');
          expect(res.headers.get('access-control-allow-origin')).toBeNull();
        }
      }
      expect(await chargesOf(s.id)).toHaveLength(0);
    });

    it('follows the allowed list as it is now: a page removed after the session opened can no longer read, confirm or frame the fields', async () => {
      const shop = await newShop(v, { settings: { frame_limit_per_address: 300, allowed_origins: [SHOP, SHOP_B] } });
      const s = await openSession(v, { customer: fresh('list') }, shop.secret_key);
      const c = await challenged(shop);
      expect((await frame('/frame/v1/session', s.secret, {}, { 'checkout-host-origin': SHOP_B })).status).toBe(200);
      expect(frameAncestors((await raw('GET', c.url)).headers.get('content-security-policy'))).toContain(SHOP_B);
      await shop.api('POST', '/v1/merchant', { allowed_origins: [SHOP] });
      expectError(await frame('/frame/v1/session', s.secret, {}, { 'checkout-host-origin': SHOP_B }), 403, 'origin_not_allowed');
      expectError(await frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) }, { 'checkout-host-origin': SHOP_B }), 403, 'origin_not_allowed');
      expectError(
        await frame(`/frame/v1/challenges/${c.challenge}`, c.secret, { code: '123456' }, { 'checkout-host-origin': SHOP_B }),
        403,
        'origin_not_allowed',
      );
      const page = await raw('GET', `/frame?pk=${shop.publishable_key}&origin=${encodeURIComponent(SHOP_B)}`);
      expect(page.status).toBe(403);
      expect(frameAncestors(page.headers.get('content-security-policy'))).toEqual(["'none'"]);
      const challengePage = await raw('GET', c.url);
      expect(frameAncestors(challengePage.headers.get('content-security-policy'))).not.toContain(SHOP_B);
      expect(await chargesOf(s.id)).toHaveLength(0);
    });
  });

  describe('a client secret guessed, bent or reused', () => {
    it('answers 404 to a truncated, extended, case-changed, spliced or made-up secret, a session id, or a merchant key, on every endpoint', async () => {
      const s = await openSession(v, { customer: fresh('guess') }, a.secret_key);
      const other = await openSession(v, { customer: fresh('guess2') }, a.secret_key);
      const tail = s.secret.split('_secret_')[1];
      const flipped =
        s.secret.replace(/[a-z]/, (ch) => ch.toUpperCase()) === s.secret ? s.secret.toLowerCase() : s.secret.replace(/[a-z]/, (ch) => ch.toUpperCase());
      const guesses = [
        s.secret.slice(0, -1),
        s.secret.slice(0, s.secret.indexOf('_secret_') + 9),
        `${s.secret}A`,
        `${s.secret}_`,
        flipped,
        s.secret.toUpperCase(),
        s.id,
        `${s.id}_secret_`,
        `${s.id}_secret_${'A'.repeat(tail.length)}`,
        `${other.id}_secret_${tail}`,
        `${s.id}_secret_${other.secret.split('_secret_')[1]}`,
        a.secret_key,
        a.publishable_key,
        '',
        '*',
      ];
      for (const p of FRAME_ENDPOINTS) {
        for (const guess of guesses) {
          const res = await frame(p, guess, { card: newCard(CARDS.visa), code: '123456', token: 'card_x' });
          expect(res.status, `${p} with ${guess}: ${res.text}`).toBe(404);
          expect(res.body.error.code).toBe('resource_missing');
          // Nothing about the real session in the refusal.
          expect(res.text).not.toContain(s.id);
        }
      }
      expect(await chargesOf(s.id)).toHaveLength(0);
    });

    it('takes the secret only from the Authorization header: not from the query, a cookie, the body or a second header', async () => {
      const s = await openSession(v, { customer: fresh('where') }, a.secret_key);
      const base = { origin: VAULT, 'checkout-host-origin': SHOP, 'content-type': 'application/json' };
      const tries: Raw[] = [
        await raw('POST', `/frame/v1/session?client_secret=${s.secret}`, { headers: base, body: '{}' }),
        await raw('POST', '/frame/v1/session', { headers: { ...base, cookie: `client_secret=${s.secret}` }, body: '{}' }),
        await raw('POST', '/frame/v1/session', { headers: base, body: JSON.stringify({ client_secret: s.secret }) }),
        await raw('POST', '/frame/v1/session', { headers: { ...base, authorization: `Basic ${Buffer.from(`${s.secret}:`).toString('base64')}` }, body: '{}' }),
        await raw('POST', '/frame/v1/session', { headers: { ...base, authorization: `Bearer x ${s.secret}` }, body: '{}' }),
        await raw('POST', '/frame/v1/session', { headers: { ...base, 'x-client-secret': s.secret }, body: '{}' }),
      ];
      for (const res of tries) expectError(res, 404, 'resource_missing');
    });

    it('gives a 24-byte random secret per session and compares its hash in constant time', async () => {
      const s1 = await openSession(v, {}, a.secret_key);
      const s2 = await openSession(v, {}, a.secret_key);
      for (const s of [s1, s2]) expect(s.secret.split('_secret_')[1].length).toBeGreaterThanOrEqual(32);
      expect(s1.secret.split('_secret_')[1]).not.toBe(s2.secret.split('_secret_')[1]);
      // The secret itself is not stored, only its hash.
      const row = await sessionRow(s1.id);
      expect(JSON.stringify(row)).not.toContain(s1.secret.split('_secret_')[1]);
      const auth = fs.readFileSync(path.join(__dirname, '../../server/middleware/frame-auth.ts'), 'utf8');
      expect(auth).toMatch(/safeEqual\(session\.client_secret_hash, sha256\(secret\)\)/);
      expect(auth).not.toMatch(/client_secret_hash\s*[!=]==/);
      const ids = fs.readFileSync(path.join(__dirname, '../../server/ids.ts'), 'utf8');
      expect(ids).toMatch(/timingSafeEqual/);
    });

    it("answers 410 to a completed session's secret on every endpoint, and tells nothing of the card it saved", async () => {
      const customer = fresh('done');
      const s = await openSession(v, { customer }, a.secret_key);
      const paid = await frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
      expect(paid.body.status).toBe('succeeded');
      const token = paid.body.card.token as string;
      for (const [p, body] of [
        ['/frame/v1/session', {}],
        ['/frame/v1/confirm', { card: newCard(CARDS.mastercard) }],
        ['/frame/v1/confirm', { saved_card: { token, cvc: '123' } }],
        ['/frame/v1/cards/delete', { token }],
      ] as const) {
        const res = await frame(p, s.secret, body);
        expectError(res, 410, 'session_expired');
        expect(res.text).not.toContain(token);
        expect(res.text).not.toContain('4242');
      }
      expect(await chargesOf(s.id)).toHaveLength(1);
      // The card survived the deletion attempt.
      expect((await a.api('GET', `/v1/customers/${customer}/cards`)).body.data.map((c: { token: string }) => c.token)).toContain(token);
    });

    it('answers 410, not a word about it, to the used challenge of a completed session', async () => {
      const c = await challenged(a);
      expect((await frame(`/frame/v1/challenges/${c.challenge}`, c.secret, { code: '123456' })).body.status).toBe('passed');
      const paid = await frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.challenge), challenge: c.challenge });
      expect(paid.body.status, paid.text).toBe('succeeded');
      // The README: once complete, "its client secret answers 410 session_expired".
      expectError(await frame(`/frame/v1/challenges/${c.challenge}`, c.secret, { code: '123456' }), 410, 'session_expired');
    });

    it("answers 410 to an expired session's secret, on reading, confirming, deleting and answering its challenge", async () => {
      const customer = fresh('expired');
      const token = await saved(a, customer);
      const s = await openSession(v, { customer }, a.secret_key);
      const c = await challenged(a);
      v.setNow(new Date(Date.now() + 48 * 3600_000));
      expectError(await frame('/frame/v1/session', s.secret), 410, 'session_expired');
      expectError(await frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) }), 410, 'session_expired');
      expectError(await frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } }), 410, 'session_expired');
      expectError(await frame('/frame/v1/cards/delete', s.secret, { token }), 410, 'session_expired');
      expectError(await frame(`/frame/v1/challenges/${c.challenge}`, c.secret, { code: '123456' }), 410, 'session_expired');
      expect(await chargesOf(s.id)).toHaveLength(0);
    });
  });

  describe('what one session reaches that is not its own', () => {
    it('answers a challenge of another session (same merchant, or another) with 404, and leaves it unanswered', async () => {
      const mine = await openSession(v, { customer: fresh('mine') }, a.secret_key);
      const theirs = await challenged(a);
      const foreign = await challenged(b);
      expectError(await frame(`/frame/v1/challenges/${theirs.challenge}`, mine.secret, { code: '123456' }), 404, 'resource_missing');
      expectError(await frame(`/frame/v1/challenges/${foreign.challenge}`, mine.secret, { code: '123456' }), 404, 'resource_missing');
      for (const id of [theirs.challenge, foreign.challenge]) {
        const row = await db().selectFrom('challenges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        expect(row).toMatchObject({ status: 'pending', attempts: 0 });
      }
      // Nor does a passed challenge of another session pay this one.
      expect((await frame(`/frame/v1/challenges/${theirs.challenge}`, theirs.secret, { code: '123456' })).body.status).toBe('passed');
      const pay = await frame('/frame/v1/confirm', mine.secret, { card: newCard(CARDS.challenge), challenge: theirs.challenge });
      expect(pay.body.status, pay.text).not.toBe('succeeded');
    });

    it("neither pays with nor deletes another customer's saved card, nor one of the same customer name at another merchant group", async () => {
      const alice = fresh('alice');
      const aliceCard = await saved(a, alice);
      const bobCard = await saved(a, fresh('bob'));
      const sameNameElsewhere = await saved(b, alice, CARDS.mastercard);
      const s = await openSession(v, { customer: alice }, a.secret_key);
      for (const token of [bobCard, sameNameElsewhere]) {
        expectError(await frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } }), 404, 'resource_missing');
        expectError(await frame('/frame/v1/cards/delete', s.secret, { token }), 404, 'resource_missing');
      }
      const guest = await openSession(v, {}, a.secret_key);
      expectError(await frame('/frame/v1/confirm', guest.secret, { saved_card: { token: aliceCard, cvc: '123' } }), 404, 'resource_missing');
      expectError(await frame('/frame/v1/cards/delete', guest.secret, { token: aliceCard }), 404, 'resource_missing');
      expect(await chargesOf(s.id)).toHaveLength(0);
      expect((await b.api('GET', `/v1/customers/${alice}/cards`)).body.data).toHaveLength(1);
    });
  });

  describe('what a session read tells the page', () => {
    it("shows only this customer's masked cards at this merchant group, this merchant's name, and no secret of any kind", async () => {
      const alice = fresh('alice-read');
      const mine = await saved(a, alice, CARDS.visa);
      const amex = await saved(a, alice, CARDS.amex);
      await saved(a, fresh('bob-read'), CARDS.mastercard);
      const elsewhere = await saved(b, alice, CARDS.mastercard);
      const s = await openSession(v, { customer: alice, order: 'ORD-1' }, a.secret_key);
      const other = await openSession(v, { customer: alice }, a.secret_key);
      const res = await frame('/frame/v1/session', s.secret);
      expect(res.status, res.text).toBe(200);
      const tokens = res.body.cards.map((c: { token: string }) => c.token).sort();
      expect(tokens).toEqual([mine, amex].sort());
      expect(tokens).not.toContain(elsewhere);
      expect(res.body.merchant).toEqual({ name: 'Alpha Books' });
      for (const card of res.body.cards) {
        expect(Object.keys(card).sort()).toEqual(['agreements', 'bin', 'brand', 'default', 'exp_month', 'exp_year', 'last4', 'need_cvc', 'token']);
        expect(card.bin.length).toBeLessThanOrEqual(6);
        expect(card.last4).toMatch(/^\d{4}$/);
      }
      const text = res.text;
      for (const leak of [
        CARDS.visa,
        CARDS.amex,
        CARDS.mastercard,
        CARDS.visa.slice(0, 12),
        '5555',
        a.secret_key,
        a.webhook_secret,
        b.secret_key,
        'Bravo Secret Corp',
        s.secret,
        '_secret_',
        other.id,
        a.group,
        b.id,
        'fingerprint',
        'pan_ct',
        'wrapped_key',
        'client_secret',
        'allowed_origins',
        'processor',
      ]) {
        expect(text, leak).not.toContain(leak);
      }
    });

    it('lists no saved card to a guest session or to a setup session without an agreement, even for a customer who has some', async () => {
      const alice = fresh('alice-guest');
      await saved(a, alice);
      const guest = await frame('/frame/v1/session', (await openSession(v, {}, a.secret_key)).secret);
      expect(guest.body.cards).toEqual([]);
      const setup = await openSession(v, { mode: 'setup', customer: alice, amount: undefined, currency: undefined }, a.secret_key);
      const read = await frame('/frame/v1/session', setup.secret);
      expect(read.status, read.text).toBe(200);
      expect(read.body.cards).toEqual([]);
    });
  });

  describe('per-address limits dodged', () => {
    /** A shop whose fields allow `perMinute` requests a minute from one address. */
    const limitedShop = async (perMinute = 3) => {
      const shop = await newShop(v, { settings: { frame_limit_per_address: perMinute } });
      const s = await openSession(v, { customer: fresh('lim') }, shop.secret_key);
      return { shop, secret: s.secret };
    };
    const okCount = (answers: Raw[]) => answers.filter((r) => r.status === 200).length;

    it('ignores X-Forwarded-For, Forwarded, X-Real-IP and their cousins when TRUST_PROXY is unset', async () => {
      v.runtime.deps.trustProxy = undefined;
      const { secret } = await limitedShop(3);
      const answers: Raw[] = [];
      for (let i = 0; i < 12; i++) {
        const ip = `198.51.100.${i + 1}`;
        answers.push(
          await frame(
            '/frame/v1/session',
            secret,
            {},
            {
              'x-forwarded-for': ip,
              forwarded: `for=${ip}`,
              'x-real-ip': ip,
              'true-client-ip': ip,
              'cf-connecting-ip': ip,
              'x-client-ip': ip,
              'fastly-client-ip': ip,
            },
          ),
        );
      }
      expect(okCount(answers)).toBe(3);
      const refused = answers.find((r) => r.status === 429);
      expect(refused).toBeDefined();
      expectError(refused as Raw, 429, 'rate_limited');
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('behind one trusted proxy, counts the address the proxy wrote, not the entries the client put before it', async () => {
      const { secret } = await limitedShop(3);
      const answers: Raw[] = [];
      for (let i = 0; i < 10; i++) {
        answers.push(
          await frame(
            '/frame/v1/session',
            secret,
            {},
            {
              'x-forwarded-for': `10.${i}.0.1, 192.0.2.${i}, 203.0.113.7`,
              forwarded: `for=192.0.2.${100 + i}`,
              'x-real-ip': `192.0.2.${200 + i}`,
            },
          ),
        );
      }
      expect(okCount(answers)).toBe(3);
    });

    it('behind one trusted proxy, does not count a garbage, ported or bracketed spelling of an address as a new client', async () => {
      const { secret } = await limitedShop(3);
      const spellings = [
        '203.0.113.9',
        '203.0.113.9:1234',
        '203.0.113.9:4321',
        '::ffff:203.0.113.9',
        '[::ffff:203.0.113.9]:80',
        '::ffff:cb00:7109',
        '0:0:0:0:0:ffff:203.0.113.9',
      ];
      const answers: Raw[] = [];
      for (const xff of spellings) answers.push(await frame('/frame/v1/session', secret, {}, { 'x-forwarded-for': xff }));
      expect(okCount(answers), answers.map((r) => r.status).join(',')).toBe(3);
    });

    it('with TRUST_PROXY as CIDRs, ignores X-Forwarded-For from a direct client, and tells customers apart behind an IPv4-mapped proxy', async () => {
      v.runtime.deps.trustProxy = compileTrust(['10.0.0.0/8']);
      const direct = await limitedShop(3);
      const bypass: Raw[] = [];
      for (let i = 0; i < 8; i++)
        bypass.push(await frame('/frame/v1/session', direct.secret, {}, { 'x-forwarded-for': `198.51.100.${i}, 10.0.0.${i}` }, '203.0.113.80'));
      expect(okCount(bypass), bypass.map((r) => r.status).join(',')).toBe(3);
      // Behind the trusted proxy (its socket address IPv4-mapped), each customer has a count of its own.
      const proxied = await limitedShop(3);
      const customers: Raw[] = [];
      for (let i = 0; i < 6; i++)
        customers.push(await frame('/frame/v1/session', proxied.secret, {}, { 'x-forwarded-for': `203.0.113.${100 + i}` }, '::ffff:10.1.2.3'));
      expect(okCount(customers), customers.map((r) => r.status).join(',')).toBe(6);
      // The entries a client wrote before the proxy's own, and trusted-range entries it forged, change nothing.
      const forged: Raw[] = [];
      for (let i = 0; i < 6; i++)
        forged.push(await frame('/frame/v1/session', proxied.secret, {}, { 'x-forwarded-for': `192.0.2.${i}, 203.0.113.200` }, '10.9.9.9'));
      expect(okCount(forged), forged.map((r) => r.status).join(',')).toBe(3);
    });

    it('counts IPv6 clients by /56 whatever their spelling, through the proxy and on the socket', async () => {
      const { secret } = await limitedShop(3);
      const viaProxy = [
        '2001:db8:1:200::1',
        '2001:DB8:1:2AB::1',
        '2001:0db8:0001:02ff:ffff:ffff:ffff:ffff',
        '[2001:db8:1:210::7]:443',
        '2001:db8:1:2c0:0:0:0:9',
        '2001:db8:1:2d0::5',
      ];
      const answers: Raw[] = [];
      for (const xff of viaProxy) answers.push(await frame('/frame/v1/session', secret, {}, { 'x-forwarded-for': xff }));
      expect(okCount(answers), answers.map((r) => r.status).join(',')).toBe(3);

      v.runtime.deps.trustProxy = undefined;
      const second = await limitedShop(3);
      const onSocket: Raw[] = [];
      for (let i = 0; i < 8; i++)
        onSocket.push(await frame('/frame/v1/session', second.secret, {}, {}, `2001:db8:7:${(0x4100 + i * 16).toString(16)}::${i + 1}`));
      expect(okCount(onSocket), onSocket.map((r) => r.status).join(',')).toBe(3);
    });

    it("caps the merchant's quota however many addresses share it, and one address never spends it all", async () => {
      const deps = v.runtime.deps;
      const caps = deps.fieldsCaps;
      deps.fieldsCaps = { maxPerAddress: 300, maxPerMerchant: 10 };
      try {
        const { secret } = await limitedShop(300);
        // One address alone: held under half of the merchant's quota.
        const one: Raw[] = [];
        for (let i = 0; i < 10; i++) one.push(await frame('/frame/v1/session', secret, {}, { 'x-forwarded-for': '198.51.100.77' }));
        expect(okCount(one)).toBeLessThanOrEqual(4);
        // Many addresses: the merchant's quota still holds.
        const many: Raw[] = [];
        for (let i = 0; i < 30; i++) many.push(await frame('/frame/v1/session', secret, {}, { 'x-forwarded-for': `198.51.${i}.1` }));
        expect(okCount(one) + okCount(many)).toBeLessThanOrEqual(10);
      } finally {
        deps.fieldsCaps = caps;
      }
    });

    it('lets no merchant lift the per-address limit, by the API or by a value stored before the ceiling', async () => {
      const shop = await newShop(v, { settings: { frame_limit_per_address: 300 } });
      for (const value of [0, -1, 301, 1_000_000, 1.5, '5', null, true]) {
        const res = await shop.api('POST', '/v1/merchant', { frame_limit_per_address: value });
        expect(res.status, `${value}: ${res.text}`).toBe(400);
        expect(res.body.error.param ?? 'frame_limit_per_address').toBe('frame_limit_per_address');
      }
      const deps = v.runtime.deps;
      const caps = deps.fieldsCaps;
      deps.fieldsCaps = { maxPerAddress: 4, maxPerMerchant: 6000 };
      try {
        for (const stored of [0, 100_000]) {
          await db().updateTable('merchants').set({ frame_limit_per_address: stored }).where('id', '=', shop.id).execute();
          deps.merchants.invalidate();
          const s = await openSession(v, { customer: fresh('stored') }, shop.secret_key);
          const statuses: number[] = [];
          for (let i = 0; i < 8; i++)
            statuses.push((await frame('/frame/v1/session', s.secret, {}, { 'x-forwarded-for': `198.18.${stored ? 1 : 0}.9` })).status);
          expect(statuses.filter((x) => x === 200).length, `stored ${stored}: ${statuses.join(',')}`).toBe(4);
        }
      } finally {
        deps.fieldsCaps = caps;
      }
    });

    it('counts the 3-D Secure code form against the same per-address limit, whatever X-Forwarded-For the guesser invents', async () => {
      const shop = await newShop(v, { settings: { frame_limit_per_address: 300 } });
      const c = await challenged(shop);
      await shop.api('POST', '/v1/merchant', { frame_limit_per_address: 2 });
      v.runtime.deps.merchants.invalidate();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await raw('POST', `/frame/3ds/${c.challenge}`, {
          headers: { origin: VAULT, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `192.0.2.${i}, 203.0.113.50` },
          body: `code=00000${i}`,
        });
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 429).length, statuses.join(',')).toBeGreaterThanOrEqual(4);
    });
  });

  describe('the pages the fields and 3-D Secure use', () => {
    it('renders the fields page only for an allowed origin of that publishable key, framed by exactly that origin', async () => {
      const ok = await raw('GET', `/frame?pk=${a.publishable_key}&origin=${encodeURIComponent(SHOP)}`);
      expect(ok.status).toBe(200);
      const csp = ok.headers.get('content-security-policy') ?? '';
      expect(frameAncestors(csp)).toEqual([SHOP]);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(csp).toMatch(/connect-src 'self'/);
      expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
      for (const [pk, origin] of [
        [a.publishable_key, SHOP_B],
        [a.publishable_key, EVIL],
        [a.publishable_key, ''],
        [a.publishable_key, `${SHOP} ${EVIL}`],
        [a.publishable_key, `${SHOP}; script-src *`],
        [a.publishable_key, `${SHOP}/`],
        [a.publishable_key, '*'],
        [b.publishable_key, SHOP],
        [a.secret_key, SHOP],
        ['pk_test_nothing', SHOP],
      ]) {
        const res = await raw('GET', `/frame?pk=${encodeURIComponent(pk)}&origin=${encodeURIComponent(origin)}`);
        expect(res.status, `${pk} ${origin}`).toBe(403);
        expect(frameAncestors(res.headers.get('content-security-policy')), `${pk} ${origin}`).toEqual(["'none'"]);
        expect(res.text).not.toContain('frame.js');
      }
    });

    it('serves no card number a scanner would flag: the fields page and its texts in every locale, and the fields and checkout scripts', async () => {
      // A merchant's data-loss filter (a proxy or WAF looking for card numbers in answers) would block a
      // live checkout whose page carried one, a public test card included.
      const served: [string, string][] = [];
      for (const locale of LOCALES) {
        const page = await raw('GET', `/frame?pk=${a.publishable_key}&origin=${encodeURIComponent(SHOP)}&locale=${locale}`);
        expect(page.status).toBe(200);
        served.push([`page ${locale}`, page.text]);
        served.push([`texts ${locale}`, (await raw('GET', `/frame/texts/${locale}.json`)).text]);
      }
      // The pages and texts hold no number written any way the vault's own filters read one.
      for (const [what, text] of served) expect(containsCardNumber(text, passesLuhn), what).toBe(false);
      // The scripts' card-brand tables are lists of prefixes (`[4026,417500,4405,…]`), which that broad
      // rule joins across commas: they are read as a scanner reads, 13-19 digits with spaces or dashes.
      const scanned = (text: string) => [...text.matchAll(/(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)/g)].some((m) => passesLuhn(m[0].replace(/\D/g, '')));
      for (const file of ['frame.js', 'checkout.js'])
        expect(scanned(fs.readFileSync(path.join(import.meta.dirname, '../../dist', file), 'utf8')), file).toBe(false);
      // Both checks see a test card written as the texts would write it.
      expect(containsCardNumber(JSON.stringify(['use 4242 4242 4242 4242.']), passesLuhn)).toBe(true);
      expect(scanned('"use 4242 4242 4242 4242."')).toBe(true);
    });

    it("frames the 3-D Secure pages only in the vault and the session merchant's allowed pages, with a nonce and no inline allowance", async () => {
      const c = await challenged(b);
      expect(c.url).not.toContain('secret');
      const page = await raw('GET', c.url);
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(frameAncestors(csp).sort()).toEqual(["'self'", SHOP_B].sort());
      expect(csp).toMatch(/script-src 'nonce-[^']+'/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(page.text).not.toContain(c.secret);
      // The form's answer page: same policy.
      const answered = await raw('POST', c.url, { headers: { origin: VAULT, 'content-type': 'application/x-www-form-urlencoded' }, body: 'code=000000' });
      expect(answered.status).toBe(200);
      expect(frameAncestors(answered.headers.get('content-security-policy')).sort()).toEqual(["'self'", SHOP_B].sort());
      // An unknown challenge: the vault alone.
      const missing = await raw('GET', '/frame/3ds/chl_doesnotexist');
      expect(missing.status).toBe(404);
      expect(frameAncestors(missing.headers.get('content-security-policy'))).toEqual(["'self'"]);
    });

    it('refuses the code form posted from any origin but the vault, and counts no try for it', async () => {
      const c = await challenged(a);
      for (const origin of [null, SHOP, EVIL, 'null', `${VAULT}.evil.test`]) {
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
        if (origin) headers.origin = origin;
        const res = await raw('POST', c.url, { headers, body: 'code=123456' });
        expect(res.status, `from ${origin}`).toBe(403);
      }
      const row = await db().selectFrom('challenges').selectAll().where('id', '=', c.challenge).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'pending', attempts: 0 });
    });

    it("carries default-src 'none', frame-ancestors 'none', nosniff and no-store on every fields answer, refusals included", async () => {
      const s = await openSession(v, { customer: fresh('hdr') }, a.secret_key);
      const answers = [
        await frame('/frame/v1/session', s.secret),
        await frame('/frame/v1/session', 'cs_x_secret_y'),
        await frame('/frame/v1/session', s.secret, {}, { origin: EVIL }),
        await frame('/frame/v1/confirm', s.secret, '{bad'),
      ];
      for (const res of answers) {
        expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });
  });

  describe('a client secret or card number leaking', () => {
    it('puts neither the client secret nor a card number in a URL, a header, a log line, an event or an answer of a full checkout', async () => {
      const customer = fresh('leak');
      const s = await openSession(v, { customer }, a.secret_key);
      const before = v.logs.length;
      const answers: Raw[] = [];
      answers.push(await frame('/frame/v1/session', s.secret));
      const challenge = await frame('/frame/v1/confirm', s.secret, { card: { ...newCard(CARDS.challenge), holder: 'Ann Lee' }, save: true });
      answers.push(challenge);
      const id = challenge.body.next_action.challenge as string;
      answers.push(await raw('GET', new URL(challenge.body.next_action.url).pathname));
      answers.push(await frame(`/frame/v1/challenges/${id}`, s.secret, { code: '123456' }));
      answers.push(await frame('/frame/v1/confirm', s.secret, { card: { ...newCard(CARDS.challenge), holder: 'Ann Lee' }, save: true, challenge: id }));
      expect(answers.at(-1)?.body.status, answers.at(-1)?.text).toBe('succeeded');
      answers.push(await frame('/frame/v1/session', s.secret));
      answers.push(await a.api('GET', `/v1/sessions/${s.id}`));
      answers.push(await a.api('GET', '/v1/events?limit=100'));
      const secretTail = s.secret.split('_secret_')[1];
      for (const res of answers) {
        for (const leak of [CARDS.challenge, secretTail, '_secret_']) {
          expect(res.text, leak).not.toContain(leak);
          for (const [name, value] of res.headers) expect(`${name}: ${value}`).not.toContain(leak);
        }
      }
      const lines = v.logs.slice(before).join('\n');
      expect(lines).not.toContain(secretTail);
      expect(lines).not.toContain(CARDS.challenge);
      const rows = await db().selectFrom('events').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(secretTail);
      expect(JSON.stringify(rows)).not.toContain(CARDS.challenge);
    });

    it('keeps no client secret in the clear in the database, an idempotent session creation included', async () => {
      const res = await a.api('POST', '/v1/sessions', { amount: 500, currency: 'USD', customer: fresh('idem') }, { 'idempotency-key': fresh('key') });
      expect(res.status, res.text).toBe(201);
      const tail = (res.body.client_secret as string).split('_secret_')[1];
      for (const table of ['sessions', 'idempotency_keys', 'events'] as const) {
        const rows = await db().selectFrom(table).selectAll().execute();
        expect(JSON.stringify(rows), table).not.toContain(tail);
      }
      expect(v.logs.join('\n')).not.toContain(tail);
    });

    it('echoes no card number in an error, whether it comes as a bad number, an unknown key, a challenge id, a token, a path or a bearer', async () => {
      const s = await openSession(v, { customer: fresh('echo') }, a.secret_key);
      const before = v.logs.length;
      const pan = CARDS.visa;
      const answers: Raw[] = [
        await frame('/frame/v1/confirm', s.secret, { card: newCard('4242424242424241') }),
        await frame('/frame/v1/confirm', s.secret, { card: { ...newCard(pan), exp_month: 13 } }),
        await frame('/frame/v1/confirm', s.secret, { card: { ...newCard(pan), [pan]: 1 } }),
        await frame('/frame/v1/confirm', s.secret, { [pan]: 1 }),
        await frame('/frame/v1/confirm', s.secret, { card: newCard(pan), challenge: pan }),
        await frame('/frame/v1/confirm', s.secret, { saved_card: { token: pan, cvc: '123' } }),
        await frame('/frame/v1/confirm', s.secret, { card: { ...newCard(pan), number: Number(pan) } }),
        await frame('/frame/v1/confirm', s.secret, { card: { ...newCard(pan), holder: pan } }),
        await frame('/frame/v1/confirm', s.secret, { card: newCard(pan), locale: pan }),
        await frame('/frame/v1/cards/delete', s.secret, { token: pan }),
        await frame(`/frame/v1/challenges/${pan}`, s.secret, { code: '123456' }),
        await frame('/frame/v1/challenges/chl_x', s.secret, { code: pan }),
        await frame('/frame/v1/session', pan),
        await frame('/frame/v1/session', `cs_${pan}_secret_${pan}`),
        await raw('GET', `/frame/3ds/${pan}`),
        await raw('GET', `/frame?pk=${pan}&origin=${pan}`),
      ];
      for (const res of answers) {
        expect(res.status, res.text).toBeLessThan(500);
        expect(res.text.replace(/\D/g, ''), res.text).not.toContain(pan);
      }
      expect(
        v.logs
          .slice(before)
          .join('\n')
          .replace(/[^\d\n]/g, ''),
      ).not.toContain(pan);
    });
  });

  describe('CORS', () => {
    it('sends no CORS header to any origin, on a preflight or on a request, and lets no merchant page confirm without the iframe', async () => {
      const s = await openSession(v, { customer: fresh('cors') }, a.secret_key);
      for (const origin of [SHOP, EVIL, 'null', VAULT]) {
        for (const p of FRAME_ENDPOINTS) {
          const pre = await raw('OPTIONS', p, {
            headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, checkout-host-origin' },
          });
          expect(pre.status).not.toBe(200);
          expect(pre.status).not.toBe(204);
          for (const h of ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-headers', 'access-control-allow-methods']) {
            expect(pre.headers.get(h), `${p} ${origin} ${h}`).toBeNull();
          }
        }
        const res = await frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) }, { origin });
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
        expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      }
      // The shop's own page, with the secret it was handed, as a browser sends it (Origin is the page's).
      expectError(await frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) }, { origin: SHOP }), 403, 'origin_not_allowed');
      // A simple (no-preflight) cross-site form post: text/plain, no Authorization.
      const form = await raw('POST', '/frame/v1/confirm', {
        headers: { origin: SHOP, 'content-type': 'text/plain' },
        body: JSON.stringify({ card: newCard(CARDS.visa) }),
      });
      expect(form.status).toBe(403);
      // Only the iframe's own call (the vault's Origin) got through; it paid once.
      expect((await chargesOf(s.id)).filter((c) => c.status === 'succeeded')).toHaveLength(1);
    });

    it('keeps the frame API behind its guard whatever the path spelling', async () => {
      const s = await openSession(v, { customer: fresh('path') }, a.secret_key);
      const variants = [
        '/frame/v1/session/',
        '/FRAME/v1/session',
        '/frame/V1/session',
        '//frame/v1/session',
        '/frame/v1//session',
        '/frame/v1/./session',
        '/frame/v1/%73ession',
        '/frame//v1/session',
      ];
      for (const p of variants) {
        // No Origin, no host page: anything but a refusal is the guard skipped.
        const res = await raw('POST', p, { headers: { authorization: `Bearer ${s.secret}`, 'content-type': 'application/json' }, body: '{}' });
        expect(res.status, `${p}: ${res.text}`).not.toBe(200);
        expect(res.text).not.toContain(s.id);
      }
    });
  });

  describe('hostile bodies', () => {
    it('answers oversized, malformed, mistyped and non-object bodies with a 4xx in the error shape, never a 500', async () => {
      const s = await openSession(v, { customer: fresh('body') }, a.secret_key);
      const cases: [string, string, Record<string, string | null>, number, string][] = [
        ['too large', JSON.stringify({ consent_text: 'x'.repeat(1024 * 1024 + 10) }), {}, 413, 'body_too_large'],
        ['not JSON', '{"card":', {}, 400, 'body_not_json'],
        ['JSON as text/plain', JSON.stringify({ card: newCard(CARDS.visa) }), { 'content-type': 'text/plain' }, 400, 'body_not_json'],
        ['form-encoded', 'card[number]=4242424242424242', { 'content-type': 'application/x-www-form-urlencoded' }, 400, 'body_not_json'],
        ['an array', '[]', {}, 400, 'body_not_json'],
        ['a string', '"x"', {}, 400, 'body_not_json'],
        ['null', 'null', {}, 400, 'body_not_json'],
        ['NUL', '{"locale":"en\\u0000"}', {}, 400, 'parameter_invalid'],
        ['deep nesting', `{"card":${'['.repeat(200_000)}${']'.repeat(200_000)}}`, {}, 400, ''],
        ['number as a number', JSON.stringify({ card: { ...newCard(CARDS.visa), number: 4242424242424242 } }), {}, 400, 'parameter_invalid'],
        ['huge exp_year', JSON.stringify({ card: { ...newCard(CARDS.visa), exp_year: 1e308 } }), {}, 400, ''],
        ['save as a string', JSON.stringify({ card: newCard(CARDS.visa), save: 'true' }), {}, 400, 'parameter_invalid'],
        ['nothing', '{}', {}, 400, 'parameter_missing'],
      ];
      for (const [label, body, headers, status, code] of cases) {
        const res = await frame('/frame/v1/confirm', s.secret, body, headers);
        expect(res.status, `${label}: ${res.text.slice(0, 200)}`).toBe(status);
        expect(res.body?.error, label).toMatchObject({ type: expect.any(String), code: code || expect.any(String), message: expect.any(String) });
      }
      expect(await chargesOf(s.id)).toHaveLength(0);
    });

    it('refuses an oversized body over real HTTP, announced or streamed in chunks, with 413 in the error shape', async () => {
      const { serve } = await import('@hono/node-server');
      const server = serve({ fetch: v.runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/frame/v1/confirm`;
        const s = await openSession(v, { customer: fresh('http') }, a.secret_key);
        const headers = { origin: VAULT, 'checkout-host-origin': SHOP, authorization: `Bearer ${s.secret}`, 'content-type': 'application/json' };
        const big = JSON.stringify({ consent_text: 'x'.repeat(2 * 1024 * 1024), card: newCard(CARDS.visa) });
        const announced = await fetch(url, { method: 'POST', headers, body: big });
        expect(announced.status).toBe(413);
        expect(((await announced.json()) as any).error.code).toBe('body_too_large');
        const chunks = new ReadableStream({
          start(controller) {
            for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"consent_text":"' : 'x'.repeat(64 * 1024)));
            controller.enqueue(new TextEncoder().encode('"}'));
            controller.close();
          },
        });
        const streamed = await fetch(url, { method: 'POST', headers, body: chunks, duplex: 'half' } as RequestInit);
        expect(streamed.status).toBe(413);
        expect(((await streamed.json()) as any).error.code).toBe('body_too_large');
        expect(await chargesOf(s.id)).toHaveLength(0);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('refuses __proto__, constructor and prototype keys at every level of every endpoint, and pollutes nothing', async () => {
      const s = await openSession(v, { customer: fresh('proto') }, a.secret_key);
      const card = JSON.stringify(newCard(CARDS.visa));
      const bodies: [string, string][] = [
        ['/frame/v1/confirm', `{"__proto__":{"save":true,"polluted":1},"card":${card}}`],
        ['/frame/v1/confirm', `{"constructor":{"prototype":{"polluted":1}},"card":${card}}`],
        ['/frame/v1/confirm', `{"card":{"__proto__":{"polluted":1},"number":"${CARDS.visa}","exp_month":12,"exp_year":2040,"cvc":"123"}}`],
        ['/frame/v1/confirm', `{"card":${card},"saved_card":{"token":"__proto__","constructor":{}}}`],
        ['/frame/v1/confirm', `{"saved_card":{"token":"constructor","cvc":"123"}}`],
        ['/frame/v1/confirm', `{"prototype":{"polluted":1},"card":${card}}`],
        ['/frame/v1/confirm', `{"card":${card},"challenge":"__proto__"}`],
        ['/frame/v1/session', '{"__proto__":{"polluted":1}}'],
        ['/frame/v1/session', '{"locale":"__proto__"}'],
        ['/frame/v1/session', '{"locale":"constructor"}'],
        ['/frame/v1/cards/delete', '{"token":"__proto__"}'],
        ['/frame/v1/cards/delete', '{"token":"constructor","__proto__":{}}'],
        ['/frame/v1/challenges/__proto__', '{"code":"123456"}'],
        ['/frame/v1/challenges/constructor', '{"code":"123456","__proto__":{"polluted":1}}'],
      ];
      for (const [p, body] of bodies) {
        const res = await frame(p, s.secret, body);
        const what = `${p} ${body.slice(0, 80)}: ${res.text}`;
        // A locale it does not know is no error for the read; everything else is refused.
        if (p === '/frame/v1/session' && !body.includes('"__proto__":')) expect(res.status, what).toBe(200);
        else {
          expect(res.status, what).toBeGreaterThanOrEqual(400);
          expect(res.status, what).toBeLessThan(500);
          expect(res.body?.error, what).toMatchObject({ code: expect.any(String), type: expect.any(String) });
        }
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).save).toBeUndefined();
      expect(await chargesOf(s.id)).toHaveLength(0);
    });

    it('answers a challenge id that is long, odd or encoded with a 4xx, never a 500', async () => {
      const s = await openSession(v, { customer: fresh('ids') }, a.secret_key);
      for (const id of ['a'.repeat(5000), '%00', '..%2F..%2Fsession', '%F0%9F%92%A5', "chl_x' OR '1'='1", '%C0%AE']) {
        const res = await frame(`/frame/v1/challenges/${id}`, s.secret, { code: '123456' });
        expect(res.status, `${id.slice(0, 20)}: ${res.text}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${id.slice(0, 20)}: ${res.text}`).toBeLessThan(500);
        expect(res.body?.error).toMatchObject({ code: expect.any(String) });
      }
    });
  });
});
