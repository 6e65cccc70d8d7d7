// Agreements to charge a saved card later: given on /subscribe (a fixed plan) and /autopay (card on
// file for invoices), cancelled from /cards.
import { Hono } from 'hono';
import type { SessionView } from '../../protocol/api.ts';
import { AUTOPAY, newOrderNumber, SUBSCRIPTION } from '../catalog.ts';
import { oneYearAfter } from '../format.ts';
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
      const { amount, currency, frequencyDays } = SUBSCRIPTION;
      const recurring = { min_amount: amount, max_amount: amount, frequency_days: frequencyDays, end_date: endDate };
      const { data: session } = await vault.POST('/v1/sessions', { body: { amount, currency, customer: ctx.customer, order, recurring } });
      shop.orders.remember(order, SUBSCRIPTION.name);
      return c.html(subscribePage(ctx, { locale, endDate, order, vaultUrl: shop.vaultUrl, config: shop.fieldsConfig(session.client_secret, locale) }));
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
      const recurring = { min_amount: AUTOPAY.minAmount, max_amount: AUTOPAY.maxAmount, frequency_days: 0, end_date: endDate };
      const [{ data: session }, { data: cards }] = await Promise.all([
        vault.POST('/v1/sessions', { body: { mode: 'setup', currency: AUTOPAY.currency, customer: ctx.customer, recurring } }),
        vault.GET('/v1/customers/{customer}/cards', { params: { path: { customer: ctx.customer } } }),
      ]);
      const config = shop.fieldsConfig(session.client_secret, locale);
      return c.html(autopayPage(ctx, { locale, endDate, vaultUrl: shop.vaultUrl, config, savedCards: cards.data.length }));
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
      const { data: mandates } = await vault.GET('/v1/customers/{customer}/mandates', { params: { path: { customer: ctx.customer } } });
      if (!mandates.data.some((m) => m.id === id)) return missing();
      await vault.DELETE('/v1/mandates/{id}', { params: { path: { id } } });
    } catch (err) {
      return shop.vaultFailure(c, err, 'The agreement was not cancelled', back);
    }
    return c.redirect('/cards?notice=cancelled', 303);
  });

  return app;
}

/**
 * After the customer agreed to automatic payments: invoices charge the default card, so the card
 * the customer agreed with becomes the default one (the /autopay page says so before they agree).
 */
export async function autopayCardBecomesDefault(shop: ShopContext, session: SessionView): Promise<void> {
  if (session.mode !== 'setup' || session.recurring?.frequency_days !== 0 || !session.mandate || !session.customer) return;
  const path = { customer: session.customer };
  const { data: mandates } = await shop.vault.GET('/v1/customers/{customer}/mandates', { params: { path } });
  const token = mandates.data.find((m) => m.id === session.mandate)?.card;
  if (token) await shop.vault.POST('/v1/customers/{customer}/cards/{token}', { params: { path: { ...path, token } }, body: { default: true } });
}
