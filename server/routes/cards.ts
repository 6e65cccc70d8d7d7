// A customer's saved cards: list, import from another provider, make default, delete.
import { createRoute } from '@hono/zod-openapi';
import { CardDeleted, CardImport, CardList, CardParams, CardUpdate, CardView, CustomerParam } from '../../protocol/api.ts';
import type { AppEnv } from '../context.ts';
import { ensureCustomer, noteCardSaved } from '../customers/customer-store.ts';
import { deleteCard } from '../customers/delete-card.ts';
import { ApiError, notFound } from '../errors.ts';
import { emitEvent } from '../jobs/events.ts';
import { checkCard } from '../payments/card-checks.ts';
import { findCard, listCardsForView, saveCard, toCardView, type LiveCard } from '../vault/card-store.ts';
import { binFacts } from '../payments/bin-facts.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';
import type { Context } from 'hono';

const list = createRoute({ method: 'get', path: '/v1/customers/{customer}/cards', security: secured, request: { params: CustomerParam }, responses: { 200: jsonContent(CardList, 'The saved cards, default first'), 400: errors[400] } });
const importCard = createRoute({ method: 'post', path: '/v1/customers/{customer}/cards', security: secured, request: { params: CustomerParam, ...jsonBody(CardImport) }, responses: { 201: jsonContent(CardView, 'The imported card'), 200: jsonContent(CardView, 'The customer already had this number: the same card, updated'), 400: errors[400], 403: errors[403] } });
const update = createRoute({ method: 'post', path: '/v1/customers/{customer}/cards/{token}', security: secured, request: { params: CardParams, ...jsonBody(CardUpdate) }, responses: { 200: jsonContent(CardView, 'The card, now the default'), 404: errors[404] } });
const remove = createRoute({ method: 'delete', path: '/v1/customers/{customer}/cards/{token}', security: secured, request: { params: CardParams }, responses: { 200: jsonContent(CardDeleted, 'The card is deleted and its key destroyed'), 404: errors[404] } });

/** One card as the list shows it. */
async function view(c: Context<AppEnv>, row: LiveCard) {
  const { db, ring, clock } = c.get('deps');
  const listed = (await listCardsForView(db, row.group_id, row.customer)).find((card) => card.token === row.token)!;
  return toCardView(ring, listed, { now: clock(), needCvc: c.get('merchant').need_cvc });
}

export const cardRoutes = router()
  .openapi(list, async (c) => {
    const { customer } = c.req.valid('param');
    const { db, ring, clock } = c.get('deps');
    const now = clock();
    const rows = await listCardsForView(db, c.get('merchant').group_id, customer);
    return c.json({ data: rows.map((row) => toCardView(ring, row, { now, needCvc: c.get('merchant').need_cvc })) }, 200);
  })
  .openapi(importCard, async (c) => {
    const { customer } = c.req.valid('param');
    const body = c.req.valid('json');
    const checked = checkCard(body, 'card');
    const { db, ring, fingerprintKey, clock } = c.get('deps');
    const merchant = c.get('merchant');
    const now = clock();
    const { row, created } = await db.transaction().execute(async (trx) => {
      const owner = await ensureCustomer(trx, merchant.group_id, customer, now);
      if (owner.status === 'deny') throw new ApiError('customer_denied', 'This customer does not allow cards to be saved');
      const saved = await saveCard(trx, ring, fingerprintKey, {
        groupId: merchant.group_id, customer, card: { ...checked, holder: body.holder }, bin: binFacts(checked.number.slice(0, 6)), source: 'import', now,
      });
      await noteCardSaved(trx, owner, saved.row.token, now);
      // Only the merchant that imported a card may record the agreement the customer gave elsewhere.
      await trx.insertInto('card_imports').values({ card_token: saved.row.token, merchant_id: merchant.id, created_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['card_token', 'merchant_id']).doNothing()).execute();
      await emitEvent(trx, { merchantId: merchant.id, groupId: merchant.group_id, type: saved.created ? 'card.saved' : 'card.updated', data: { card: saved.row.token, customer, brand: saved.row.brand, last4: saved.row.last4, source: 'import' }, now });
      return saved;
    });
    return c.json(await view(c, row), created ? 201 : 200);
  })
  .openapi(update, async (c) => {
    const { customer, token } = c.req.valid('param');
    const { db, clock } = c.get('deps');
    const row = await findCard(db, c.get('merchant').group_id, customer, token);
    if (!row) throw notFound('card', 'token');
    await db.updateTable('customers').set({ default_card: token, updated_at: clock().toISOString() })
      .where('group_id', '=', row.group_id).where('customer', '=', customer).execute();
    return c.json(await view(c, row), 200);
  })
  .openapi(remove, async (c) => {
    const { customer, token } = c.req.valid('param');
    const { db, clock } = c.get('deps');
    const merchant = c.get('merchant');
    await deleteCard(db, { merchantId: merchant.id, groupId: merchant.group_id, customer, token, by: 'merchant', now: clock() });
    return c.json({ token, deleted: true as const }, 200);
  });
