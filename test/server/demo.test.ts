// The demo shop against a real vault in-process: the shop's fetch goes to the vault's app.request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createDemoApp } from '../../demo/server.ts';
import { CARDS, SHOP, VAULT, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

let v: TestVault;
let shop: Hono;
/** Every body the shop answered with, to prove that none carries the secret key. */
const served: { path: string; text: string }[] = [];

interface ShopReply {
  status: number;
  text: string;
  headers: Headers;
}

async function request(path: string, options: { method?: string; customer?: string; form?: Record<string, string>; json?: unknown; origin?: string | null } = {}): Promise<ShopReply> {
  const headers: Record<string, string> = {};
  if (options.customer) headers.cookie = `shop_customer=${options.customer}`;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const method = options.method ?? (body === undefined ? 'GET' : 'POST');
  // A browser sends its page's origin with every form post.
  if (method !== 'GET' && options.origin !== null) headers.origin = options.origin ?? SHOP;
  const res = await shop.request(`${SHOP}${path}`, { method, headers, body });
  const text = await res.text();
  served.push({ path, text });
  return { status: res.status, text, headers: res.headers };
}

const post = (path: string, form: Record<string, string>, options: { customer?: string; origin?: string | null } = {}) => request(path, { ...options, form });
const clientSecretIn = (html: string) => html.match(/cs_[A-Za-z0-9]+_secret_[A-Za-z0-9_-]+/)?.[0];
const sessionIdOf = (secret: string) => secret.slice(0, secret.indexOf('_secret_'));

/** Opens the page, takes the client secret it hands the fields, and reads that session from the vault. */
async function sessionFromPage(path: string, customer?: string) {
  const page = await request(path, { customer });
  expect(page.status).toBe(200);
  const secret = clientSecretIn(page.text);
  expect(secret).toBeDefined();
  const session = await v.api('GET', `/v1/sessions/${sessionIdOf(secret!)}`);
  expect(session.status).toBe(200);
  return { page, secret: secret!, id: sessionIdOf(secret!), session: session.body };
}

/** What the vault's iframe does when the customer pays: the real /frame/v1/confirm. */
async function payInFrame(secret: string, number: string = CARDS.visa, save = false) {
  const res = await v.frame('/frame/v1/confirm', secret, { card: newCard(number), save });
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('succeeded');
  return res.body.session as string;
}

beforeAll(async () => {
  v = await startTestVault('sqlite');
  shop = createDemoApp({
    vaultUrl: VAULT,
    secretKey: v.merchant.secret_key,
    publishableKey: v.merchant.publishable_key,
    shopOrigin: SHOP,
    fetch: async (url, init) => v.runtime.app.request(url, init, { incoming: { socket: { remoteAddress: '127.0.0.1' } } } as never),
  });
});
afterAll(() => v.close());

describe('the demo sign-in', () => {
  it('shows "Sign in" to a visitor and "Signed in as" once the cookie is set', async () => {
    const anonymous = await request('/');
    expect(anonymous.status).toBe(200);
    expect(anonymous.text).toContain('href="/sign-in?next=%2F"');
    expect(anonymous.text).not.toContain('Signed in as');

    const signIn = await post('/sign-in', { customer: 'alice', next: '/cards' });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/cards');
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^shop_customer=alice;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);

    const home = await request('/', { customer: 'alice' });
    expect(home.text).toMatch(/Signed in as <strong>alice<\/strong>/);
    expect(home.text).toContain('Demo shop in test mode');
  });

  it('says on the sign-in page that it is a demo without passwords, with a labelled field', async () => {
    const page = await request('/sign-in?next=/subscribe');
    expect(page.text).toContain('This is a demo');
    expect(page.text).toMatch(/<label for="customer">Customer number<\/label>/);
  });

  it('refuses a customer number the vault would refuse, and a cookie that holds one', async () => {
    const bad = await post('/sign-in', { customer: 'alice smith<b>', next: '/' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect(bad.text).not.toContain('<b>');
    const forged = await request('/', { customer: '4242424242424242' });
    expect(forged.text).not.toContain('Signed in as');
  });

  it('never redirects off the shop after signing in, and escapes what it echoes', async () => {
    const offsite = await post('/sign-in', { customer: 'alice', next: '//evil.example/' });
    expect(offsite.headers.get('location')).toBe('/');
    const page = await request(`/sign-in?next=${encodeURIComponent('/"><script>alert(1)</script>')}`);
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('refuses a form posted from another site', async () => {
    const res = await post('/sign-in', { customer: 'mallory', next: '/' }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('signs out', async () => {
    const res = await post('/sign-out', {}, { customer: 'alice' });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(/^shop_customer=;/);
  });
});

describe('GET /checkout', () => {
  it('opens a guest session with the vault and hands the page only the publishable key and the client secret', async () => {
    const { page, secret, session } = await sessionFromPage('/checkout?product=espresso');
    expect(page.text).toContain(`<script src="${VAULT}/checkout.js"></script>`);
    expect(page.text).toContain('<script type="module" src="/client/checkout.js"></script>');
    expect(page.text).toContain(v.merchant.publishable_key);
    expect(page.text).toContain(secret);
    expect(page.text).not.toContain(v.merchant.secret_key);
    expect(page.text).not.toContain('sk_test_');
    expect(page.text).toContain('Pay 19.99 USD');
    expect(session).toMatchObject({ status: 'open', mode: 'payment', amount: 1999, currency: 'USD', customer: null });
    expect(session.order).toMatch(/^ORD-[0-9A-F]{10}$/);
    expect(page.text).toContain(session.order);
  });

  it('opens the session for the signed-in customer, so the fields offer their saved cards', async () => {
    const { session } = await sessionFromPage('/checkout?product=kettle', 'alice');
    expect(session).toMatchObject({ amount: 4900, currency: 'USD', customer: 'alice' });
  });

  it('passes the chosen locale to the fields, falls back to English, and links every locale', async () => {
    const fr = await request('/checkout?product=espresso&locale=fr');
    expect(fr.text).toContain('"locale":"fr"');
    expect(fr.text).toContain('"appearance":{"variables":{"colorPrimary":"#0a7","borderRadius":"6px"}}');
    for (const l of ['en', 'ru', 'fr', 'tr']) expect(fr.text).toContain(`href="/checkout?product=espresso&amp;locale=${l}"`);
    const odd = await request('/checkout?product=espresso&locale=xx');
    expect(odd.text).toContain('"locale":"en"');
  });

  it('shows the test cards in a collapsible box and has no card input of its own', async () => {
    const page = await request('/checkout?product=grinder');
    expect(page.text).toMatch(/<details class="test-cards">\s*<summary>Test cards<\/summary>/);
    expect(page.text).toContain('4000 0000 0000 3220');
    const inputs = page.text.match(/<input[^>]*>/g) ?? [];
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) expect(input).toContain('type="hidden"');
    expect(page.text).not.toMatch(/cc-number|name="number"/);
  });

  it('answers 404 for an unknown product', async () => {
    const res = await request('/checkout?product=caviar');
    expect(res.status).toBe(404);
    expect(res.text).toContain('No such product');
  });

  it('lets scripts and frames come only from the shop and the vault', async () => {
    const res = await request('/checkout?product=espresso');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`script-src 'self' ${VAULT}`);
    expect(csp).toContain(`frame-src ${VAULT}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('POST /orders/confirm', () => {
  it('confirms an order once the vault says the session is complete', async () => {
    const { secret, session } = await sessionFromPage('/checkout?product=espresso', 'carol');
    const id = await payInFrame(secret, CARDS.visa, true);
    const res = await post('/orders/confirm', { session: id }, { customer: 'carol' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Thank you for your order');
    expect(res.text).toContain(session.order);
    expect(res.text).toContain('Espresso beans 1 kg');
    expect(res.text).toContain('19.99 USD');
    expect(res.text).toContain('Visa •••• 4242');
    expect(res.text).toContain('Yes, for one-click payments next time');
    expect(res.text).not.toContain(CARDS.visa);
  });

  it('confirms a guest order paid without saving the card, and takes JSON too', async () => {
    const { secret } = await sessionFromPage('/checkout?product=kettle');
    const id = await payInFrame(secret, CARDS.mastercard);
    const res = await request('/orders/confirm', { json: { session: id } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Mastercard •••• 4444');
    expect(res.text).toMatch(/<dt>Card saved<\/dt><dd>No<\/dd>/);
  });

  it('refuses an open session that was never paid', async () => {
    const { id } = await sessionFromPage('/checkout?product=espresso');
    const res = await post('/orders/confirm', { session: id });
    expect(res.status).toBe(409);
    expect(res.text).toContain('has not been paid yet');
    expect(res.text).not.toContain('Thank you for your order');
  });

  it("refuses another merchant's paid session as unknown", async () => {
    const other = await v.newMerchant({ group: undefined });
    const s = await openSession(v, {}, other.secret_key);
    await payInFrame(s.secret);
    expect((await v.api('GET', `/v1/sessions/${s.id}`, { key: other.secret_key })).body.status).toBe('complete');
    const res = await post('/orders/confirm', { session: s.id });
    expect(res.status).toBe(404);
    expect(res.text).toContain('Payment not found');
    expect(res.text).not.toContain('Thank you for your order');
  });

  it("refuses to show one customer's payment to another", async () => {
    const { secret } = await sessionFromPage('/checkout?product=espresso', 'dave');
    const id = await payInFrame(secret);
    const res = await post('/orders/confirm', { session: id }, { customer: 'erin' });
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('4242');
  });

  it('refuses a request without a session id, and one from another site', async () => {
    expect((await post('/orders/confirm', { session: 'nonsense' })).status).toBe(400);
    expect((await post('/orders/confirm', { session: 'cs_x' }, { origin: 'http://evil.example' })).status).toBe(403);
  });
});

describe('/cards', () => {
  it('sends a visitor to sign in first', async () => {
    const res = await request('/cards');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in?next=%2Fcards');
  });

  it('lists the saved cards masked, with the default badge and the forms', async () => {
    const token = await saveCardFor(v, 'alice');
    const page = await request('/cards', { customer: 'alice' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Visa •••• 4242');
    expect(page.text).toContain('Default</span>');
    expect(page.text).toMatch(/Expires 12\/\d{4}/);
    expect(page.text).not.toContain(CARDS.visa);
    expect(page.text).not.toContain('424242');
    expect(page.text).toContain(`action="/cards/${token}/delete" data-confirm="Delete Visa •••• 4242?`);
    expect(page.text).toContain('<script type="module" src="/client/cards.js"></script>');
  });

  it('makes another card the default through the vault', async () => {
    const second = await saveCardFor(v, 'alice', CARDS.mastercard);
    const page = await request('/cards', { customer: 'alice' });
    expect(page.text).toContain(`action="/cards/${second}/default"`);
    const res = await post(`/cards/${second}/default`, {}, { customer: 'alice' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/cards?notice=default');
    const cards = (await v.api('GET', '/v1/customers/alice/cards')).body.data as { token: string; default: boolean }[];
    expect(cards.find((c) => c.token === second)?.default).toBe(true);
    expect((await request('/cards?notice=default', { customer: 'alice' })).text).toContain('The default card was changed.');
  });

  it('deletes a card through the shop form, and not from another site or for another customer', async () => {
    const cards = (await v.api('GET', '/v1/customers/alice/cards')).body.data as { token: string; last4: string }[];
    const visa = cards.find((c) => c.last4 === '4242')!;

    expect((await post(`/cards/${visa.token}/delete`, {}, { customer: 'alice', origin: 'http://evil.example' })).status).toBe(403);
    const wrongCustomer = await post(`/cards/${visa.token}/delete`, {}, { customer: 'bob' });
    expect(wrongCustomer.status).toBe(404);

    const res = await post(`/cards/${visa.token}/delete`, {}, { customer: 'alice' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/cards?notice=deleted');
    const after = (await v.api('GET', '/v1/customers/alice/cards')).body.data as { token: string }[];
    expect(after.map((c) => c.token)).not.toContain(visa.token);
    const page = await request('/cards?notice=deleted', { customer: 'alice' });
    expect(page.text).toContain('The card was deleted.');
    expect(page.text).not.toContain('Visa •••• 4242');
  });

  it('adds a card through a setup-mode session and shows it once the vault confirms', async () => {
    const { page, secret, session } = await sessionFromPage('/cards/new', 'frank');
    expect(page.text).toContain('Save card');
    expect(session).toMatchObject({ mode: 'setup', customer: 'frank' });
    const res = await v.frame('/frame/v1/confirm', secret, { card: newCard(CARDS.amex), save: true });
    expect(res.status).toBe(200);
    const confirmed = await post('/orders/confirm', { session: res.body.session }, { customer: 'frank' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/cards?notice=added');
    const list = await request('/cards?notice=added', { customer: 'frank' });
    expect(list.text).toContain('American Express •••• 0005');
  });
});

describe('/subscribe', () => {
  it('sends a visitor to sign in first', async () => {
    const res = await request('/subscribe');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in?next=%2Fsubscribe');
  });

  it('opens a session with the recurring agreement and confirms the subscription after the vault does', async () => {
    const { page, secret, session } = await sessionFromPage('/subscribe', 'grace');
    const end = new Date();
    end.setUTCFullYear(end.getUTCFullYear() + 1);
    const endDate = end.toISOString().slice(0, 10);
    expect(session).toMatchObject({ mode: 'payment', amount: 1500, currency: 'USD', customer: 'grace', recurring: { min_amount: 1500, max_amount: 1500, frequency_days: 30, end_date: endDate } });
    expect(page.text).toContain('Coffee club — 15.00 USD every 30 days until');
    expect(page.text).toContain('>Subscribe</button>');
    expect(page.text).not.toContain('sk_test_');

    const res = await v.frame('/frame/v1/confirm', secret, { card: newCard(CARDS.visa), save: true, consent_text: 'Coffee club agreement' });
    expect(res.status).toBe(200);
    const confirmed = await post('/orders/confirm', { session: res.body.session }, { customer: 'grace' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Welcome to the club');
    expect(confirmed.text).toMatch(/15\.00 USD every 30 days until \d{1,2} \w+ \d{4}/);
    expect(confirmed.text).toContain('Visa •••• 4242');
  });
});

describe('/no-code', () => {
  it('renders the no-code script tag with the publishable key, a client secret and the onPaid callback', async () => {
    const page = await request('/no-code', { customer: 'alice' });
    expect(page.status).toBe(200);
    const secret = clientSecretIn(page.text)!;
    expect(page.text).toContain(`<script src="${VAULT}/checkout.js" data-key="${v.merchant.publishable_key}" data-client-secret="${secret}"`);
    expect(page.text).toContain('data-mount="#pay"');
    expect(page.text).toContain('data-on-complete="onPaid"');
    expect(page.text).toContain('<script src="/client/no-code.js"></script>');
    expect((await request('/client/no-code.js')).text).toMatch(/function onPaid\(result\)/);
  });
});

describe('static files', () => {
  it('serves the stylesheet and the client scripts, and nothing else from the disk', async () => {
    const css = await request('/shop.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    for (const file of ['checkout.js', 'add-card.js', 'subscribe.js', 'fields-page.js', 'cards.js', 'no-code.js']) {
      const res = await request(`/client/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('javascript');
      expect(res.text).not.toContain('innerHTML');
    }
    expect((await request('/client/..%2Fserver.ts')).status).toBe(404);
    expect((await request('/nowhere')).status).toBe(404);
  });
});

it('never sends the secret key in any page', () => {
  expect(served.length).toBeGreaterThan(30);
  for (const { path, text } of served) {
    expect(text.includes('sk_test_'), path).toBe(false);
    expect(text.includes(v.merchant.secret_key), path).toBe(false);
  }
});
