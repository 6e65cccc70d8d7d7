// The demo merchant shop: a Hono server on its own origin that holds the merchant's secret key,
// opens checkout sessions with the vault, verifies them before confirming orders, and manages the
// signed-in customer's saved cards. Pages get only the publishable key and a session's client secret.
import fs from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { CustomerNumber } from '../protocol/api.ts';
import { SUBSCRIPTION, findProduct, newOrderNumber, oneYearAfter, PRODUCTS } from './catalog.ts';
import { APPEARANCE, parseLocale, type FieldsConfig } from './fields-parts.ts';
import type { PageContext } from './layout.ts';
import { addCardPage } from './pages/add-card.ts';
import { cardsPage, type CardsNotice } from './pages/cards.ts';
import { checkoutPage } from './pages/checkout.ts';
import { confirmationPage } from './pages/confirmation.ts';
import { homePage } from './pages/home.ts';
import { messagePage } from './pages/message.ts';
import { noCodePage } from './pages/no-code.ts';
import { signInPage } from './pages/sign-in.ts';
import { subscribePage } from './pages/subscribe.ts';
import { createVaultClient, VaultError } from './vault-client.ts';

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
}

const DEMO_DIR = import.meta.dirname;
const COOKIE = 'shop_customer';
const CARD_TOKEN = /^card_[A-Za-z0-9_-]{1,64}$/;
const SESSION_ID = /^cs_[A-Za-z0-9_-]{1,100}$/;
const NOTICES: readonly CardsNotice[] = ['deleted', 'default', 'added'];
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
  // Forms that change something come only from the shop's own pages.
  app.use('*', csrf({ origin: (origin, c) => origin === shopOrigin || origin === new URL(c.req.url).origin }));

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
    if (session.mode === 'setup' && !session.recurring) return c.redirect('/cards?notice=added', 303);
    return c.html(confirmationPage(ctx, session, session.order ? orders.get(session.order) : undefined));
  });

  // ---- Saved cards: listed, made default and deleted by the shop's server with its secret key ----

  app.get('/cards', async (c) => {
    const ctx = pageContext(c);
    if (!ctx.customer) return signInFirst(c);
    const notice = NOTICES.find((n) => n === c.req.query('notice'));
    try {
      const { data } = await vault.listCards(ctx.customer);
      return c.html(cardsPage(ctx, { cards: data, notice }));
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
