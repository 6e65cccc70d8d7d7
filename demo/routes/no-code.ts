// The no-code checkout: the same payment as /checkout, with the vault's fields mounted by tags alone.
import { Hono } from 'hono';
import { findProduct, newOrderNumber, PRODUCTS } from '../catalog.ts';
import { parseLocale } from '../fields-parts.ts';
import { noCodePage } from '../pages/no-code.ts';
import type { ShopContext } from './context.ts';

export function noCodeRoutes(shop: ShopContext): Hono {
  const { vault } = shop;
  const app = new Hono();
  app.get('/no-code', async (c) => {
    const ctx = shop.pageContext(c);
    const product = findProduct(c.req.query('product')) ?? PRODUCTS[0]!;
    const locale = parseLocale(c.req.query('locale'));
    const order = newOrderNumber();
    try {
      const { data: session } = await vault.POST('/v1/sessions', {
        body: { amount: product.amount, currency: product.currency, order, ...(ctx.customer ? { customer: ctx.customer } : {}) },
      });
      shop.orders.remember(order, product.name);
      const keys = { publishableKey: shop.publishableKey, clientSecret: session.client_secret };
      return c.html(noCodePage(ctx, { product, order, vaultUrl: shop.vaultUrl, ...keys, locale }));
    } catch (err) {
      return shop.vaultFailure(c, err, 'Checkout is unavailable');
    }
  });
  return app;
}
