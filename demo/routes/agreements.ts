// Agreements to charge a saved card later: given on /subscribe (a fixed plan) and /autopay (card on
// file for invoices), cancelled from /cards.
import { Hono } from 'hono';
import { AUTOPAY, newOrderNumber, oneYearAfter, SUBSCRIPTION } from '../catalog.ts';
import { parseLocale } from '../fields-parts.ts';
import { autopayPage } from '../pages/autopay.ts';
import { messagePage } from '../pages/message.ts';
import { subscribePage } from '../pages/subscribe.ts';
import { MANDATE_ID, type ShopContext } from './context.ts';

export function agreementRoutes(shop: ShopContext): Hono {
  const { vault } = shop;
  const app = new Hono();

  app.get('/subscribe', async (c) => {
    const ctx = shop.pageContext(c);
    if (!ctx.customer) return shop.signInFirst(c);
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
      shop.orders.remember(order, SUBSCRIPTION.name);
      return c.html(subscribePage(ctx, { locale, endDate, order, vaultUrl: vault.url, config: shop.fieldsConfig(session.client_secret, locale) }));
    } catch (err) {
      return shop.vaultFailure(c, err, 'Subscriptions are unavailable');
    }
  });

  // Automatic payments: a card-on-file agreement (frequency_days 0) for invoices.
  app.get('/autopay', async (c) => {
    const ctx = shop.pageContext(c);
    if (!ctx.customer) return shop.signInFirst(c);
    const locale = parseLocale(c.req.query('locale'));
    const endDate = oneYearAfter(new Date());
    try {
      const session = await vault.createSession({
        mode: 'setup',
        currency: AUTOPAY.currency,
        customer: ctx.customer,
        recurring: { min_amount: AUTOPAY.minAmount, max_amount: AUTOPAY.maxAmount, frequency_days: 0, end_date: endDate },
      });
      return c.html(autopayPage(ctx, { locale, endDate, vaultUrl: vault.url, config: shop.fieldsConfig(session.client_secret, locale) }));
    } catch (err) {
      return shop.vaultFailure(c, err, 'Automatic payments cannot be set up now', { href: '/cards', label: 'Back to my cards' });
    }
  });

  /**
   * The vault cancels any mandate of the merchant's group by id: the shop first makes sure that this
   * one is the signed-in customer's own.
   */
  app.post('/cards/agreements/:id/cancel', async (c) => {
    const ctx = shop.pageContext(c);
    if (!ctx.customer) return shop.signInFirst(c);
    const id = c.req.param('id');
    const back = { href: '/cards', label: 'Back to my cards' };
    const missing = () => c.html(messagePage(ctx, { title: 'No such agreement', message: 'That agreement is not among yours.', back }), 404);
    if (!MANDATE_ID.test(id)) return missing();
    try {
      const { data } = await vault.listMandates(ctx.customer);
      if (!data.some((m) => m.id === id)) return missing();
      await vault.cancelMandate(id);
    } catch (err) {
      return shop.vaultFailure(c, err, 'The agreement was not cancelled', back);
    }
    return c.redirect('/cards?notice=cancelled', 303);
  });

  return app;
}
