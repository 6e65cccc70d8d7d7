// The dashboard attacked as an attacker would: other merchants' ids, path and method tricks through the
// /v1 proxy, forged staff authority, CSRF by other means than a missing token, a viewer's every door,
// session fixation, misleading audit lines, and sign-in limits dodged by spelling or a forged address.
// Each case replays an attack and checks that the vault stops it.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { cookieOf, dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, newShop, openSession, type Shop, startTestVault, type TestVault, VAULT } from '../helpers/test-vault.ts';

const PASSWORD = 'correct horse battery 42';
let n = 0;
const email = () => `attack${++n}.${Date.now()}@shop.example`;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++n}`;

describeEachDb('dashboard attacks', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  let shop: Shop;
  let other: Shop;
  let admin: string;
  let adminCsrf: string;
  let viewer: string;
  let viewerCsrf: string;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    d = dashboard(v);
    shop = await newShop(v);
    // Another merchant in a group of its own: nothing of it is the shop's.
    other = await newShop(v);
    admin = await d.signedIn(email(), PASSWORD, { merchant: shop.id });
    adminCsrf = (await d.me(admin)).csrf_token;
    viewer = await d.signedIn(email(), PASSWORD, { merchant: shop.id, role: 'viewer' });
    viewerCsrf = (await d.me(viewer)).csrf_token;
  });
  afterAll(() => v?.close());
  afterEach(() => v.setNow(undefined));

  /** The customer pays `at` with a new card and saves it: the charge and the card's token. */
  async function paid(at: Shop, customer: string) {
    const s = await openSession(v, { customer }, at.secret_key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
    if (res.status !== 200) throw new Error(`not paid: ${res.text}`);
    const charge = (await at.api('GET', `/v1/charges?customer=${customer}`)).body.data[0];
    return { charge: charge.id as string, card: res.body.card.token as string, session: s };
  }

  const auditOf = async (cookie: string) =>
    (await d.call('GET', '/audit?limit=100', { cookie })).body.data as { action: string; target: string | null; details: unknown }[];

  it('lets no staff cookie reach /v1 itself, and no header stand in for a signed-in staff user', async () => {
    const forged: Record<string, string>[] = [
      {},
      { 'x-staff-merchant': shop.id },
      { 'x-merchant-id': shop.id },
      { 'x-dashboard-merchant': shop.id },
      { 'x-csrf-token': adminCsrf, origin: VAULT },
      { authorization: `Bearer ${adminCsrf}` },
      { authorization: `Bearer ${admin.split('=')[1]}` },
    ];
    for (const headers of forged) {
      const res = await v.api('GET', '/v1/charges', { key: '', headers: { cookie: admin, ...headers } });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.body.error.code).toBe('invalid_api_key');
    }
    const change = await v.api('POST', '/v1/webhooks/rotate_secret', { key: '', body: {}, headers: { cookie: admin, 'x-csrf-token': adminCsrf } });
    expect(change.status).toBe(401);
  });

  it("acts for the staff user's merchant only, whatever API key rides along with the cookie", async () => {
    const res = await v.api('GET', '/dashboard/api/v1/merchant', { key: other.secret_key, headers: { cookie: viewer } });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(shop.id);
    const change = await v.api('POST', '/dashboard/api/v1/merchant', {
      key: other.secret_key,
      body: { rate_limit: 7 },
      headers: { cookie: viewer, 'x-csrf-token': viewerCsrf },
    });
    expect(change.status).toBe(403);
    expect((await other.api('GET', '/v1/merchant')).body.rate_limit).toBe(0);
  });

  it("reads no session's client secret through any spelling of its path", async () => {
    const s = await openSession(v, { customer: unique('sess') }, shop.secret_key);
    const paths = [
      `/v1/sessions/${s.id}`,
      `/v1/sessions/${s.id}/`,
      `/v1//sessions/${s.id}`,
      `//v1/sessions/${s.id}`,
      `/V1/sessions/${s.id}`,
      `/v1/Sessions/${s.id}`,
      `/v1/../v1/sessions/${s.id}`,
      `/v1/customers/%2e%2e/sessions/${s.id}`,
      `/v1/customers/..%2Fsessions%2F${s.id}`,
      `/v1/charges/%2E%2E%2Fsessions%2F${s.id}`,
      `/v1/customers/x/..;/../sessions/${s.id}`,
      `/v1/charges?x=/v1/sessions/${s.id}`,
      `/v1/sessions%2F${s.id}`,
    ];
    for (const path of paths) {
      for (const method of ['GET', 'HEAD']) {
        const res = await d.call(method, path, { cookie: admin });
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
        expect(res.text, `${method} ${path}`).not.toContain(s.secret);
        // Only the charges list, whose query names the session in vain, answers at all.
        if (!path.startsWith('/v1/charges?')) expect(res.status, `${method} ${path}`).not.toBe(200);
      }
    }
    // The same for the event the payment wrote: its data names the session, never its secret.
    const pay = await paid(shop, unique('sess-paid'));
    const events = await d.call('GET', '/v1/events?limit=100', { cookie: viewer });
    expect(events.status).toBe(200);
    expect(events.text).toContain(pay.session.id);
    expect(events.text).not.toContain(pay.session.secret);
  });

  it('shows a viewer no card number in any read the dashboard offers', async () => {
    const customer = unique('masked');
    const mine = await paid(shop, customer);
    for (const path of [
      `/v1/charges/${mine.charge}`,
      `/v1/charges?customer=${customer}`,
      `/v1/customers/${customer}`,
      `/v1/customers/${customer}/cards`,
      `/v1/customers/${customer}/mandates`,
      `/v1/invoices?customer=${customer}`,
      '/v1/events?limit=100',
      '/v1/messages',
      '/audit?limit=100',
      '/overview',
    ]) {
      const res = await d.call('GET', path, { cookie: viewer });
      expect(res.status, `${path} ${res.text}`).toBe(200);
      expect(res.text, path).not.toContain(CARDS.visa);
      expect(res.text, path).not.toContain(CARDS.visa.slice(0, 12));
    }
    expect((await d.call('GET', `/v1/customers/${customer}/cards`, { cookie: viewer })).text).toContain('4242');
  });

  it('shows a viewer no key nor signing secret of the merchant', async () => {
    const merchant = await d.call('GET', '/v1/merchant', { cookie: viewer });
    expect(merchant.status).toBe(200);
    expect(merchant.text).not.toContain(shop.secret_key);
    expect(merchant.text).not.toContain(shop.webhook_secret);
    expect(merchant.text).not.toMatch(/sk_(test|live)_|whsec_/);
    const me = await d.call('GET', '/me', { cookie: viewer });
    expect(me.text).not.toMatch(/sk_(test|live)_|whsec_/);
  });

  it("reaches no other merchant's charge, card, invoice or event, by path, filter or cursor, and changes none of them", async () => {
    const customer = unique('theirs');
    const theirs = await paid(other, customer);
    for (const path of [
      `/v1/charges/${theirs.charge}`,
      `/v1/customers/${customer}/cards`,
      `/v1/charges?customer=${customer}`,
      `/v1/charges?starting_after=${theirs.charge}`,
      `/v1/invoices?customer=${customer}`,
      `/v1/events?limit=100`,
    ]) {
      const res = await d.call('GET', path, { cookie: admin });
      expect(res.status, path).toBeLessThan(500);
      expect(res.text, path).not.toContain(theirs.charge);
      expect(res.text, path).not.toContain(theirs.card);
    }
    const changes: [string, string, unknown][] = [
      ['POST', `/v1/charges/${theirs.charge}/refunds`, { amount: 100 }],
      ['DELETE', `/v1/customers/${customer}/cards/${theirs.card}`, undefined],
      ['POST', `/v1/customers/${customer}/cards/${theirs.card}`, { default: true }],
    ];
    for (const [method, path, body] of changes) {
      const res = await d.call(method, path, { cookie: admin, csrf: adminCsrf, body, idempotencyKey: unique('k') });
      expect(res.status, path).toBe(404);
    }
    expect((await other.api('GET', `/v1/charges/${theirs.charge}`)).body.amount_refunded).toBe(0);
    expect((await other.api('GET', `/v1/customers/${customer}/cards`)).body.data.map((c: { token: string }) => c.token)).toEqual([theirs.card]);
    // A refused change leaves no line saying it happened.
    expect((await auditOf(admin)).filter((l) => l.target === theirs.charge || l.target === theirs.card)).toEqual([]);
  });

  it('takes no change by a method, an override header or a query string the dashboard does not offer', async () => {
    const customer = unique('methods');
    const mine = await paid(shop, customer);
    const cardPath = `/v1/customers/${customer}/cards/${mine.card}`;
    for (const method of ['PUT', 'PATCH', 'OPTIONS']) {
      const res = await d.call(method, cardPath, { cookie: admin, csrf: adminCsrf, body: { default: true } });
      expect(res.status, method).toBe(404);
      expect(res.body.error.code).toBe('resource_missing');
    }
    // Hono has no method override: a POST stays the card's update, whatever the headers say.
    for (const header of ['x-http-method-override', 'x-http-method', 'x-method-override']) {
      await v.api('POST', `/dashboard/api${cardPath}?_method=DELETE`, {
        key: '',
        body: { default: true },
        headers: { cookie: admin, 'x-csrf-token': adminCsrf, [header]: 'DELETE' },
      });
    }
    expect((await shop.api('GET', `/v1/customers/${customer}/cards`)).body.data.map((c: { token: string }) => c.token)).toEqual([mine.card]);
    // A path the dashboard does not change, with one it does in the query string.
    const smuggled = await d.call('POST', `/v1/charges?path=/v1/charges/${mine.charge}/refunds`, { cookie: admin, csrf: adminCsrf, body: { amount: 100 } });
    expect(smuggled.status).toBe(404);
    const sneaky = await d.call('POST', `/v1/charges/${mine.charge}/refunds/`, { cookie: admin, csrf: adminCsrf, body: { amount: 100 } });
    expect(sneaky.status).toBe(404);
    expect((await shop.api('GET', `/v1/charges/${mine.charge}`)).body.amount_refunded).toBe(0);
    // A body on a GET changes nothing either.
    const get = await v.api('GET', `/dashboard/api/v1/charges/${mine.charge}`, { key: '', headers: { cookie: admin, 'x-csrf-token': adminCsrf } });
    expect(get.status).toBe(200);
  });

  it('takes no CSRF token from a query string or a form, from an Origin of null, nor a body that is not JSON', async () => {
    const customer = unique('csrf');
    const path = `/dashboard/api/v1/customers/${customer}`;
    const tries: { url: string; headers: Record<string, string>; raw: string }[] = [
      { url: `${path}?csrf=${adminCsrf}`, headers: { 'content-type': 'application/json' }, raw: '{"status":"deny"}' },
      { url: `${path}?x-csrf-token=${adminCsrf}`, headers: { 'content-type': 'application/json' }, raw: '{"status":"deny"}' },
      { url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, raw: `csrf=${adminCsrf}&status=deny` },
      { url: path, headers: { 'content-type': 'application/json', 'x-csrf-token': adminCsrf, origin: 'null' }, raw: '{"status":"deny"}' },
      {
        url: path,
        headers: { 'content-type': 'application/json', 'x-csrf-token': adminCsrf, origin: 'http://vault.test.evil.example' },
        raw: '{"status":"deny"}',
      },
      { url: path, headers: { 'content-type': 'application/json', 'x-csrf-token': adminCsrf, origin: 'https://vault.test' }, raw: '{"status":"deny"}' },
    ];
    for (const t of tries) {
      const res = await v.api('POST', t.url, { key: '', raw: t.raw, headers: { cookie: admin, ...t.headers } });
      expect(res.status, JSON.stringify(t)).toBe(403);
      expect(res.body.error.code).toBe('csrf_token_invalid');
    }
    // With the token, a body a cross-site form could send (no preflight) is still not taken as JSON.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await v.api('POST', path, { key: '', raw: '{"status":"deny"}', headers: { cookie: admin, 'x-csrf-token': adminCsrf, 'content-type': type } });
      expect(res.status, type).toBe(400);
      expect(res.body.error.code).toBe('body_not_json');
    }
    expect((await shop.api('GET', `/v1/customers/${customer}`)).body.status).toBe('none');
  });

  it('lets a viewer change nothing through any door: every change the proxy offers, the non-v1 API, the forms', async () => {
    const customer = unique('viewer');
    const mine = await paid(shop, customer);
    const before = (await auditOf(admin)).length;
    const changes: [string, string, unknown][] = [
      ['POST', `/v1/customers/${customer}`, { status: 'deny' }],
      ['POST', `/v1/customers/${customer}/cards/${mine.card}`, { default: true }],
      ['DELETE', `/v1/customers/${customer}/cards/${mine.card}`, undefined],
      ['DELETE', '/v1/mandates/mdt_x', undefined],
      ['POST', `/v1/charges/${mine.charge}/refunds`, { amount: 100 }],
      ['POST', '/v1/invoices', { customer, amount: 100, currency: 'USD' }],
      ['POST', '/v1/events/evt_x/redeliver', {}],
      ['POST', '/v1/webhooks/rotate_secret', {}],
      ['POST', '/v1/merchant', { rate_limit: 1 }],
      ['POST', '/v1/merchant/roll_secret_key', {}],
      ['POST', '/me', {}],
      ['POST', '/audit', {}],
      ['DELETE', '/audit', undefined],
      ['POST', '/overview', {}],
    ];
    for (const [method, path, body] of changes) {
      const res = await d.call(method, path, { cookie: viewer, csrf: viewerCsrf, body, idempotencyKey: unique('k') });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('staff_role_forbidden');
    }
    expect((await shop.api('GET', `/v1/charges/${mine.charge}`)).body.amount_refunded).toBe(0);
    expect((await shop.api('GET', `/v1/customers/${customer}`)).body.status).toBe('member');
    expect((await shop.api('GET', '/v1/merchant')).body.rate_limit).toBe(0);
    expect((await shop.api('GET', `/v1/customers/${customer}/cards`)).body.data).toHaveLength(1);
    const after = await auditOf(admin);
    expect(after.length).toBe(before);
  });

  it('takes a role away at once: an admin made a viewer can no longer change anything in the session they hold', async () => {
    const who = email();
    const cookie = await d.signedIn(who, PASSWORD, { merchant: shop.id });
    const { csrf_token: csrf } = await d.me(cookie);
    const customer = unique('demoted');
    expect((await d.call('POST', `/v1/customers/${customer}`, { cookie, csrf, body: { status: 'deny' } })).status).toBe(200);
    // The operator adds the same email again as a viewer (a new link is issued, the password stays).
    await d.addUser(who, { merchant: shop.id, role: 'viewer' });
    const res = await d.call('POST', `/v1/customers/${customer}`, { cookie, csrf, body: { status: 'none' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('staff_role_forbidden');
    expect((await shop.api('GET', `/v1/customers/${customer}`)).body.status).toBe('deny');
  });

  it('starts a new session at sign-in whatever cookie the browser brought (no fixation), and ends it for the API at sign-out', async () => {
    const who = email();
    await d.setPassword(await d.addUser(who, { merchant: shop.id }), PASSWORD);
    const planted = 'vault_staff=planted-by-the-attacker-0123456789abcdefghijklmnopq';
    const signIn = await v.api('POST', '/dashboard/sign-in', {
      key: '',
      raw: new URLSearchParams({ email: who, password: PASSWORD }).toString(),
      headers: { cookie: planted, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '192.0.2.77' },
    });
    expect(signIn.status).toBe(303);
    const cookie = cookieOf(signIn);
    expect(cookie).toMatch(/^vault_staff=[\w-]{43}$/);
    expect(cookie).not.toBe(planted);
    expect((await d.call('GET', '/me', { cookie: planted })).status).toBe(401);
    const { csrf_token: csrf } = await d.me(cookie);
    expect((await d.request('POST', '/dashboard/sign-out', { cookie, fields: { csrf } })).status).toBe(303);
    // The browser's copy of the cookie, replayed after sign-out, opens nothing.
    const replay = await d.call('POST', `/v1/customers/${unique('gone')}`, { cookie, csrf, body: { status: 'deny' } });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('staff_session_required');
  });

  it("locks the switch after 5 wrong passwords, so that a stolen session of one shop cannot guess its way into the person's other", async () => {
    const who = email();
    const cookie = await d.signedIn(who, PASSWORD, { merchant: shop.id });
    const livePassword = 'the other shop password 9';
    await d.setPassword(await d.addUser(who, { merchant: other.id }), livePassword);
    const { csrf_token: csrf } = await d.me(cookie);
    for (let i = 0; i < 5; i++) {
      const wrong = await d.request('POST', '/dashboard/switch', { cookie, fields: { csrf, to: other.id, password: `wrong password number ${i}` } });
      expect(wrong.status).toBe(401);
    }
    const right = await d.request('POST', '/dashboard/switch', { cookie, fields: { csrf, to: other.id, password: livePassword } });
    expect(right.status).toBe(429);
    expect(right.headers.get('set-cookie')).toBeNull();
    expect((await d.me(cookie)).merchant.id).toBe(shop.id);
    // The lock is the email's: the sign-in form gives no more guesses either.
    expect((await d.signIn(who, livePassword, '192.0.2.90')).status).toBe(429);
  });

  it('ends an idle session for the JSON API too: a cookie left 31 minutes opens nothing', async () => {
    const start = Date.now();
    v.setNow(new Date(start));
    const cookie = await d.signedIn(email(), PASSWORD, { merchant: shop.id });
    const { csrf_token: csrf } = await d.me(cookie);
    v.setNow(new Date(start + 31 * 60_000));
    const res = await d.call('POST', '/v1/webhooks/rotate_secret', { cookie, csrf, body: {} });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('staff_session_required');
  });

  it('shows a rolled secret key and a rotated signing secret to the admin once, and writes neither to the logs or the audit log', async () => {
    const mine = await newShop(v);
    const cookie = await d.signedIn(email(), PASSWORD, { merchant: mine.id });
    const { csrf_token: csrf } = await d.me(cookie);
    const rolled = await d.call('POST', '/v1/merchant/roll_secret_key', {
      cookie,
      csrf,
      body: { previous_key_expires_in_hours: 0 },
      idempotencyKey: unique('roll'),
    });
    expect(rolled.status, rolled.text).toBe(200);
    const rotated = await d.call('POST', '/v1/webhooks/rotate_secret', { cookie, csrf, body: {}, idempotencyKey: unique('rotate') });
    expect(rotated.status, rotated.text).toBe(200);
    const secrets = [rolled.body.secret_key as string, rotated.body.webhook_secret as string];
    expect(secrets[0]).toMatch(/^sk_test_/);
    expect(secrets[1]).toMatch(/^whsec_/);
    // The new key works; the old one no longer does.
    expect((await v.api('GET', '/v1/merchant', { key: secrets[0] })).body.id).toBe(mine.id);
    expect((await mine.api('GET', '/v1/merchant')).status).toBe(401);
    const rows = JSON.stringify(await v.runtime.deps.db.selectFrom('audit_log').selectAll().execute());
    for (const secret of secrets) {
      expect(rows).not.toContain(secret);
      expect(v.logs.join('\n')).not.toContain(secret);
    }
    const lines = (await auditOf(cookie)).map((l) => l.action);
    expect(lines).toEqual(expect.arrayContaining(['secret_key.roll', 'webhook_secret.rotate']));
  });

  it('answers a malformed or oversized session cookie with 401, never a 500', async () => {
    for (const cookie of ['vault_staff=%E0%A4%A', `vault_staff=${'a'.repeat(4000)}`, 'vault_staff=', 'vault_staff="\\u0000"', 'vault_staff=%00']) {
      const res = await d.call('GET', '/v1/charges', { cookie });
      expect(res.status, cookie).toBe(401);
      expect(res.body.error.code).toBe('staff_session_required');
    }
  });

  it('writes no audit line for a change the API refused, nor keeps the card number sent with one', async () => {
    const customer = unique('audit');
    const mine = await paid(shop, customer);
    const before = await auditOf(admin);
    // Refused by the API's own rules: too large a refund, an unknown status, an unknown field.
    expect((await d.call('POST', `/v1/charges/${mine.charge}/refunds`, { cookie: admin, csrf: adminCsrf, body: { amount: 10 ** 9 } })).status).toBe(400);
    expect((await d.call('POST', `/v1/customers/${customer}`, { cookie: admin, csrf: adminCsrf, body: { status: 'vip' } })).status).toBe(400);
    const withCard = await d.call('POST', `/v1/customers/${customer}`, { cookie: admin, csrf: adminCsrf, body: { status: 'deny', number: CARDS.visa } });
    expect(withCard.status).toBe(400);
    expect((await d.call('DELETE', `/v1/mandates/mdt_${unique('none')}`, { cookie: admin, csrf: adminCsrf })).status).toBe(404);
    expect(await auditOf(admin)).toEqual(before);
    const rows = await v.runtime.deps.db.selectFrom('audit_log').select(['details', 'target']).execute();
    expect(JSON.stringify(rows)).not.toContain(CARDS.visa);
  });
});

describeEachDb('dashboard pages fed HTML', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    d = dashboard(v);
  });
  afterAll(() => v?.close());
  const SCRIPT = '<script>alert(1)</script>';

  it('echoes a typed email on the sign-in page as text, never as markup', async () => {
    const page = await d.signIn(`"><img src=x onerror=alert(1)>${SCRIPT}@shop.example`, 'wrong password here', '192.0.2.200');
    expect(page.status).toBe(401);
    expect(page.text).not.toContain(SCRIPT);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;script&gt;');
  });

  it("shows a shop's name set to markup as text on the switch page, and no name of a shop the person has no account at", async () => {
    const who = email();
    const first = await newShop(v);
    const second = await newShop(v, { settings: { name: `"><img src=x onerror=alert(1)>${SCRIPT}` } });
    const stranger = await newShop(v, { settings: { name: 'Stranger shop only its staff may name' } });
    const cookie = await d.signedIn(who, PASSWORD, { merchant: first.id });
    await d.setPassword(await d.addUser(who, { merchant: second.id }), PASSWORD);
    const page = await d.request('GET', `/dashboard/switch?to=${second.id}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(SCRIPT);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;script&gt;');
    const refused = await d.request('GET', `/dashboard/switch?to=${stranger.id}`, { cookie });
    expect(refused.status).toBe(404);
    expect(refused.text).not.toContain('Stranger shop');
    // Nor does a forged `to` in the form switch into it, whatever password is sent.
    const { csrf_token: csrf } = await d.me(cookie);
    const post = await d.request('POST', '/dashboard/switch', { cookie, fields: { csrf, to: stranger.id, password: PASSWORD } });
    expect(post.status).toBe(404);
    expect((await d.me(cookie)).merchant.id).toBe(first.id);
  });
});

describeEachDb('dashboard sign-in attacks', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  beforeAll(async () => {
    // The operator's default: no proxy trusted, so X-Forwarded-For is anyone's word.
    v = await startTestVault(target);
    d = dashboard(v);
  });
  afterAll(() => v?.close());

  it('counts the socket, not a forged X-Forwarded-For, against the per-address limit', async () => {
    let last = 0;
    for (let i = 0; i < 31; i++) {
      const res = await d.signIn(`nobody${i}@shop.example`, 'wrong password here', `198.51.100.${i + 1}`);
      last = res.status;
    }
    expect(last).toBe(429);
  });
});

describeEachDb('dashboard sign-in lockout spellings', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    d = dashboard(v);
  });
  afterAll(() => v?.close());

  it('locks an email whatever its case or surrounding spaces, so that spelling it anew gives no more guesses', async () => {
    const who = email();
    await d.setPassword(await d.addUser(who), PASSWORD);
    const spellings = [who, who.toUpperCase(), ` ${who}`, `${who}\t`, `  ${who.replace(/^a/, 'A')}  `];
    for (const [i, spelled] of spellings.entries()) await d.signIn(spelled, 'wrong password here', `203.0.113.${i + 1}`);
    for (const spelled of [who, who.toUpperCase(), ` ${who} `]) {
      const res = await d.signIn(spelled, PASSWORD, '203.0.113.99');
      expect(res.status, spelled).toBe(429);
    }
  });
});
