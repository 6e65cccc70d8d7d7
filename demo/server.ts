// The demo merchant shop: a Hono server on its own origin that holds the merchant's secret key,
// opens checkout sessions with the vault, verifies them before confirming orders, and manages the
// signed-in customer's saved cards and agreements. Pages get only the publishable key and a session's
// client secret. It also plays the merchant's back office (/admin), receives the vault's webhooks
// (/webhooks) and shows the messages the vault wrote to customers (/outbox).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { CustomerNumber } from '../protocol/api.ts';
import { AUTOPAY, SUBSCRIPTION, daysAfter, findProduct, formatDate, formatMoney, newOrderNumber, oneYearAfter, parseMoney, PRODUCTS } from './catalog.ts';
import { APPEARANCE, parseLocale, type FieldsConfig } from './fields-parts.ts';
import type { PageContext } from './layout.ts';
import { addCardPage } from './pages/add-card.ts';
import { adminPage, type AdminFlash } from './pages/admin.ts';
import { autopayPage } from './pages/autopay.ts';
import { cardsPage, type CardsNotice } from './pages/cards.ts';
import { checkoutPage } from './pages/checkout.ts';
import { confirmationPage } from './pages/confirmation.ts';
import { homePage } from './pages/home.ts';
import { messagePage } from './pages/message.ts';
import { noCodePage } from './pages/no-code.ts';
import { outboxPage } from './pages/outbox.ts';
import { signInPage } from './pages/sign-in.ts';
import { subscribePage } from './pages/subscribe.ts';
import { webhooksPage } from './pages/webhooks.ts';
import { createVaultClient, VaultError } from './vault-client.ts';
import { createWebhookInbox, SIGNATURE_HEADER } from './webhook-inbox.ts';

export interface DemoOptions {
  /** The vault's public origin: the shop's server calls its API there and pages load checkout.js from it. */
  vaultUrl: string;
  /** Server-side only: never rendered into a page. */
  secretKey: string;
  publishableKey: string;
  /** Where customers open the shop (an allowed origin of the merchant), e.g. http://localhost:3000. */
  shopOrigin: string;
  /** How the shop's server reaches the vault; tests hand it the vault's `app.request`. */
  fetch?: typeof fetch;
  /**
   * The merchant's webhook signing secret: POST /webhooks verifies every delivery with it. Without
   * it deliveries are shown unverified, under a warning.
   */
  webhookSecret?: string;
}

const DEMO_DIR = import.meta.dirname;
const COOKIE = 'shop_customer';
const CARD_TOKEN = /^card_[A-Za-z0-9_-]{1,64}$/;
const SESSION_ID = /^cs_[A-Za-z0-9_-]{1,100}$/;
const MANDATE_ID = /^mdt_[A-Za-z0-9_-]{1,64}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,64}$/;
const NOTICES: readonly CardsNotice[] = ['deleted', 'default', 'added', 'agreement', 'cancelled'];
/** The largest webhook body the receiver reads (the vault's events are far smaller). */
const MAX_WEBHOOK_BODY = 1024 * 1024;
/** Results of back-office actions waiting for the page that follows the redirect. */
const MAX_FLASHES = 200;
const DEFAULT_INVOICE = { amount: 2500, description: 'Coffee beans, next delivery' };
/** Order numbers the shop has handed out, with what they were for; a real shop has a database. */
const MAX_ORDERS = 10_000;

