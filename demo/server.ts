// The demo merchant shop: a Hono server on its own origin that holds the merchant's secret key,
// opens checkout sessions with the vault, verifies them before confirming orders, and manages the
// signed-in customer's saved cards and agreements. Pages get only the publishable key and a session's
// client secret. It also plays the merchant's back office (/admin), receives the vault's webhooks
// (/webhooks) and shows the messages the vault wrote to customers (/outbox). This file builds what the
// pages share and mounts one module per page from routes/.
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { APPEARANCE } from './fields-parts.ts';
import { messagePage } from './pages/message.ts';
import { adminRoutes } from './routes/admin.ts';
import { agreementRoutes } from './routes/agreements.ts';
import { assetRoutes } from './routes/assets.ts';
import { cardRoutes } from './routes/cards.ts';
import { checkoutRoutes } from './routes/checkout.ts';
import { isCustomerNumber, type ShopContext } from './routes/context.ts';
import { homeRoutes } from './routes/home.ts';
import { noCodeRoutes } from './routes/no-code.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { signInRoutes } from './routes/sign-in.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { securityHeaders } from './security-headers.ts';
import { connectVault, vaultProblem } from './vault-connection.ts';
import { otherMerchantName } from './merchant-name.ts';
import { SHOP_NAME } from './catalog.ts';
import { createWebhookInbox } from './webhook-inbox.ts';

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

const COOKIE = 'shop_customer';
/** Order numbers the shop has handed out, with what they were for; a real shop has a database. */
const MAX_ORDERS = 10_000;

function createShopContext(options: DemoOptions): ShopContext {
  const vault = connectVault({ vaultUrl: options.vaultUrl, secretKey: options.secretKey, fetch: options.fetch });
  const shopOrigin = new URL(options.shopOrigin).origin;
  const secureCookie = shopOrigin.startsWith('https:');
  const cookie = { path: '/', httpOnly: true, sameSite: 'Lax', secure: secureCookie, maxAge: 30 * 24 * 3600 } as const;
  const orders = new Map<string, string>();
  const inbox = createWebhookInbox({ secret: options.webhookSecret });
  if (!options.webhookSecret) console.warn('demo shop: no webhook secret given, so POST /webhooks accepts deliveries without verifying them');

  const signedIn = (c: Context): string | undefined => {
    const value = getCookie(c, COOKIE);
    return isCustomerNumber(value) ? value : undefined;
  };
  const pageContext = (c: Context) => {
    const url = new URL(c.req.url);
    return { customer: signedIn(c), path: url.pathname + url.search };
  };
  return {
    vault,
    vaultUrl: options.vaultUrl.replace(/\/+$/, ''),
    publishableKey: options.publishableKey,
    shopOrigin,
    inbox,
    orders: {
      remember(order, item) {
        if (orders.size >= MAX_ORDERS) orders.delete(orders.keys().next().value!);
        orders.set(order, item);
      },
      get: (order) => orders.get(order),
    },
    signIn: (c, customer) => setCookie(c, COOKIE, customer, cookie),
    signOut: (c) => void deleteCookie(c, COOKIE, { path: '/', secure: secureCookie }),
    pageContext,
    fieldsConfig: (clientSecret, locale) => ({
      publishableKey: options.publishableKey,
      clientSecret,
      locale,
      appearance: APPEARANCE,
      title: 'Secure card payment',
    }),
    signInFirst: (c) => c.redirect(`/sign-in?next=${encodeURIComponent(pageContext(c).path)}`, 303),
    vaultFailure: (c, err, title, back) => {
      const problem = vaultProblem(err);
      if (!problem) throw err;
      console.error(`demo shop: the vault's answer was ${problem.code}: ${problem.message}`);
      const page = messagePage(pageContext(c), { title, message: problem.message, detail: `Vault error code: ${problem.code}`, back });
      return c.html(page, problem.status as 400 | 404 | 502);
    },
  };
}

export function createDemoApp(options: DemoOptions): Hono {
  const shop = createShopContext(options);
  const app = new Hono();

  app.use('*', securityHeaders({ vaultOrigin: new URL(options.vaultUrl).origin }));
  // Forms that change something come only from the shop's own pages; the vault's webhook deliveries
  // come from the vault's server, carry no Origin, and are authenticated by their signature instead.
  const csrfCheck = csrf({ origin: (origin, c) => origin === shop.shopOrigin || origin === new URL(c.req.url).origin });
  app.use('*', (c, next) => (c.req.path === '/webhooks' ? next() : csrfCheck(c, next)));

  app.route('/', assetRoutes());
  for (const routes of [homeRoutes, signInRoutes, checkoutRoutes, noCodeRoutes, cardRoutes, agreementRoutes, adminRoutes, outboxRoutes, webhookRoutes]) {
    app.route('/', routes(shop));
  }

  app.notFound((c) => c.html(messagePage(shop.pageContext(c), { title: 'Page not found', message: 'There is no such page in this shop.' }), 404));
  app.onError((err, c) => {
    // The CSRF check's refusal (403) is an answer, not a fault.
    if (err instanceof HTTPException) return err.getResponse();
    console.error('demo shop: unexpected error', err);
    const message = 'The shop could not finish this request. Please try again.';
    return c.html(messagePage(shop.pageContext(c), { title: 'Something went wrong', message }), 500);
  });
  return app;
}

export async function startDemo(options: DemoOptions & { port: number; host?: string }): Promise<{ url: string; close(): Promise<void> }> {
  // Unreachable now, the vault is told about on the pages that need it; the name is only worth a note.
  const other = await otherMerchantName(connectVault(options)).catch(() => undefined);
  if (other !== undefined) {
    console.warn(
      `demo shop: the merchant is named "${other}" at the vault, so the fields' consent and the customers' messages say "${other}", ` +
        `not "${SHOP_NAME}" (POST /v1/merchant with {"name": "${SHOP_NAME}"} renames it)`,
    );
  }
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
