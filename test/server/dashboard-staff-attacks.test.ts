// Attacks on the staff side of the dashboard beyond dashboard-attacks.test.ts: forms that are not forms
// (malformed multipart bodies), the per-email lockout worn down through the person's other shop, CSRF
// with no Origin and a foreign Referer, a merchant API key alone on the dashboard's API, the https
// cookie's clearing at sign-out, a page's policy on every refusal, money moved by two refunds racing
// through the dashboard, and a sister shop's admin reaching the shop's events and charges.
// Written as an attack review; its two defects (a broken multipart body answered 500, and a right password
// at one of the email's accounts clearing the lockout for the others) are fixed.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { cookieOf, dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, newShop, openSession, type Shop, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const PASSWORD = 'correct horse battery 42';
let n = 0;
const email = () => `staff${++n}.${Date.now().toString(36)}@shop.example`;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++n}`;
/** A fresh client address per call, so that the per-address sign-in limit (30) never decides a test. */
const ip = () => `198.51.${Math.floor(n / 200) % 250}.${(++n % 250) + 1}`;

describeEachDb('dashboard staff attacks', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  let shop: Shop;
  let sister: Shop;
  let admin: string;
  let adminCsrf: string;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    d = dashboard(v);
    shop = await newShop(v);
    // A sister shop: same group (shared customers and cards), its own charges, agreements and events.
    sister = await newShop(v, { group: shop.group });
    admin = await d.signedIn(email(), PASSWORD, { merchant: shop.id, ip: ip() });
    adminCsrf = (await d.me(admin)).csrf_token;
  });
  afterAll(() => v?.close());
  afterEach(() => v.setNow(undefined));

  /** The customer pays `at` with a new card and saves it: the charge (1999 USD) and the card's token. */
  async function paid(at: Shop, customer: string) {
    const s = await openSession(v, { customer }, at.secret_key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
    if (res.status !== 200) throw new Error(`not paid: ${res.text}`);
    const charge = (await at.api('GET', `/v1/charges?customer=${customer}`)).body.data[0];
    return { charge: charge.id as string, card: res.body.card.token as string };
  }

  it('answers a malformed multipart form on every dashboard form with a 4xx, never a 500', async () => {
    const forms = ['/dashboard/sign-in', '/dashboard/set-password', '/dashboard/sign-out', '/dashboard/switch'];
    for (const path of forms) {
      for (const type of ['multipart/form-data', 'multipart/form-data; boundary=x']) {
        const res = await v.api('POST', path, {
          key: '',
          raw: 'not a multipart body\r\n--x',
          headers: { cookie: admin, 'content-type': type, 'x-forwarded-for': ip() },
        });
        expect(res.status, `${path} ${type}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
        expect(res.status, path).toBeGreaterThanOrEqual(400);
      }
    }
    // The session the refused sign-out carried is still the admin's.
    expect((await d.me(admin)).csrf_token).toBe(adminCsrf);
  });

  it("keeps an email locked after 5 wrong passwords even when a right password of the person's other shop comes between", async () => {
    // The person's test shop account (whose password a colleague may share) and live shop account, same email.
    const who = email();
    const other = await newShop(v);
    const testPassword = 'the shared test shop password';
    const livePassword = 'the live shop own password 7';
    await d.setPassword(await d.addUser(who, { merchant: other.id }), testPassword, ip());
    await d.setPassword(await d.addUser(who, { merchant: shop.id }), livePassword, ip());
    // Four guesses at the live password, then the known test password, then four more: 8 wrong in a row.
    for (let i = 0; i < 4; i++) expect((await d.signIn(who, `live guess number ${i}`, ip())).status).toBe(401);
    expect((await d.signIn(who, testPassword, ip())).status).toBe(303);
    for (let i = 4; i < 8; i++) await d.signIn(who, `live guess number ${i}`, ip());
    // Eight wrong passwords within 15 minutes: the README's "five wrong passwords lock an email" must hold,
    // or a known password of one shop buys unlimited guesses at the other, four at a time.
    const res = await d.signIn(who, livePassword, ip());
    expect(res.status).toBe(429);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('takes no change without an Origin whose Referer is another site unless it carries the token, and none from a look-alike origin', async () => {
    const customer = unique('referer');
    const tries: Record<string, string>[] = [
      { referer: 'https://evil.example/attack' },
      { referer: 'http://vault.test/dashboard' },
      { referer: 'https://evil.example/', 'sec-fetch-site': 'cross-site' },
      { 'x-csrf-token': adminCsrf, origin: 'http://vault.test:80' },
      { 'x-csrf-token': adminCsrf, origin: 'http://VAULT.test.' },
      { 'x-csrf-token': adminCsrf, origin: 'http://vault.test/' },
      { 'x-csrf-token': adminCsrf.slice(0, -1), origin: 'http://vault.test' },
    ];
    for (const headers of tries) {
      const res = await v.api('POST', `/dashboard/api/v1/customers/${customer}`, {
        key: '',
        body: { status: 'deny' },
        headers: { cookie: admin, 'x-forwarded-for': ip(), ...headers },
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.error.code).toBe('csrf_token_invalid');
    }
    expect((await shop.api('GET', `/v1/customers/${customer}`)).body.status).toBe('none');
    // A sign-out form from a look-alike origin, with the right token, signs no one out.
    const out = await d.request('POST', '/dashboard/sign-out', { cookie: admin, fields: { csrf: adminCsrf } });
    expect(out.status).toBe(303);
    admin = await d.signedIn(email(), PASSWORD, { merchant: shop.id, ip: ip() });
    adminCsrf = (await d.me(admin)).csrf_token;
    const lookalike = await v.api('POST', '/dashboard/sign-out', {
      key: '',
      raw: new URLSearchParams({ csrf: adminCsrf }).toString(),
      headers: { cookie: admin, origin: 'http://vault.test.evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(lookalike.status).toBe(403);
    expect((await d.me(admin)).csrf_token).toBe(adminCsrf);
  });

  it("takes a merchant's secret key alone for no one on the dashboard's API, read or change", async () => {
    for (const [method, path, body] of [
      ['GET', '/dashboard/api/me', undefined],
      ['GET', '/dashboard/api/audit', undefined],
      ['GET', '/dashboard/api/v1/charges', undefined],
      ['POST', '/dashboard/api/v1/merchant', { rate_limit: 3 }],
    ] as const) {
      const res = await v.api(method, path, { key: shop.secret_key, body, headers: { 'x-forwarded-for': ip(), origin: 'http://vault.test' } });
      expect(res.status, path).toBe(401);
      expect(res.body.error.code).toBe('staff_session_required');
    }
    // Nor as a cookie named like the session's.
    const asCookie = await d.call('GET', '/me', { cookie: `vault_staff=${shop.secret_key}` });
    expect(asCookie.status).toBe(401);
    expect((await shop.api('GET', '/v1/merchant')).body.rate_limit).toBe(0);
  });

  it('refunds a charge at most once its amount when two dashboard refunds race with different keys, and never over it', async () => {
    const customer = unique('race');
    const { charge } = await paid(shop, customer);
    const refund = (key: string) =>
      d.call('POST', `/v1/charges/${charge}/refunds`, { cookie: admin, csrf: adminCsrf, body: { amount: 1500 }, idempotencyKey: key, ip: ip() });
    const [a, b] = await Promise.all([refund(unique('k1')), refund(unique('k2'))]);
    const statuses = [a.status, b.status].sort();
    expect(statuses[0], `${a.text} ${b.text}`).toBe(201);
    expect(statuses[1]).toBeGreaterThanOrEqual(400);
    expect(statuses[1]).toBeLessThan(500);
    expect((await shop.api('GET', `/v1/charges/${charge}`)).body.amount_refunded).toBe(1500);
    // What is left (499) and no more; a negative or fractional amount is the API's 400.
    for (const amount of [500, -1, 0.5, '499']) {
      const res = await d.call('POST', `/v1/charges/${charge}/refunds`, { cookie: admin, csrf: adminCsrf, body: { amount }, idempotencyKey: unique('k') });
      expect(res.status, String(amount)).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
    }
    expect((await shop.api('GET', `/v1/charges/${charge}`)).body.amount_refunded).toBe(1500);
  });

  it("lets a sister shop's admin neither see nor redeliver the shop's events, nor refund its charges, though they share the customer", async () => {
    const customer = unique('sister');
    const { charge } = await paid(shop, customer);
    const event = (await shop.api('GET', '/v1/events?limit=1')).body.data[0].id as string;
    const sisterAdmin = await d.signedIn(email(), PASSWORD, { merchant: sister.id, ip: ip() });
    const csrf = (await d.me(sisterAdmin)).csrf_token;
    const events = await d.call('GET', '/v1/events?limit=100', { cookie: sisterAdmin });
    expect(events.status).toBe(200);
    expect(events.text).not.toContain(event);
    expect((await d.call('POST', `/v1/events/${event}/redeliver`, { cookie: sisterAdmin, csrf, idempotencyKey: unique('k') })).status).toBe(404);
    expect((await d.call('GET', `/v1/events/${event}/attempts`, { cookie: sisterAdmin })).status).toBe(404);
    const refund = await d.call('POST', `/v1/charges/${charge}/refunds`, { cookie: sisterAdmin, csrf, body: { amount: 100 }, idempotencyKey: unique('k') });
    expect(refund.status).toBe(404);
    expect((await shop.api('GET', `/v1/charges/${charge}`)).body.amount_refunded).toBe(0);
    const lines = (await d.call('GET', '/audit?limit=100', { cookie: sisterAdmin })).body.data as { action: string }[];
    expect(lines.map((l) => l.action)).not.toContain('event.redeliver');
    expect(lines.map((l) => l.action)).not.toContain('charge.refund');
  });

  it('carries an unframeable policy on every refusal page and every API answer of the dashboard, and no-store', async () => {
    const answers = [
      await d.request('POST', '/dashboard/sign-in', { fields: { email: 'x@shop.example', password: 'p'.repeat(13), filler: 'f'.repeat(20_000) }, ip: ip() }),
      await v.api('POST', '/dashboard/sign-in', {
        key: '',
        raw: 'email=a&password=b',
        headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      }),
      await d.request('POST', '/dashboard/sign-out', { cookie: admin, fields: { csrf: 'wrong' } }),
      await d.request('GET', '/dashboard/switch?to=mer_nowhere', { cookie: admin }),
      await d.request('POST', '/dashboard/set-password', { fields: { token: 'no-such-token', password: 'p'.repeat(13) } }),
      await d.request('GET', '/dashboard/set-password'),
      await d.call('GET', '/nowhere', { cookie: admin }),
      await d.call('GET', '/me', { cookie: 'vault_staff=nobody' }),
      await d.call('POST', '/v1/merchant', { cookie: admin, body: { rate_limit: 1 } }),
      await d.call('GET', '/v1/merchant', { cookie: admin }),
    ];
    for (const res of answers) {
      expect(res.status, res.text.slice(0, 100)).toBeLessThan(500);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, `${res.status} ${res.text.slice(0, 80)}`).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(res.headers.get('cache-control')).toContain('no-store');
    }
    expect(answers.map((a) => a.status)).toEqual([413, 403, 403, 404, 400, 200, 404, 401, 403, 200]);
  });

  it('ends the previous session at a switch: its cookie and its token open nothing, in either shop', async () => {
    const who = email();
    const other = await newShop(v);
    const cookie = await d.signedIn(who, PASSWORD, { merchant: shop.id, ip: ip() });
    const otherPassword = 'the other shop password 8';
    await d.setPassword(await d.addUser(who, { merchant: other.id, role: 'viewer' }), otherPassword, ip());
    const { csrf_token: csrf } = await d.me(cookie);
    const switched = await d.request('POST', '/dashboard/switch', { cookie, fields: { csrf, to: other.id, password: otherPassword }, ip: ip() });
    expect(switched.status).toBe(303);
    const now = cookieOf(switched);
    expect(now).not.toBe(cookie);
    expect((await d.call('POST', `/v1/customers/${unique('old')}`, { cookie, csrf, body: { status: 'deny' } })).status).toBe(401);
    // The new session is the viewer's at the other shop: the admin's old token is not its token, nor is its role admin.
    const res = await d.call('POST', '/v1/merchant', { cookie: now, csrf, body: { rate_limit: 9 } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_token_invalid');
    const mine = await d.me(now);
    const asViewer = await d.call('POST', '/v1/merchant', { cookie: now, csrf: mine.csrf_token, body: { rate_limit: 9 } });
    expect(asViewer.body.error.code).toBe('staff_role_forbidden');
    expect((await v.api('GET', '/v1/merchant', { key: other.secret_key })).body.rate_limit).toBe(0);
  });

  it('ends a session at once when its password is reset, for the JSON API too, and an old invite link cannot be used afterwards', async () => {
    const who = email();
    const first = await d.addUser(who, { merchant: shop.id });
    await d.setPassword(first, PASSWORD, ip());
    const cookie = cookieOf(await d.signIn(who, PASSWORD, ip()));
    const { csrf_token: csrf } = await d.me(cookie);
    // The operator issues a reset link; the person sets a new password through it.
    const reset = await d.addUser(who, { merchant: shop.id });
    expect((await d.setPassword(reset, 'a brand new password 99', ip())).status).toBe(303);
    const res = await d.call('POST', `/v1/customers/${unique('reset')}`, { cookie, csrf, body: { status: 'deny' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('staff_session_required');
    // Neither link sets a password again, and the old password no longer signs in.
    for (const token of [first, reset]) expect((await d.setPassword(token, 'an attacker password 12', ip())).status).toBe(400);
    expect((await d.signIn(who, PASSWORD, ip())).status).toBe(401);
    expect((await d.signIn(who, 'a brand new password 99', ip())).status).toBe(303);
  });
});

describeEachDb('dashboard staff attacks on an https vault', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  beforeAll(async () => {
    v = await startTestVault(target, { publicUrl: 'https://vault.test', limits: { TRUST_PROXY: 1 } });
    d = dashboard(v);
  });
  afterAll(() => v?.close());

  it('clears the __Host- cookie at sign-out with the attributes it was set with, and the token opens nothing after', async () => {
    const cookie = await d.signedIn(email(), PASSWORD, { ip: ip() });
    expect(cookie).toMatch(/^__Host-vault_staff=/);
    const { csrf_token: csrf } = await d.me(cookie);
    const out = await v.api('POST', '/dashboard/sign-out', {
      key: '',
      raw: new URLSearchParams({ csrf }).toString(),
      headers: { cookie, origin: 'https://vault.test', 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip() },
    });
    expect(out.status).toBe(303);
    const cleared = out.headers.get('set-cookie') ?? '';
    expect(cleared).toMatch(/^__Host-vault_staff=;/);
    expect(cleared).toMatch(/Max-Age=0/i);
    expect(cleared).toMatch(/Path=\/(;|$)/);
    expect(cleared).toMatch(/Secure/);
    expect(cleared).not.toMatch(/Domain=/i);
    expect((await d.call('GET', '/me', { cookie })).status).toBe(401);
    // The https vault's own origin is the only one taken: its http twin is another site.
    const again = await d.signedIn(email(), PASSWORD, { ip: ip() });
    const { csrf_token: token } = await d.me(again);
    const res = await d.call('POST', `/v1/customers/${unique('twin')}`, { cookie: again, csrf: token, origin: 'http://vault.test', body: { status: 'deny' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_token_invalid');
  });
});