function readClientScripts(): Map<string, string> {
  const dir = path.join(DEMO_DIR, 'client');
  return new Map(fs.readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** A local path to come back to after signing in; anything else (`//evil`, `https://…`) goes home. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

function isCustomerNumber(value: unknown): value is string {
  return typeof value === 'string' && CustomerNumber.safeParse(value).success;
}

export function createDemoApp(options: DemoOptions): Hono {
  const vault = createVaultClient({ vaultUrl: options.vaultUrl, secretKey: options.secretKey, fetch: options.fetch });
  const vaultOrigin = new URL(options.vaultUrl).origin;
  const shopOrigin = new URL(options.shopOrigin).origin;
  const secureCookie = shopOrigin.startsWith('https:');
  const scripts = readClientScripts();
  const css = fs.readFileSync(path.join(DEMO_DIR, 'shop.css'), 'utf8');
  const orders = new Map<string, string>();
  const flashes = new Map<string, AdminFlash>();
  const inbox = createWebhookInbox({ secret: options.webhookSecret });
  if (!options.webhookSecret) console.warn('demo shop: no webhook secret given, so POST /webhooks accepts deliveries without verifying them');

  /** Keeps an action's result for the page after the redirect (POST, redirect, GET: a reload repeats nothing). */
  const flash = (value: AdminFlash): string => {
    if (flashes.size >= MAX_FLASHES) flashes.delete(flashes.keys().next().value!);
    const id = crypto.randomBytes(9).toString('base64url');
    flashes.set(id, value);
    return id;
  };
  const adminUrl = (customer: string | undefined, result?: string) => {
    const q = new URLSearchParams();
    if (customer) q.set('customer', customer);
    if (result) q.set('result', result);
    const text = q.toString();
    return text ? `/admin?${text}` : '/admin';
  };

  const rememberOrder = (order: string, item: string) => {
    if (orders.size >= MAX_ORDERS) orders.delete(orders.keys().next().value!);
    orders.set(order, item);
  };

  const signedIn = (c: Context): string | undefined => {
    const value = getCookie(c, COOKIE);
    return isCustomerNumber(value) ? value : undefined;
  };
  const pageContext = (c: Context): PageContext => {
    const url = new URL(c.req.url);
    return { customer: signedIn(c), path: url.pathname + url.search };
  };
  const fieldsConfig = (clientSecret: string, locale: FieldsConfig['locale']): FieldsConfig => ({
    publishableKey: options.publishableKey,
    clientSecret,
    locale,
    appearance: APPEARANCE,
    title: 'Secure card payment',
  });
  const signInFirst = (c: Context) => c.redirect(`/sign-in?next=${encodeURIComponent(pageContext(c).path)}`, 303);

  /** The vault refused or could not be reached: say so plainly, with the vault's own message. */
  const vaultFailure = (c: Context, err: unknown, title: string, back?: { href: string; label: string }) => {
    if (!(err instanceof VaultError)) throw err;
    const status = err.status === 0 || err.status >= 500 ? 502 : err.status === 404 ? 404 : 400;
    console.error(`demo shop: vault answered ${err.status} ${err.error.code}: ${err.error.message}`);
    return c.html(messagePage(pageContext(c), { title, message: err.error.message, detail: `Vault error code: ${err.error.code}`, back }), status);
  };

  const app = new Hono();

  app.use('*', async function securityHeaders(c, next) {
    await next();
    // Scripts and frames only from the shop itself and the vault; the widget sizes its iframe with inline styles.
    c.header('Content-Security-Policy', [
      "default-src 'self'",
      `script-src 'self' ${vaultOrigin}`,
      `frame-src ${vaultOrigin}`,
      `connect-src 'self' ${vaultOrigin}`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '));
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    // Pages carry client secrets and customer data: no cache keeps them.
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  // Forms that change something come only from the shop's own pages; the vault's webhook deliveries
  // come from the vault's server, carry no Origin, and are authenticated by their signature instead.
  const csrfCheck = csrf({ origin: (origin, c) => origin === shopOrigin || origin === new URL(c.req.url).origin });
  app.use('*', (c, next) => (c.req.path === '/webhooks' ? next() : csrfCheck(c, next)));

  app.get('/shop.css', (c) => c.body(css, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' }));
  app.get('/client/:file', (c) => {
    const body = scripts.get(c.req.param('file'));
    if (body === undefined) return c.text('Not found', 404);
    return c.body(body, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' });
  });

  app.get('/', (c) => c.html(homePage(pageContext(c))));

  // ---- The demo sign-in: a customer number in a cookie, no password ----

  app.get('/sign-in', (c) => c.html(signInPage(pageContext(c), { next: safeNext(c.req.query('next')) })));
  app.post('/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const customer = typeof form.customer === 'string' ? form.customer.trim() : '';
    if (!isCustomerNumber(customer)) {
      const error = 'A customer number is 1 to 32 letters, digits or . _ @ - (and is not a card number).';
      return c.html(signInPage(pageContext(c), { next, error, value: customer }), 400);
    }
    setCookie(c, COOKIE, customer, { path: '/', httpOnly: true, sameSite: 'Lax', secure: secureCookie, maxAge: 30 * 24 * 3600 });
    return c.redirect(next, 303);
  });
  app.post('/sign-out', (c) => {
    deleteCookie(c, COOKIE, { path: '/', secure: secureCookie });
    return c.redirect('/', 303);
  });

  // ---- Paying: the shop's server opens the session, the vault's fields take the card ----

  app.get('/checkout', async (c) => {
    const ctx = pageContext(c);
    const product = findProduct(c.req.query('product'));
    if (!product) {
      return c.html(messagePage(ctx, { title: 'No such product', message: `Choose one of our ${PRODUCTS.length} products in the shop.` }), 404);
    }
    const locale = parseLocale(c.req.query('locale'));
    const order = newOrderNumber();
    try {
      const session = await vault.createSession({ amount: product.amount, currency: product.currency, order, ...(ctx.customer ? { customer: ctx.customer } : {}) });
      rememberOrder(order, product.name);
      return c.html(checkoutPage(ctx, { product, order, locale, vaultUrl: vault.url, config: fieldsConfig(session.client_secret, locale) }));
    } catch (err) {
      return vaultFailure(c, err, 'Checkout is unavailable');
    }
  });

  app.get('/no-code', async (c) => {
    const ctx = pageContext(c);
    const product = findProduct(c.req.query('product')) ?? PRODUCTS[0]!;
    const locale = parseLocale(c.req.query('locale'));
    const order = newOrderNumber();
    try {
      const session = await vault.createSession({ amount: product.amount, currency: product.currency, order, ...(ctx.customer ? { customer: ctx.customer } : {}) });
      rememberOrder(order, product.name);
      return c.html(noCodePage(ctx, { product, order, vaultUrl: vault.url, publishableKey: options.publishableKey, clientSecret: session.client_secret, locale }));
    } catch (err) {
      return vaultFailure(c, err, 'Checkout is unavailable');
    }
  });

  app.get('/subscribe', async (c) => {
    const ctx = pageContext(c);
    if (!ctx.customer) return signInFirst(c);
    const locale = parseLocale(c.req.query('locale'));
    const order = newOrderNumber();
    const endDate = oneYearAfter(new Date());
    try {
      const session = await vault.createSession({
        amount: SUBSCRIPTION.amount,
        currency: SUBSCRIPTION.currency,
        customer: ctx.customer,
        order,
        recurring: { min_amount: SUBSCRIPTION.amount, max_amount: SUBSCRIPTION.amount, frequency_days: SUBSCRIPTION.frequencyDays, end_date: endDate },
      });
      rememberOrder(order, SUBSCRIPTION.name);
      return c.html(subscribePage(ctx, { locale, endDate, order, vaultUrl: vault.url, config: fieldsConfig(session.client_secret, locale) }));
    } catch (err) {
      return vaultFailure(c, err, 'Subscriptions are unavailable');
    }
  });

  /**
   * The widget's result is only a hint: the order is confirmed once the vault itself says that this
   * merchant's session is complete, and only to the customer it was opened for.
   */
  app.post('/orders/confirm', async (c) => {
    const ctx = pageContext(c);
    let sessionId: unknown;
    if ((c.req.header('content-type') ?? '').includes('application/json')) {
      sessionId = ((await c.req.json().catch(() => ({}))) as { session?: unknown }).session;
    } else {
      sessionId = (await c.req.parseBody()).session;
    }
    if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) {
      return c.html(messagePage(ctx, { title: 'No payment to confirm', message: 'The request named no checkout session.' }), 400);
    }
    let session;
    try {
      session = await vault.getSession(sessionId);
    } catch (err) {
      if (err instanceof VaultError && err.status === 404) {
        return c.html(messagePage(ctx, { title: 'Payment not found', message: 'The card vault knows no payment of this shop with that reference.' }), 404);
      }
      return vaultFailure(c, err, 'The payment cannot be checked');
    }
    if (session.customer !== null && session.customer !== ctx.customer) {
      return c.html(messagePage(ctx, { title: 'Payment not found', message: 'This payment belongs to another customer. Sign in as that customer to see it.' }), 403);
    }
    if (session.status !== 'complete') {
      const message = session.status === 'expired'
        ? 'This checkout expired before it was paid. Nothing was charged; please start again.'
        : 'This checkout has not been paid yet, so there is no order to confirm.';
      return c.html(messagePage(ctx, { title: 'Payment not complete', message }), 409);
    }
    if (session.mode === 'setup') return c.redirect(`/cards?notice=${session.recurring ? 'agreement' : 'added'}`, 303);
    return c.html(confirmationPage(ctx, session, session.order ? orders.get(session.order) : undefined));
  });

  // ---- Saved cards: listed, made default and deleted by the shop's server with its secret key ----

  app.get('/cards', async (c) => {
    const ctx = pageContext(c);
    if (!ctx.customer) return signInFirst(c);
    const notice = NOTICES.find((n) => n === c.req.query('notice'));
    try {
      const [cards, mandates] = await Promise.all([vault.listCards(ctx.customer), vault.listMandates(ctx.customer)]);
      return c.html(cardsPage(ctx, { cards: cards.data, mandates: mandates.data, today: daysAfter(new Date(), 0), notice }));
    } catch (err) {
      return vaultFailure(c, err, 'Your cards cannot be shown');
    }
  });

  app.get('/cards/new', async (c) => {
    const ctx = pageContext(c);
    if (!ctx.customer) return signInFirst(c);
    const locale = parseLocale(c.req.query('locale'));
    try {
      const session = await vault.createSession({ mode: 'setup', customer: ctx.customer });
      return c.html(addCardPage(ctx, { locale, vaultUrl: vault.url, config: fieldsConfig(session.client_secret, locale) }));
    } catch (err) {
      return vaultFailure(c, err, 'Cards cannot be added now', { href: '/cards', label: 'Back to my cards' });
    }
  });

  const cardAction = (action: 'default' | 'delete') => async (c: Context) => {
    const ctx = pageContext(c);
    if (!ctx.customer) return signInFirst(c);
    const token = c.req.param('token') ?? '';
    const back = { href: '/cards', label: 'Back to my cards' };
    if (!CARD_TOKEN.test(token)) return c.html(messagePage(ctx, { title: 'No such card', message: 'That card is not among your saved cards.', back }), 404);
    try {
      if (action === 'default') await vault.makeDefault(ctx.customer, token);
      else await vault.deleteCard(ctx.customer, token);
    } catch (err) {
      return vaultFailure(c, err, action === 'default' ? 'The default card was not changed' : 'The card was not deleted', back);
    }
    return c.redirect(`/cards?notice=${action === 'default' ? 'default' : 'deleted'}`, 303);
  };
  app.post('/cards/:token/default', cardAction('default'));
  app.post('/cards/:token/delete', cardAction('delete'));

  /**
   * The vault cancels any mandate of the merchant's group by id: the shop first makes sure that this
   * one is the signed-in customer's own.
   */
  app.post('/cards/agreements/:id/cancel', async (c) => {
    const ctx = pageContext(c);
    if (!ctx.customer) return signInFirst(c);
    const id = c.req.param('id');
    const back = { href: '/cards', label: 'Back to my cards' };
    const missing = () => c.html(messagePage(ctx, { title: 'No such agreement', message: 'That agreement is not among yours.', back }), 404);
    if (!MANDATE_ID.test(id)) return missing();
    try {
      const { data } = await vault.listMandates(ctx.customer);
      if (!data.some((m) => m.id === id)) return missing();
      await vault.cancelMandate(id);
    } catch (err) {
      return vaultFailure(c, err, 'The agreement was not cancelled', back);
    }
    return c.redirect('/cards?notice=cancelled', 303);
  });

  // ---- Automatic payments: a card-on-file agreement (frequency_days 0) for invoices ----

  app.get('/autopay', async (c) => {
    const ctx = pageContext(c);
    if (!ctx.customer) return signInFirst(c);
    const locale = parseLocale(c.req.query('locale'));
    const endDate = oneYearAfter(new Date());
    try {
      const session = await vault.createSession({
        mode: 'setup',
        currency: AUTOPAY.currency,
        customer: ctx.customer,
        recurring: { min_amount: AUTOPAY.minAmount, max_amount: AUTOPAY.maxAmount, frequency_days: 0, end_date: endDate },
      });
      return c.html(autopayPage(ctx, { locale, endDate, vaultUrl: vault.url, config: fieldsConfig(session.client_secret, locale) }));
    } catch (err) {
      return vaultFailure(c, err, 'Automatic payments cannot be set up now', { href: '/cards', label: 'Back to my cards' });
    }
  });

  // ---- The merchant's back office (demo: no staff login) ----

  app.get('/admin', async (c) => {
    const ctx = pageContext(c);
    const asked = c.req.query('customer');
    const result = c.req.query('result');
    const data = {
      cards: [], mandates: [], invoices: [], charges: [],
      today: daysAfter(new Date(), 0),
      dueDate: daysAfter(new Date(), 2),
      flash: result ? flashes.get(result) : undefined,
      newKey: () => crypto.randomUUID(),
      defaultInvoice: DEFAULT_INVOICE,
    };
    let customer: string | undefined = ctx.customer;
    if (asked !== undefined && asked.trim() !== '') {
      customer = asked.trim();
      if (!isCustomerNumber(customer)) {
        return c.html(adminPage(ctx, { ...data, customerError: 'A customer number is 1 to 32 letters, digits or . _ @ - (and is not a card number).' }), 400);
      }
    }
    try {
      const merchant = await vault.getMerchant();
      if (!customer) return c.html(adminPage(ctx, { ...data, merchant }));
      const [cards, mandates, invoices, charges] = await Promise.all([
        vault.listCards(customer), vault.listMandates(customer), vault.listInvoices(customer), vault.listCharges(customer),
      ]);
      return c.html(adminPage(ctx, { ...data, merchant, customer, cards: cards.data, mandates: mandates.data, invoices: invoices.data, charges: charges.data }));
    } catch (err) {
      return vaultFailure(c, err, 'The back office cannot be shown', { href: '/admin', label: 'Back office' });
    }
  });

  /** "Charge now": a merchant-initiated charge of the agreement's card, in USD, with the form's Idempotency-Key. */
  app.post('/admin/charge', async (c) => {
    const ctx = pageContext(c);
    const form = await c.req.parseBody();
    const customer = form.customer;
    const amount = parseMoney(form.amount);
    const back = { href: adminUrl(isCustomerNumber(customer) ? customer : undefined), label: 'Back to the back office' };
    if (!isCustomerNumber(customer) || typeof form.mandate !== 'string' || !MANDATE_ID.test(form.mandate) || typeof form.card !== 'string' || !CARD_TOKEN.test(form.card)) {
      return c.html(messagePage(ctx, { title: 'Nothing to charge', message: 'The form named no customer, agreement and card.', back }), 400);
    }
    if (amount === undefined) {
      return c.html(messagePage(ctx, { title: 'No amount', message: 'Enter the amount to charge in USD, such as 15.00.', back }), 400);
    }
    const key = typeof form.idempotency_key === 'string' && IDEMPOTENCY_KEY.test(form.idempotency_key) ? form.idempotency_key : crypto.randomUUID();
    const what = `${formatMoney(amount, 'USD')} to ${customer}'s card under ${form.mandate}`;
    let result: AdminFlash;
    try {
      const charge = await vault.createCharge({ customer, card: form.card, amount, currency: 'USD', mandate: form.mandate }, key);
      result = { kind: 'success', title: `Charge succeeded: ${formatMoney(charge.amount, charge.currency)}`, lines: [
        `Charge ${charge.id}, initiated by the ${charge.initiator}, under ${charge.mandate ?? 'no agreement'}.`,
        `Network transaction id ${charge.network_transaction_id ?? '—'}.`,
      ] };
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      const e = err.error;
      if (e.charge) {
        result = { kind: 'error', title: `Charge declined: ${e.code}${e.decline_code ? ` (${e.decline_code})` : ''}`, lines: [
          `${e.message} The vault recorded the failed charge ${e.charge} (${what}).`,
        ] };
      } else if (err.status === 402) {
        result = { kind: 'error', title: `Charge refused by the vault: ${e.code}`, lines: [`${e.message} Nothing was sent to the card network and no charge was recorded (${what}).`] };
      } else {
        result = { kind: 'error', title: `The charge could not be made: ${e.code}`, lines: [`${e.message} (${what})`] };
      }
    }
    return c.redirect(adminUrl(customer, flash(result)), 303);
  });

  app.post('/admin/invoices', async (c) => {
    const ctx = pageContext(c);
    const form = await c.req.parseBody();
    const customer = form.customer;
    const amount = parseMoney(form.amount);
    const description = typeof form.description === 'string' && form.description.trim() ? form.description.trim().slice(0, 200) : undefined;
    const back = { href: adminUrl(isCustomerNumber(customer) ? customer : undefined), label: 'Back to the back office' };
    if (!isCustomerNumber(customer)) return c.html(messagePage(ctx, { title: 'No customer', message: 'The form named no customer to invoice.', back }), 400);
    if (amount === undefined) return c.html(messagePage(ctx, { title: 'No amount', message: 'Enter the invoice amount in USD, such as 25.00.', back }), 400);
    const dueDate = daysAfter(new Date(), 2);
    let result: AdminFlash;
    try {
      const invoice = await vault.createInvoice({ customer, amount, currency: 'USD', due_date: dueDate, auto_pay: true, ...(description ? { description } : {}) });
      result = { kind: 'success', title: `Invoice ${invoice.id} created: ${formatMoney(invoice.amount, invoice.currency)}, due ${formatDate(invoice.due_date)}`, lines: [
        "It is paid automatically from the customer's default card under an active agreement. Run the scheduler to try it now.",
      ] };
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      result = { kind: 'error', title: `The invoice was not created: ${err.error.code}`, lines: [err.error.message] };
    }
    return c.redirect(adminUrl(customer, flash(result)), 303);
  });

  app.post('/admin/scheduler', async (c) => {
    const form = await c.req.parseBody();
    const customer = isCustomerNumber(form.customer) ? form.customer : undefined;
    let result: AdminFlash;
    try {
      const run = await vault.runScheduler();
      result = { kind: run.failed > 0 ? 'info' : 'success', title: 'The scheduler ran', lines: [
        `Invoices charged: ${run.charged} (paid ${run.paid}, failed ${run.failed}).`,
        `Invoices now past due: ${run.past_due}. Agreements ended: ${run.mandates_ended}. Cards announced as expiring: ${run.expiring}.`,
      ] };
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      result = { kind: 'error', title: `The scheduler did not run: ${err.error.code}`, lines: [err.error.message] };
    }
    return c.redirect(adminUrl(customer, flash(result)), 303);
  });

  // ---- Customer messages the vault wrote (the outbox) ----

  app.get('/outbox', async (c) => {
    const ctx = pageContext(c);
    const asked = c.req.query('customer')?.trim() || undefined;
    if (asked !== undefined && !isCustomerNumber(asked)) {
      return c.html(outboxPage(ctx, { messages: [], customerError: 'A customer number is 1 to 32 letters, digits or . _ @ -.' }), 400);
    }
    try {
      const { data } = await vault.listMessages(asked, 100);
      return c.html(outboxPage(ctx, { messages: data, customer: asked }));
    } catch (err) {
      return vaultFailure(c, err, 'The outbox cannot be shown');
    }
  });

  // ---- The webhook receiver ----

  app.post('/webhooks', async (c) => {
    const length = Number(c.req.header('content-length') ?? 0);
    if (length > MAX_WEBHOOK_BODY) return c.json({ error: 'body_too_large' }, 413);
    // The raw bytes: the signature covers exactly what was sent, not JSON parsed and written again.
    const raw = Buffer.from(await c.req.arrayBuffer());
    if (raw.length > MAX_WEBHOOK_BODY) return c.json({ error: 'body_too_large' }, 413);
    const outcome = inbox.receive(raw, c.req.header(SIGNATURE_HEADER));
    if (outcome.status === 400) {
      console.warn(`demo shop: webhook refused (${outcome.reason}): ${outcome.message}`);
      return c.json({ error: outcome.reason, message: outcome.message }, 400);
    }
    return c.json({ received: true, id: outcome.event.id, duplicate: outcome.duplicate }, 200);
  });
  app.get('/webhooks', (c) => c.html(webhooksPage(pageContext(c), { events: inbox.list(), verifying: inbox.verifying, endpoint: `${shopOrigin}/webhooks` })));

  app.notFound((c) => c.html(messagePage(pageContext(c), { title: 'Page not found', message: 'There is no such page in this shop.' }), 404));
  app.onError((err, c) => {
    // The CSRF check's refusal (403) is an answer, not a fault.
    if (err instanceof HTTPException) return err.getResponse();
    console.error('demo shop: unexpected error', err);
    return c.html(messagePage(pageContext(c), { title: 'Something went wrong', message: 'The shop could not finish this request. Please try again.' }), 500);
  });
  return app;
}

export async function startDemo(options: DemoOptions & { port: number; host?: string }): Promise<{ url: string; close(): Promise<void> }> {
  const app = createDemoApp(options);
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host ?? '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  return {
    url: new URL(options.shopOrigin).origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }),
  };
}
