// Paying: the shop's server opens the session, the vault's fields take the card, and the order is
// confirmed only once the vault says the session is complete.
import { Hono } from 'hono';
import type { SessionView } from '../../protocol/api.ts';
import { findProduct, newOrderNumber, PRODUCTS } from '../catalog.ts';
import { parseLocale } from '../fields-parts.ts';
import { checkoutPage } from '../pages/checkout.ts';
import { confirmationPage } from '../pages/confirmation.ts';
import { messagePage } from '../pages/message.ts';
import { autopayCardBecomesDefault } from './agreements.ts';
import type { ShopContext } from './context.ts';
import { VaultError } from '../vault-connection.ts';

const SESSION_ID = /^cs_[A-Za-z0-9_-]{1,100}$/;

export function checkoutRoutes(shop: ShopContext): Hono {
  const { vault } = shop;
  const app = new Hono();

  app.get('/checkout', async (c) => {
    const ctx = shop.pageContext(c);
    const product = findProduct(c.req.query('product'));
    if (!product) {
      return c.html(messagePage(ctx, { title: 'No such product', message: `Choose one of our ${PRODUCTS.length} products in the shop.` }), 404);
    }
    const locale = parseLocale(c.req.query('locale'));
    const order = newOrderNumber();
    try {
      const { data: session } = await vault.POST('/v1/sessions', {
        body: { amount: product.amount, currency: product.currency, order, ...(ctx.customer ? { customer: ctx.customer } : {}) },
      });
      shop.orders.remember(order, product.name);
      const config = shop.fieldsConfig(session.client_secret, locale);
      return c.html(checkoutPage(ctx, { product, order, locale, vaultUrl: shop.vaultUrl, config }));
    } catch (err) {
      return shop.vaultFailure(c, err, 'Checkout is unavailable');
    }
  });

  /**
   * The widget's result is only a hint: the order is confirmed once the vault itself says that this
   * merchant's session is complete, and only to the customer it was opened for.
   */
  app.post('/orders/confirm', async (c) => {
    const ctx = shop.pageContext(c);
    let sessionId: unknown;
    if ((c.req.header('content-type') ?? '').includes('application/json')) {
      sessionId = ((await c.req.json().catch(() => ({}))) as { session?: unknown }).session;
    } else {
      sessionId = (await c.req.parseBody()).session;
    }
    if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) {
      return c.html(messagePage(ctx, { title: 'No payment to confirm', message: 'The request named no checkout session.' }), 400);
    }
    let session: SessionView;
    try {
      session = (await vault.GET('/v1/sessions/{id}', { params: { path: { id: sessionId } } })).data;
    } catch (err) {
      if (err instanceof VaultError && err.status === 404) {
        return c.html(messagePage(ctx, { title: 'Payment not found', message: 'The card vault knows no payment of this shop with that reference.' }), 404);
      }
      return shop.vaultFailure(c, err, 'The payment cannot be checked');
    }
    if (session.customer !== null && session.customer !== ctx.customer) {
      const message = 'This payment belongs to another customer. Sign in as that customer to see it.';
      return c.html(messagePage(ctx, { title: 'Payment not found', message }), 403);
    }
    if (session.status !== 'complete') {
      const message =
        session.status === 'expired'
          ? 'This checkout expired before it was paid. Nothing was charged; please start again.'
          : 'This checkout has not been paid yet, so there is no order to confirm.';
      return c.html(messagePage(ctx, { title: 'Payment not complete', message }), 409);
    }
    if (session.mode === 'setup') {
      try {
        await autopayCardBecomesDefault(shop, session);
      } catch (err) {
        return shop.vaultFailure(c, err, 'Your agreement is saved, but your default card was not changed', { href: '/cards', label: 'My cards' });
      }
      return c.redirect(`/cards?notice=${session.recurring ? 'agreement' : 'added'}`, 303);
    }
    return c.html(confirmationPage(ctx, session, session.order ? shop.orders.get(session.order) : undefined));
  });

  return app;
}
