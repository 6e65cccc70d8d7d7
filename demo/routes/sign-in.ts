// The demo sign-in: a customer number in a cookie, no password.
import { Hono } from 'hono';
import { signInPage } from '../pages/sign-in.ts';
import { isCustomerNumber, type ShopContext } from './context.ts';

/** A local path to come back to after signing in; anything else (`//evil`, `https://…`) goes home. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

export function signInRoutes(shop: ShopContext): Hono {
  const app = new Hono();
  app.get('/sign-in', (c) => {
    // `customer`: the back office's links to a customer's own pages fill the number in.
    const asked = c.req.query('customer');
    const value = isCustomerNumber(asked) ? asked : undefined;
    return c.html(signInPage(shop.pageContext(c), { next: safeNext(c.req.query('next')), value }));
  });
  app.post('/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const customer = typeof form.customer === 'string' ? form.customer.trim() : '';
    if (!isCustomerNumber(customer)) {
      const error = 'A customer number is 1 to 32 letters, digits or . _ @ - (and is not a card number).';
      return c.html(signInPage(shop.pageContext(c), { next, error, value: customer }), 400);
    }
    shop.signIn(c, customer);
    return c.redirect(next, 303);
  });
  app.post('/sign-out', (c) => {
    shop.signOut(c);
    return c.redirect('/', 303);
  });
  return app;
}
