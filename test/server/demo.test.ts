// The demo shop against a real vault in-process: the shop's fetch goes to the vault's app.request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createDemoApp } from '../../demo/server.ts';
import { signatureHeader } from '../../server/jobs/webhook-signature.ts';
import { CARDS, SHOP, VAULT, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

let v: TestVault;
let shop: Hono;
/** The same shop started without the webhook secret. */
let unverifiedShop: Hono;
/** Every body the shop answered with, to prove that none carries the secret key. */
const served: { path: string; text: string }[] = [];

interface ShopReply {
  status: number;
  text: string;
  headers: Headers;
}

async function request(
  path: string,
  options: { method?: string; customer?: string; form?: Record<string, string>; json?: unknown; origin?: string | null; app?: Hono } = {},
): Promise<ShopReply> {
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
  const res = await (options.app ?? shop).request(`${SHOP}${path}`, { method, headers, body });
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
  const options = {
    vaultUrl: VAULT,
    secretKey: v.merchant.secret_key,
    publishableKey: v.merchant.publishable_key,
    shopOrigin: SHOP,
    fetch: (async (url, init) => v.runtime.app.request(url, init, { incoming: { socket: { remoteAddress: '127.0.0.1' } } } as never)) as typeof fetch,
  };
  // The back-office tests call the vault fast; the per-merchant rate limit is not what they test.
  expect((await v.api('POST', '/v1/merchant', { body: { rate_limit: 0 } })).status).toBe(200);
  shop = createDemoApp({ ...options, webhookSecret: v.merchant.webhook_secret });
  unverifiedShop = createDemoApp(options);
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
    expect(home.text).toMatch(/Signed in as <\/span><strong>alice<\/strong>/);
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
    expect(page.text).toContain('Pay $19.99');
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
    expect(fr.text).toContain('"appearance":{"variables":{"colorPrimary":"#00805a","borderRadius":"6px"}}');
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
    expect(res.text).toContain('$19.99');
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
    expect(session).toMatchObject({
      mode: 'payment',
      amount: 1500,
      currency: 'USD',
      customer: 'grace',
      recurring: { min_amount: 1500, max_amount: 1500, frequency_days: 30, end_date: endDate },
    });
    expect(page.text).toContain('Coffee club — $15.00 every 30 days until');
    expect(page.text).toContain('>Subscribe</button>');
    expect(page.text).not.toContain('sk_test_');

    const res = await v.frame('/frame/v1/confirm', secret, { card: newCard(CARDS.visa), save: true, consent_text: 'Coffee club agreement' });
    expect(res.status).toBe(200);
    const confirmed = await post('/orders/confirm', { session: res.body.session }, { customer: 'grace' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Welcome to the club');
    expect(confirmed.text).toMatch(/\$15\.00 every 30 days until \w+ \d{1,2}, \d{4}/);
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

// ---- The card-on-file lifecycle: agreements, the back office, webhooks and the outbox ----

interface Mandate {
  id: string;
  card: string;
  status: string;
  last_charge_at: string | null;
  min_amount: number;
  max_amount: number;
  frequency_days: number;
  consent: { text: string };
}

const todayPlus = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const longDate = (iso: string) => new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
/** Dates as the shop writes them, like the fields' English: "December 3, 2027". */
const shopDate = longDate;

async function mandatesOf(customer: string): Promise<Mandate[]> {
  return (await v.api('GET', `/v1/customers/${customer}/mandates`)).body.data;
}

/** Joins the coffee club through the shop's page, paying in the vault's fields with the consent ticked. */
async function subscribe(customer: string, number: string = CARDS.visa): Promise<Mandate> {
  const { secret } = await sessionFromPage('/subscribe', customer);
  const res = await v.frame('/frame/v1/confirm', secret, { card: newCard(number), save: true });
  expect(res.status).toBe(200);
  expect(res.body.mandate).toMatch(/^mdt_/);
  return (await mandatesOf(customer)).find((m) => m.id === res.body.mandate)!;
}

/** Sets up automatic payments (a card-on-file agreement) through /autopay with a new card. */
async function setUpAutopay(customer: string, number: string = CARDS.visa): Promise<Mandate> {
  const { secret, session } = await sessionFromPage('/autopay', customer);
  expect(session).toMatchObject({ mode: 'setup', currency: 'USD', customer, recurring: { min_amount: 100, max_amount: 10000, frequency_days: 0 } });
  const res = await v.frame('/frame/v1/confirm', secret, {
    card: newCard(number),
    save: true,
    consent_text: 'Invoices paid automatically: 1.00 to 100.00 USD per payment',
  });
  expect(res.status).toBe(200);
  const confirmed = await post('/orders/confirm', { session: res.body.session }, { customer });
  expect(confirmed.status).toBe(303);
  expect(confirmed.headers.get('location')).toBe('/cards?notice=agreement');
  return (await mandatesOf(customer)).find((m) => m.id === res.body.mandate)!;
}

/** Posts a back-office form and opens the page its redirect leads to, which shows the result. */
async function adminAction(path: string, form: Record<string, string>, app?: Hono): Promise<ShopReply> {
  const res = await request(path, { form, app });
  expect(res.status).toBe(303);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^\/admin\?(customer=[^&]+&)?result=[A-Za-z0-9_-]+$/);
  const page = await request(location, { app });
  expect(page.status).toBe(200);
  return page;
}

/** The hidden fields and prefilled amount of the "Charge now" form of one agreement on /admin. */
function chargeForm(page: string, mandate: string): Record<string, string> {
  const form = page.match(
    new RegExp(`<form method="post" action="/admin/charge"[^>]*>((?:(?!</form>)[\\s\\S])*?name="mandate" value="${mandate}"[\\s\\S]*?)</form>`),
  )?.[1];
  expect(form, `a Charge now form for ${mandate}`).toBeDefined();
  const fields: Record<string, string> = {};
  for (const m of form!.matchAll(/<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"/g)) fields[m[1]!] = m[2]!;
  return fields;
}

const resultOf = (page: string) => page.match(/<div id="admin-result"[\s\S]*?<\/div>/)?.[0] ?? '';

describe('/cards: agreements', () => {
  it('lists the agreement a paid subscription created, with its card, terms, status and consent', async () => {
    const mandate = await subscribe('henry');
    const page = await request('/cards', { customer: 'henry' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('My agreements');
    expect(page.text).toContain('$15.00 every 30 days</h3>');
    expect(page.text).toMatch(/<dt>Card<\/dt><dd>Visa •••• 4242<\/dd>/);
    expect(page.text).toMatch(/<dt>How often<\/dt><dd>every 30 days<\/dd>/);
    const end = new Date();
    end.setUTCFullYear(end.getUTCFullYear() + 1);
    expect(page.text).toContain(`<dt>Ends</dt><dd>${shopDate(end.toISOString().slice(0, 10))}</dd>`);
    expect(page.text).toMatch(/<dt>Status<\/dt><dd><span class="badge badge-default status-active">active<\/span><\/dd>/);
    expect(page.text).toMatch(
      /<dt>Last charge<\/dt><dd>\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}\s[AP]M UTC <span class="muted">\(next one allowed from \w+ \d{1,2}, \d{4}\)/,
    );
    // The vault's own wording of the agreement, as the customer saw it beside the box.
    expect(mandate.consent.text).toMatch(/^Save this card and agree to recurring payments to .+: \$15\.00 per payment, every 30 days, until /);
    expect(page.text).toContain(mandate.consent.text.split(':')[0]);
    expect(page.text).toContain(`action="/cards/agreements/${mandate.id}/cancel"`);
    expect(page.text).toContain('>Cancel agreement</button>');
    expect(page.text).not.toContain(CARDS.visa);
  });

  it("cancels the customer's own agreement through the vault, and only that", async () => {
    const [mandate] = await mandatesOf('henry');
    // Another customer, another site, or an id that is no agreement: refused, and the vault keeps it.
    expect((await post(`/cards/agreements/${mandate!.id}/cancel`, {}, { customer: 'ivan' })).status).toBe(404);
    expect((await post(`/cards/agreements/${mandate!.id}/cancel`, {}, { customer: 'henry', origin: 'http://evil.example' })).status).toBe(403);
    expect((await post('/cards/agreements/nonsense/cancel', {}, { customer: 'henry' })).status).toBe(404);
    expect((await mandatesOf('henry'))[0]!.status).toBe('active');

    const res = await post(`/cards/agreements/${mandate!.id}/cancel`, {}, { customer: 'henry' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/cards?notice=cancelled');
    expect((await mandatesOf('henry'))[0]!.status).toBe('cancelled');
    const page = await request('/cards?notice=cancelled', { customer: 'henry' });
    expect(page.text).toContain('The agreement was cancelled');
    expect(page.text).toContain('status-cancelled">cancelled</span>');
    expect(page.text).not.toContain('>Cancel agreement</button>');
    // The vault told the customer; the outbox shows it.
    const outbox = await request('/outbox?customer=henry');
    expect(outbox.text).toContain('Agreement cancelled</h2>');
    expect(outbox.text).toContain('Your automatic payment agreement was cancelled');
  });

  it('sets up automatic payments: a card-on-file agreement (any time, up to $100.00) without a charge', async () => {
    const mandate = await setUpAutopay('ivan');
    expect(mandate).toMatchObject({ status: 'active', min_amount: 100, max_amount: 10000, frequency_days: 0, last_charge_at: null });
    const page = await request('/cards?notice=agreement', { customer: 'ivan' });
    expect(page.text).toContain('Automatic payments are set up');
    expect(page.text).toContain('$1.00 to $100.00 per charge, at any time</h3>');
    expect(page.text).toMatch(/<dt>Last charge<\/dt><dd>none yet<\/dd>/);
    expect((await v.api('GET', '/v1/charges?customer=ivan')).body.data).toEqual([]);
  });
});

describe('/admin: the merchant back office', () => {
  it('says what it is, that it has no login, and shows only the customer picker without a customer', async () => {
    const page = await request('/admin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Merchant back office (demo)</h1>');
    expect(page.text).toContain('this demo has no login');
    expect(page.text).toContain('secret key');
    expect(page.text).toContain('<form method="get" action="/admin"');
    expect(page.text).toContain('>Run the scheduler now</button>');
    expect(page.text).toContain('href="/webhooks"');
    expect(page.text).toContain('href="/outbox"');
    expect(page.text).not.toContain('Charge now');
    expect((await request('/admin?customer=bad%20one')).status).toBe(400);
  });

  it('shows the signed-in customer\'s agreements with "Charge now" prefilled with the maximum, and a fresh key per form', async () => {
    const page = await request('/admin', { customer: 'ivan' });
    const [mandate] = await mandatesOf('ivan');
    expect(page.text).toContain('Agreements of ivan');
    const fields = chargeForm(page.text, mandate!.id);
    expect(fields).toMatchObject({ customer: 'ivan', mandate: mandate!.id, card: mandate!.card, amount: '100.00' });
    expect(fields.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
    const again = chargeForm((await request('/admin?customer=ivan')).text, mandate!.id);
    expect(again.idempotency_key).not.toBe(fields.idempotency_key);
  });

  it('"Charge now" makes a merchant-initiated charge under the agreement, once per form however often it is sent', async () => {
    const [mandate] = await mandatesOf('ivan');
    const fields = chargeForm((await request('/admin?customer=ivan')).text, mandate!.id);
    const page = await adminAction('/admin/charge', fields);
    expect(resultOf(page.text)).toContain('Charge succeeded: $100.00');
    const charges = (await v.api('GET', '/v1/charges?customer=ivan')).body.data;
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ status: 'succeeded', amount: 10000, currency: 'USD', initiator: 'merchant', mandate: mandate!.id, card: mandate!.card });
    expect(charges[0].network_transaction_id).toMatch(/^ntid_/);
    expect(resultOf(page.text)).toContain(`Charge ${charges[0].id}, initiated by the merchant, under ${mandate!.id}`);
    // The recent charges and the agreement's last charge show it.
    expect(page.text).toContain(`data-charge="${charges[0].id}"`);
    expect((await mandatesOf('ivan'))[0]!.last_charge_at).not.toBeNull();

    // The same form again (a double click, a reload of the POST): the vault replays the first charge.
    const repeat = await adminAction('/admin/charge', fields);
    expect(resultOf(repeat.text)).toContain(`Charge ${charges[0].id}`);
    expect((await v.api('GET', '/v1/charges?customer=ivan')).body.data).toHaveLength(1);
    // A new form is a new charge.
    const next = chargeForm(repeat.text, mandate!.id);
    await adminAction('/admin/charge', { ...next, amount: '12.34' });
    const after = (await v.api('GET', '/v1/charges?customer=ivan')).body.data;
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({ amount: 1234, initiator: 'merchant' });
  });

  it("shows the vault's refusal when the agreement does not allow the charge, and records nothing", async () => {
    // The coffee club's first payment was taken at sign-up: the next one may follow in 30 days, not today.
    const mandate = await subscribe('judy');
    const fields = chargeForm((await request('/admin?customer=judy')).text, mandate.id);
    expect(fields.amount).toBe('15.00');
    const page = await adminAction('/admin/charge', fields);
    expect(resultOf(page.text)).toContain('Charge refused by the vault: mandate_violation');
    expect(resultOf(page.text)).toContain('The mandate allows one charge every 30 days');
    expect(resultOf(page.text)).toContain('no charge was recorded');
    const charges = (await v.api('GET', '/v1/charges?customer=judy')).body.data as { initiator: string }[];
    expect(charges.map((c) => c.initiator)).toEqual(['customer']);
    // Over the agreement's maximum: refused too.
    const over = await adminAction('/admin/charge', { ...chargeForm(page.text, mandate.id), amount: '15.01' });
    expect(resultOf(over.text)).toContain('mandate_violation');
  });

  it('shows a decline by the card network with its code, and the failed charge it recorded', async () => {
    const mandate = await setUpAutopay('kim', CARDS.declineAfterSave);
    const page = await adminAction('/admin/charge', chargeForm((await request('/admin?customer=kim')).text, mandate.id));
    expect(resultOf(page.text)).toContain('Charge declined: card_declined (generic_decline)');
    const charges = (await v.api('GET', '/v1/charges?customer=kim')).body.data;
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ status: 'failed', initiator: 'merchant', failure: { code: 'card_declined', decline_code: 'generic_decline' } });
    expect(resultOf(page.text)).toContain(`recorded the failed charge ${charges[0].id}`);
  });

  it('names the failed charge of each click when two declined "Charge now" clicks overlap', async () => {
    const mandate = await setUpAutopay('leo', CARDS.declineAfterSave);
    const fields = chargeForm((await request('/admin?customer=leo')).text, mandate.id);
    // The network between shop and vault holds the first click's answer until the second click's decline is recorded.
    let secondAnswered!: () => void;
    const secondDone = new Promise<void>((resolve) => (secondAnswered = resolve));
    let charges = 0;
    const vaultFetch = (async (input: Request) => {
      const isCharge = input.method === 'POST' && new URL(input.url).pathname === '/v1/charges';
      const nth = isCharge ? ++charges : 0;
      const res = await v.runtime.app.request(input, undefined, { incoming: { socket: { remoteAddress: '127.0.0.1' } } } as never);
      if (nth === 1) await secondDone;
      if (nth === 2) secondAnswered();
      return res;
    }) as typeof fetch;
    const office = createDemoApp({
      vaultUrl: VAULT,
      secretKey: v.merchant.secret_key,
      publishableKey: v.merchant.publishable_key,
      shopOrigin: SHOP,
      fetch: vaultFetch,
    });
    const [first, second] = await Promise.all([
      adminAction('/admin/charge', { ...fields, amount: '10.00', idempotency_key: `first-click-${'x'.repeat(12)}` }, office),
      adminAction('/admin/charge', { ...fields, amount: '12.00', idempotency_key: `second-click-${'x'.repeat(12)}` }, office),
    ]);
    const recorded = (await v.api('GET', '/v1/charges?customer=leo')).body.data as { id: string; amount: number; status: string }[];
    expect(recorded.map((c) => [c.amount, c.status]).sort()).toEqual([
      [1000, 'failed'],
      [1200, 'failed'],
    ]);
    const chargeOf = (amount: number) => recorded.find((c) => c.amount === amount)!.id;
    expect(resultOf(first.text)).toContain(`recorded the failed charge ${chargeOf(1000)} ($10.00`);
    expect(resultOf(second.text)).toContain(`recorded the failed charge ${chargeOf(1200)} ($12.00`);
  });

  it('refuses a charge form without an agreement or an amount, and one from another site', async () => {
    const [mandate] = await mandatesOf('ivan');
    const fields = chargeForm((await request('/admin?customer=ivan')).text, mandate!.id);
    expect((await post('/admin/charge', { ...fields, mandate: '' })).status).toBe(400);
    expect((await post('/admin/charge', { ...fields, amount: 'ten' })).status).toBe(400);
    expect((await post('/admin/charge', fields, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await v.api('GET', '/v1/charges?customer=ivan')).body.data).toHaveLength(2);
  });

  it('creates an invoice due in 2 days; the scheduler pays it from the default card and the outbox shows the approval', async () => {
    const due = todayPlus(2);
    const created = await adminAction('/admin/invoices', { customer: 'ivan', amount: '25.00', description: 'Beans for May' });
    expect(resultOf(created.text)).toContain('Invoice inv_');
    expect(resultOf(created.text)).toContain(`$25.00, due ${shopDate(due)}`);
    const invoices = (await v.api('GET', '/v1/invoices?customer=ivan')).body.data;
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ status: 'open', amount: 2500, currency: 'USD', due_date: due, description: 'Beans for May', auto_pay: true });
    expect(created.text).toContain(`data-invoice="${invoices[0].id}"`);
    expect(created.text).toContain('status-open">open</span>');

    const ran = await adminAction('/admin/scheduler', { customer: 'ivan' });
    expect(resultOf(ran.text)).toContain('The scheduler ran');
    expect(resultOf(ran.text)).toMatch(/Invoices charged: \d+ \(paid [1-9]\d*, failed \d+\)/);
    const paid = (await v.api('GET', `/v1/invoices/${invoices[0].id}`)).body;
    expect(paid).toMatchObject({ status: 'paid', attempts: 1 });
    expect(ran.text).toContain('status-paid">paid</span>');
    const charge = (await v.api('GET', `/v1/charges/${paid.charge}`)).body;
    expect(charge).toMatchObject({ status: 'succeeded', amount: 2500, initiator: 'merchant', order: invoices[0].id });

    const outbox = await request('/outbox?customer=ivan');
    expect(outbox.status).toBe(200);
    expect(outbox.text).toContain('Payment approved</h2>');
    expect(outbox.text).toContain('Payment approved: $25.00');
    expect(outbox.text).toContain('with your card ending in 4242 was approved');
    expect(outbox.text).toContain('For: Beans for May');
    expect(outbox.text).toMatch(/<dt>Status<\/dt><dd><span class="badge badge-warning status-queued">queued<\/span> <span class="muted">via outbox<\/span>/);
    expect(outbox.text).toMatch(/<dt>To<\/dt><dd>ivan<\/dd>/);
  });

  it('warns the customer before the due date when the automatic payment is declined', async () => {
    const due = todayPlus(2);
    await adminAction('/admin/invoices', { customer: 'kim', amount: '30.00', description: 'Kettle descaler' });
    await adminAction('/admin/scheduler', {});
    const [invoice] = (await v.api('GET', '/v1/invoices?customer=kim')).body.data;
    expect(invoice).toMatchObject({ status: 'open', failure_code: 'card_declined', attempts: 1 });
    const outbox = await request('/outbox?customer=kim');
    expect(outbox.text).toContain('Payment failed</h2>');
    expect(outbox.text).toContain('Action needed: we could not charge your card ending in 0341');
    expect(outbox.text).toContain(`The payment is due on ${longDate(due)}.`);
    const admin = await request('/admin?customer=kim');
    expect(admin.text).toContain('<span class="error">card_declined</span>');
  });
});

describe('/outbox', () => {
  it("lists every customer's messages newest first, filters by customer, and refuses a bad filter", async () => {
    const all = await request('/outbox');
    expect(all.status).toBe(200);
    expect(all.text).toContain('<h1>Outbox</h1>');
    const messages = (await v.api('GET', '/v1/messages?limit=100')).body.data as { id: string; customer: string }[];
    const shown = [...all.text.matchAll(/aria-labelledby="message-(msg_[A-Za-z0-9_-]+)"/g)].map((m) => m[1]);
    expect(shown).toEqual(messages.map((m) => m.id));
    // Invoices' messages, and a card_saved message for every customer who saved a card.
    expect([...new Set(messages.map((m) => m.customer))]).toEqual(expect.arrayContaining(['henry', 'ivan', 'kim']));
    const kim = await request('/outbox?customer=kim');
    expect(kim.text).not.toContain('<dd>ivan</dd>');
    expect((await request('/outbox?customer=%3Cb%3E')).status).toBe(400);
  });
});

describe('/webhooks', () => {
  const event = (id: string, type = 'charge.succeeded') =>
    JSON.stringify({ id, type, created: new Date().toISOString(), data: { charge: 'ch_test', amount: 1500, currency: 'USD' } });
  const now = () => Math.floor(Date.now() / 1000);

  async function deliver(body: string, signature: string | undefined, options: { app?: Hono; contentType?: string } = {}) {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json', 'user-agent': 'card-vault-webhooks/1' };
    if (signature !== undefined) headers['checkout-signature'] = signature;
    const res = await (options.app ?? shop).request(`${SHOP}/webhooks`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('accepts a delivery signed with the webhook secret and shows it, verified, with its data', async () => {
    const body = event('evt_demo_1');
    const res = await deliver(body, signatureHeader([v.merchant.webhook_secret], now(), body));
    expect(res).toEqual({ status: 200, body: { received: true, id: 'evt_demo_1', duplicate: false } });
    const page = await request('/webhooks');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<code>charge.succeeded</code>');
    expect(page.text).toContain('<code>evt_demo_1</code>');
    expect(page.text).toContain('signature verified ✓');
    expect(page.text).toContain('&quot;amount&quot;: 1500,');
    expect(page.text).not.toContain('Signature verification is off');
  });

  it('counts a redelivery once, and shows the newest first', async () => {
    const body = event('evt_demo_2', 'mandate.created');
    const sig = signatureHeader([v.merchant.webhook_secret], now(), body);
    expect((await deliver(body, sig)).body).toMatchObject({ duplicate: false });
    expect((await deliver(body, sig)).body).toMatchObject({ duplicate: true });
    const page = await request('/webhooks');
    const ids = [...page.text.matchAll(/<dt>Event<\/dt><dd><code>(evt_demo_\d)<\/code>/g)].map((m) => m[1]);
    expect(ids).toEqual(['evt_demo_2', 'evt_demo_1']);
  });

  it('refuses with 400 a wrong secret, a changed body, an old timestamp and a missing header, and keeps none', async () => {
    const body = event('evt_forged');
    expect((await deliver(body, signatureHeader(['whsec_wrong'], now(), body))).status).toBe(400);
    expect((await deliver(body.replace('1500', '9999'), signatureHeader([v.merchant.webhook_secret], now(), body))).status).toBe(400);
    const old = await deliver(body, signatureHeader([v.merchant.webhook_secret], now() - 3600, body));
    expect(old).toMatchObject({ status: 400, body: { error: 'timestamp_out_of_tolerance' } });
    expect((await deliver(body, undefined)).body).toMatchObject({ error: 'missing_header' });
    expect((await request('/webhooks')).text).not.toContain('evt_forged');
  });

  it('is not blocked by the form check: a delivery carries no Origin, whatever its content type', async () => {
    const body = event('evt_demo_3');
    const res = await deliver(body, signatureHeader([v.merchant.webhook_secret], now(), body), { contentType: 'text/plain' });
    expect(res.status).toBe(200);
    // Every other form post still needs the shop's origin.
    expect((await post('/admin/scheduler', {}, { origin: null, customer: 'ivan' })).status).toBe(403);
  });

  it('without a secret, warns on the page and shows deliveries as not verified', async () => {
    const body = event('evt_unverified');
    expect((await deliver(body, undefined, { app: unverifiedShop })).status).toBe(200);
    expect((await deliver('not json', undefined, { app: unverifiedShop })).status).toBe(400);
    const page = await request('/webhooks', { app: unverifiedShop });
    expect(page.text).toContain('Signature verification is off');
    expect(page.text).toContain('signature NOT verified');
    expect(page.text).not.toContain('signature verified ✓');
  });
});

describe('navigation', () => {
  it("links the shop's pages from every page, and the merchant's pages from the back office", async () => {
    const links = (text: string, label: string) =>
      [...text.match(new RegExp(`<nav[^>]*aria-label="${label}">[\\s\\S]*?</nav>`))![0].matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map(
        (m) => `${m[2]} ${m[1]}`,
      );
    const page = await request('/');
    expect(links(page.text, 'Main')).toEqual(['Shop /', 'My cards /cards', 'Coffee club /subscribe', 'Back office /admin']);
    expect(page.text).not.toContain('aria-label="Back office"');
    // The no-code checkout is linked from the shop window.
    expect(page.text).toContain('<a href="/no-code">no-code checkout</a>');
    const outbox = (await request('/outbox')).text;
    expect(links(outbox, 'Back office')).toEqual(['Customers /admin', 'Webhooks /webhooks', 'Outbox /outbox']);
    expect(outbox).toMatch(/<a href="\/outbox" aria-current="page">Outbox<\/a>/);
    expect(outbox).toMatch(/<a href="\/admin" aria-current="page">Back office<\/a>/);
  });
});

describe('static files', () => {
  it('serves the stylesheet and the client scripts, and nothing else from the disk', async () => {
    const css = await request('/shop.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    for (const file of ['checkout.js', 'add-card.js', 'subscribe.js', 'autopay.js', 'fields-page.js', 'cards.js', 'no-code.js']) {
      const res = await request(`/client/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('javascript');
      expect(res.text).not.toContain('innerHTML');
    }
    expect((await request('/client/..%2Fserver.ts')).status).toBe(404);
    expect((await request('/nowhere')).status).toBe(404);
  });

  it('answers the icon browsers ask for with 204, not a 404', async () => {
    expect((await request('/favicon.ico')).status).toBe(204);
  });
});

it('never sends the secret key in any page', () => {
  expect(served.length).toBeGreaterThan(30);
  for (const { path, text } of served) {
    expect(text.includes('sk_test_'), path).toBe(false);
    expect(text.includes(v.merchant.secret_key), path).toBe(false);
  }
});
