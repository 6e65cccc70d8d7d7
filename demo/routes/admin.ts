// The merchant's back office (demo: no staff login): a customer's cards, agreements, invoices and
// charges, and the results of the actions in admin-actions.ts.
import crypto from 'node:crypto';
import { Hono } from 'hono';
import { daysAfter } from '../format.ts';
import { adminPage, type AdminFlash } from '../pages/admin.ts';
import { adminActionRoutes } from './admin-actions.ts';
import { isCustomerNumber, type ShopContext } from './context.ts';

/** Results of back-office actions waiting for the page that follows the redirect. */
const MAX_FLASHES = 200;
const DEFAULT_INVOICE = { amount: 2500, description: 'Coffee beans, next delivery' };

export function adminRoutes(shop: ShopContext): Hono {
  const { vault } = shop;
  const flashes = new Map<string, AdminFlash>();
  /** Keeps an action's result for the page after the redirect. */
  const flash = (value: AdminFlash): string => {
    if (flashes.size >= MAX_FLASHES) flashes.delete(flashes.keys().next().value!);
    const id = crypto.randomBytes(9).toString('base64url');
    flashes.set(id, value);
    return id;
  };
  const app = new Hono();

  app.get('/admin', async (c) => {
    const ctx = shop.pageContext(c);
    const asked = c.req.query('customer');
    const result = c.req.query('result');
    const data = {
      cards: [],
      mandates: [],
      invoices: [],
      charges: [],
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
        const customerError = 'A customer number is 1 to 32 letters, digits or . _ @ - (and is not a card number).';
        return c.html(adminPage(ctx, { ...data, customerError }), 400);
      }
    }
    try {
      const { data: merchant } = await vault.GET('/v1/merchant');
      if (!customer) return c.html(adminPage(ctx, { ...data, merchant }));
      const path = { customer };
      const [cards, mandates, invoices, charges] = await Promise.all([
        vault.GET('/v1/customers/{customer}/cards', { params: { path } }),
        vault.GET('/v1/customers/{customer}/mandates', { params: { path } }),
        vault.GET('/v1/invoices', { params: { query: { customer, limit: 20 } } }),
        vault.GET('/v1/charges', { params: { query: { customer, limit: 10 } } }),
      ]);
      const lists = { cards: cards.data.data, mandates: mandates.data.data, invoices: invoices.data.data, charges: charges.data.data };
      return c.html(adminPage(ctx, { ...data, merchant, customer, ...lists }));
    } catch (err) {
      return shop.vaultFailure(c, err, 'The back office cannot be shown', { href: '/admin', label: 'Back office' });
    }
  });

  app.route('/', adminActionRoutes(shop, flash));
  return app;
}
