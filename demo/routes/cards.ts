// Saved cards: listed, added, made default and deleted by the shop's server with its secret key.
import { Hono, type Context } from 'hono';
import { daysAfter } from '../format.ts';
import { parseLocale } from '../fields-parts.ts';
import { addCardPage } from '../pages/add-card.ts';
import { cardsPage, type CardsNotice } from '../pages/cards.ts';
import { messagePage } from '../pages/message.ts';
import { CARD_TOKEN, type ShopContext } from './context.ts';

const NOTICES: readonly CardsNotice[] = ['deleted', 'default', 'added', 'agreement', 'cancelled'];

export function cardRoutes(shop: ShopContext): Hono {
  const { vault } = shop;
  const app = new Hono();

  app.get('/cards', async (c) => {
    const ctx = shop.pageContext(c);
    if (!ctx.customer) return shop.signInFirst(c);
    const notice = NOTICES.find((n) => n === c.req.query('notice'));
    try {
      const path = { customer: ctx.customer };
      const [cards, mandates] = await Promise.all([
        vault.GET('/v1/customers/{customer}/cards', { params: { path } }),
        vault.GET('/v1/customers/{customer}/mandates', { params: { path } }),
      ]);
      return c.html(cardsPage(ctx, { cards: cards.data.data, mandates: mandates.data.data, today: daysAfter(new Date(), 0), notice }));
    } catch (err) {
      return shop.vaultFailure(c, err, 'Your cards cannot be shown');
    }
  });

  app.get('/cards/new', async (c) => {
    const ctx = shop.pageContext(c);
    if (!ctx.customer) return shop.signInFirst(c);
    const locale = parseLocale(c.req.query('locale'));
    try {
      const { data: session } = await vault.POST('/v1/sessions', { body: { mode: 'setup', customer: ctx.customer } });
      return c.html(addCardPage(ctx, { locale, vaultUrl: shop.vaultUrl, config: shop.fieldsConfig(session.client_secret, locale) }));
    } catch (err) {
      return shop.vaultFailure(c, err, 'Cards cannot be added now', { href: '/cards', label: 'Back to my cards' });
    }
  });

  const cardAction = (action: 'default' | 'delete') => async (c: Context) => {
    const ctx = shop.pageContext(c);
    if (!ctx.customer) return shop.signInFirst(c);
    const token = c.req.param('token') ?? '';
    const back = { href: '/cards', label: 'Back to my cards' };
    if (!CARD_TOKEN.test(token)) return c.html(messagePage(ctx, { title: 'No such card', message: 'That card is not among your saved cards.', back }), 404);
    try {
      const params = { path: { customer: ctx.customer, token } };
      if (action === 'default') await vault.POST('/v1/customers/{customer}/cards/{token}', { params, body: { default: true } });
      else await vault.DELETE('/v1/customers/{customer}/cards/{token}', { params });
    } catch (err) {
      return shop.vaultFailure(c, err, action === 'default' ? 'The default card was not changed' : 'The card was not deleted', back);
    }
    return c.redirect(`/cards?notice=${action === 'default' ? 'default' : 'deleted'}`, 303);
  };
  app.post('/cards/:token/default', cardAction('default'));
  app.post('/cards/:token/delete', cardAction('delete'));

  return app;
}
