// The dashboard's JSON API: who is signed in, the doors of every change (session, CSRF token, Origin,
// role), changes made through the /v1 routes themselves and written to the audit log, and one
// merchant's staff never reaching another's data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, newShop, openSession, startTestVault, type Shop, type TestVault, VAULT } from '../helpers/test-vault.ts';

const PASSWORD = 'correct horse battery 42';
let n = 0;
const email = () => `staff${++n}.${Date.now()}@shop.example`;

describeEachDb('dashboard API', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  let shop: Shop;
  let admin: string;
  let adminCsrf: string;
  let viewer: string;
  let viewerCsrf: string;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    d = dashboard(v);
    shop = await newShop(v);
    admin = await d.signedIn(email(), PASSWORD, { merchant: shop.id });
    adminCsrf = (await d.me(admin)).csrf_token;
    viewer = await d.signedIn(email(), PASSWORD, { merchant: shop.id, role: 'viewer' });
    viewerCsrf = (await d.me(viewer)).csrf_token;
  });
  afterAll(() => v?.close());

  /** The customer pays the shop with a new card and saves it. */
  async function payAndSave(at: Shop, customer: string) {
    const s = await openSession(v, { customer }, at.secret_key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
    if (res.status !== 200) throw new Error(`card not saved: ${res.text}`);
  }

  it('answers 401 staff_session_required in the contract shape without a session, or with an ended one', async () => {
    for (const cookie of ['', 'vault_staff=forged-token']) {
      const res = await d.call('GET', '/v1/charges', { cookie });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ type: 'authentication_error', code: 'staff_session_required' });
    }
  });

  it('says who is signed in, for which merchant and mode', async () => {
    expect(await d.me(admin)).toMatchObject({ role: 'admin', merchant: { id: shop.id, livemode: false } });
    expect((await d.me(viewer)).role).toBe('viewer');
  });

  it("changes a customer through POST /v1/customers/{customer}: the API's own rules, event and audit line", async () => {
    const customer = `c-${Date.now().toString(36)}`;
    await payAndSave(shop, customer);
    const res = await d.call('POST', `/v1/customers/${customer}`, { cookie: admin, csrf: adminCsrf, body: { status: 'deny' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ customer, status: 'deny' });
    // Seen by the merchant's own key: the same record.
    expect((await shop.api('GET', `/v1/customers/${customer}`)).body.status).toBe('deny');
    // The API's validation, in its words.
    const bad = await d.call('POST', `/v1/customers/${customer}`, { cookie: admin, csrf: adminCsrf, body: { status: 'vip' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'parameter_invalid', param: 'status' });
    const audit = await d.call('GET', '/audit', { cookie: viewer });
    expect(audit.status).toBe(200);
    const line = audit.body.data.find((l: { target: string }) => l.target === customer);
    expect(line).toMatchObject({ action: 'customer.update', details: { status: 'deny' }, staff_email: expect.stringContaining('@shop.example') });
    expect(audit.body.data.filter((l: { target: string }) => l.target === customer)).toHaveLength(1);
  });

  it('refuses every change by a viewer with 403 staff_role_forbidden, and changes nothing', async () => {
    const customer = `v-${Date.now().toString(36)}`;
    const res = await d.call('POST', `/v1/customers/${customer}`, { cookie: viewer, csrf: viewerCsrf, body: { status: 'deny' } });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'staff_role_forbidden' });
    expect((await shop.api('GET', `/v1/customers/${customer}`)).body.status).toBe('none');
    const roll = await d.call('POST', '/v1/webhooks/rotate_secret', { cookie: viewer, csrf: viewerCsrf, body: {} });
    expect(roll.status).toBe(403);
    // Reads are open to a viewer.
    expect((await d.call('GET', '/v1/merchant', { cookie: viewer })).status).toBe(200);
  });

  it("refuses a change without the CSRF token, with another session's, or from another site", async () => {
    const customer = `x-${Date.now().toString(36)}`;
    const attempts = [
      { cookie: admin },
      { cookie: admin, csrf: viewerCsrf },
      { cookie: admin, csrf: adminCsrf.slice(0, -1) },
      { cookie: admin, csrf: adminCsrf, origin: 'https://attacker.example' },
    ];
    for (const a of attempts) {
      const res = await d.call('POST', `/v1/customers/${customer}`, { ...a, body: { status: 'deny' } });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_token_invalid');
    }
    const unchanged = await shop.api('GET', `/v1/customers/${customer}`);
    expect(unchanged.body.status, unchanged.text).toBe('none');
    // The vault's own origin passes.
    const ok = await d.call('POST', `/v1/customers/${customer}`, { cookie: admin, csrf: adminCsrf, origin: VAULT, body: { status: 'deny' } });
    expect(ok.status).toBe(200);
  });

  it('makes only the changes the dashboard offers: no session, card import, charge or forward through it', async () => {
    for (const [method, path] of [
      ['POST', '/v1/sessions'],
      ['POST', '/v1/charges'],
      ['POST', '/v1/forward'],
      ['POST', '/v1/customers/c1/cards'],
      ['POST', '/v1/scheduler/run'],
    ]) {
      const res = await d.call(method, path, { cookie: admin, csrf: adminCsrf, body: {}, idempotencyKey: `k-${Date.now().toString(36)}` });
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('resource_missing');
    }
  });

  it('keeps no processor credential in the audit log: the line says it was sent, the database never holds it in the clear', async () => {
    const key = `sk_test_${'AuditLeak'.repeat(4)}`;
    const set = await d.call('POST', '/v1/merchant', { cookie: admin, csrf: adminCsrf, body: { processor: { type: 'stripe', secret_key: key } } });
    expect(set.status, set.text).toBe(200);
    const line = (await d.call('GET', '/audit', { cookie: admin })).body.data.find((l: { action: string }) => l.action === 'settings.update');
    expect(line.details).toEqual({ processor: { type: 'stripe', secret_key: '[not kept]' } });
    const rows = await v.runtime.deps.db.selectFrom('audit_log').select('details').execute();
    expect(JSON.stringify(rows)).not.toContain('AuditLeak');
    await d.call('POST', '/v1/merchant', { cookie: admin, csrf: adminCsrf, body: { processor: { type: 'simulated' } } });
  });

  it('keeps out of the audit log a body the change takes none of: no card number, nothing the API never took', async () => {
    const customer = `b-${Date.now().toString(36)}`;
    await payAndSave(shop, customer);
    const card = (await shop.api('GET', `/v1/customers/${customer}/cards`)).body.data[0].token as string;
    const res = await d.call('DELETE', `/v1/customers/${customer}/cards/${card}`, {
      cookie: admin,
      csrf: adminCsrf,
      body: { number: CARDS.visa, reason: 'the customer asked (they did not)' },
    });
    expect(res.status).toBe(200);
    const line = (await d.call('GET', '/audit', { cookie: admin })).body.data.find((l: { target: string }) => l.target === card);
    expect(line).toMatchObject({ action: 'card.delete', details: {} });
    const rows = await v.runtime.deps.db.selectFrom('audit_log').select('details').execute();
    expect(JSON.stringify(rows)).not.toContain(CARDS.visa);
    expect(JSON.stringify(rows)).not.toContain('they did not');
  });

  it("counts a person's dashboard calls apart from the shop's API rate limit", async () => {
    const limited = await newShop(v, { settings: { rate_limit: 5 } });
    const viewerOfIt = await d.signedIn(email(), PASSWORD, { merchant: limited.id, role: 'viewer' });
    for (let i = 0; i < 10; i++) expect((await d.call('GET', '/v1/charges', { cookie: viewerOfIt })).status).toBe(200);
    const own = await limited.api('GET', '/v1/charges');
    expect(own.status, own.text).toBe(200);
  });

  it('keeps every /v1 answer through the dashboard out of caches and unsniffed, a newly rolled key above all', async () => {
    const rolledShop = await newShop(v);
    const owner = await d.signedIn(email(), PASSWORD, { merchant: rolledShop.id });
    const csrf = (await d.me(owner)).csrf_token;
    const rolled = await d.call('POST', '/v1/merchant/roll_secret_key', { cookie: owner, csrf, body: {} });
    expect(rolled.status).toBe(200);
    expect(rolled.body.secret_key).toMatch(/^sk_test_/);
    for (const res of [rolled, await d.call('GET', '/v1/charges', { cookie: owner })]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('names the invoice a dashboard created in its audit line', async () => {
    const body = { customer: 'inv-aud', amount: 1250, currency: 'USD', due_date: '2099-01-31', auto_pay: false };
    const res = await d.call('POST', '/v1/invoices', { cookie: admin, csrf: adminCsrf, body, idempotencyKey: `inv-${Date.now()}` });
    expect(res.status).toBe(201);
    const line = (await d.call('GET', '/audit', { cookie: admin })).body.data.find((l: { action: string }) => l.action === 'invoice.create');
    expect(line).toMatchObject({ target: res.body.id, details: body });
  });

  it('reads no session: its answer carries a client secret that pays in the fields', async () => {
    const session = await openSession(v, { customer: 'c-sess' }, shop.secret_key);
    expect((await shop.api('GET', `/v1/sessions/${session.id}`)).status).toBe(200);
    const viaDashboard = await d.call('GET', `/v1/sessions/${session.id}`, { cookie: admin });
    expect(viaDashboard.status).toBe(404);
    expect(viaDashboard.text).not.toContain(session.secret);
  });

  it("shows a sister shop's staff their group's customers and cards but not the first shop's charges", async () => {
    const sister = await newShop(v, { group: shop.group });
    const sisterStaff = await d.signedIn(email(), PASSWORD, { merchant: sister.id });
    const customer = `s-${Date.now().toString(36)}`;
    await payAndSave(shop, customer);
    const charges = await shop.api('GET', `/v1/charges?customer=${customer}`);
    const charge = charges.body.data[0].id as string;
    expect((await d.call('GET', `/v1/charges/${charge}`, { cookie: admin })).status).toBe(200);
    const seen = await d.call('GET', `/v1/charges/${charge}`, { cookie: sisterStaff });
    expect(seen.status).toBe(404);
    expect((await d.call('GET', `/v1/charges?customer=${customer}`, { cookie: sisterStaff })).body.data).toEqual([]);
    // Shared by the group: the customer and their cards.
    expect((await d.call('GET', `/v1/customers/${customer}/cards`, { cookie: sisterStaff })).body.data).toHaveLength(1);
    // And the audit log is each merchant's own.
    const theirs = await d.call('GET', '/audit', { cookie: sisterStaff });
    expect(theirs.body.data.every((l: { action: string }) => l.action === 'sign_in' || l.action === 'password_set')).toBe(true);
  });

  it('keeps a dashboard refund to the once an Idempotency-Key allows, and logs it once', async () => {
    const customer = `r-${Date.now().toString(36)}`;
    await payAndSave(shop, customer);
    const charge = (await shop.api('GET', `/v1/charges?customer=${customer}`)).body.data[0];
    const key = `refund-${Date.now()}`;
    const send = () => d.call('POST', `/v1/charges/${charge.id}/refunds`, { cookie: admin, csrf: adminCsrf, body: { amount: 500 }, idempotencyKey: key });
    const first = await send();
    expect(first.status).toBe(201);
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await shop.api('GET', `/v1/charges/${charge.id}`)).body.amount_refunded).toBe(500);
    const audit = await d.call('GET', '/audit?limit=100', { cookie: admin });
    expect(audit.body.data.filter((l: { action: string; target: string }) => l.action === 'charge.refund' && l.target === charge.id)).toHaveLength(1);
  });
});

describe('the dashboard page', () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault('sqlite', { limits: { TRUST_PROXY: 1 } });
  });
  afterAll(() => v?.close());

  it('serves the signed-in app under a policy that runs only its own script', async () => {
    const d = dashboard(v);
    const cookie = await d.signedIn(email(), PASSWORD);
    for (const path of ['/dashboard', '/dashboard/customers/c1', '/dashboard/charges']) {
      const page = await d.request('GET', path, { cookie });
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/script-src 'nonce-[\w-]+'(;|$)/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(page.text).toMatch(/<script nonce="[\w-]+" src="\/dashboard\/assets\/dashboard\.js/);
    }
    expect((await d.request('GET', '/dashboard/charges')).status).toBe(303);
  });
});
