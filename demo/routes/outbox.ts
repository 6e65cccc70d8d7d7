// The messages the vault wrote to the shop's customers (its outbox), for everyone or one customer.
import { Hono } from 'hono';
import { outboxPage } from '../pages/outbox.ts';
import { isCustomerNumber, type ShopContext } from './context.ts';

export function outboxRoutes(shop: ShopContext): Hono {
  const app = new Hono();
  app.get('/outbox', async (c) => {
    const ctx = shop.pageContext(c);
    const asked = c.req.query('customer')?.trim() || undefined;
    if (asked !== undefined && !isCustomerNumber(asked)) {
      return c.html(outboxPage(ctx, { messages: [], customerError: 'A customer number is 1 to 32 letters, digits or . _ @ -.' }), 400);
    }
    try {
      const { data } = await shop.vault.GET('/v1/messages', { params: { query: { customer: asked, limit: 100 } } });
      return c.html(outboxPage(ctx, { messages: data.data, customer: asked }));
    } catch (err) {
      return shop.vaultFailure(c, err, 'The outbox cannot be shown');
    }
  });
  return app;
}
