// A customer's saved cards: list, import from another provider, make default, delete.
import { createRoute } from '@hono/zod-openapi';
import { CardDeleted, CardImport, CardList, CardParams, CardUpdate, CardView, CustomerParam } from '../../protocol/api.ts';
import type { AppEnv } from '../context.ts';
import { deleteCard } from '../cards/delete-card.ts';
import { findListedCard, listCardsForView, type LiveCard } from '../cards/card-store.ts';
import { toCardView } from '../cards/card-view.ts';
import { importCard } from '../cards/import-card.ts';
import { setDefaultCard } from '../cards/set-default-card.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';
import type { Context } from 'hono';

const list = createRoute({
  method: 'get',
  path: '/v1/customers/{customer}/cards',
  operationId: 'listCards',
  summary: "List a customer's saved cards",
  security: secured,
  request: { params: CustomerParam },
  responses: { 200: jsonContent(CardList, 'The saved cards, default first'), 400: errors[400] },
});
const importRoute = createRoute({
  method: 'post',
  path: '/v1/customers/{customer}/cards',
  operationId: 'importCard',
  summary: 'Import a card saved with another provider',
  security: secured,
  request: { params: CustomerParam, ...jsonBody(CardImport) },
  responses: {
    201: jsonContent(CardView, 'The imported card'),
    200: jsonContent(CardView, 'The customer already had this number: the same card, updated'),
    400: errors[400],
    403: errors[403],
  },
});
const update = createRoute({
  method: 'post',
  path: '/v1/customers/{customer}/cards/{token}',
  operationId: 'setDefaultCard',
  summary: "Make a saved card the customer's default",
  security: secured,
  request: { params: CardParams, ...jsonBody(CardUpdate) },
  responses: { 200: jsonContent(CardView, 'The card, now the default'), 404: errors[404] },
});
const remove = createRoute({
  method: 'delete',
  path: '/v1/customers/{customer}/cards/{token}',
  operationId: 'deleteCard',
  summary: 'Delete a saved card and destroy its key',
  security: secured,
  request: { params: CardParams },
  responses: { 200: jsonContent(CardDeleted, 'The card is deleted and its key destroyed'), 404: errors[404] },
});

/** One card as the list shows it. */
async function view(c: Context<AppEnv>, row: LiveCard) {
  const { db, ring, clock } = c.get('deps');
  const listed = (await findListedCard(db, row.group_id, row.customer, row.token))!;
  return toCardView(ring, listed, { now: clock(), needCvc: c.get('merchant').need_cvc });
}

export const cardRoutes = router()
  .openapi(list, async (c) => {
    const { customer } = c.req.valid('param');
    const { db, ring, clock } = c.get('deps');
    const now = clock();
    const rows = await listCardsForView(db, c.get('merchant').group_id, customer);
    return c.json({ data: rows.map((row) => toCardView(ring, row, { now, needCvc: c.get('merchant').need_cvc })), has_more: false as const }, 200);
  })
  .openapi(importRoute, async (c) => {
    const deps = c.get('deps');
    const { row, created } = await importCard(deps, c.get('merchant'), c.req.valid('param').customer, c.req.valid('json'), deps.clock());
    return c.json(await view(c, row), created ? 201 : 200);
  })
  .openapi(update, async (c) => {
    const { customer, token } = c.req.valid('param');
    const { db, ring, clock } = c.get('deps');
    const merchant = c.get('merchant');
    const listed = await setDefaultCard(db, merchant.group_id, customer, token, clock());
    return c.json(toCardView(ring, listed, { now: clock(), needCvc: merchant.need_cvc }), 200);
  })
  .openapi(remove, async (c) => {
    const { customer, token } = c.req.valid('param');
    const { db, clock } = c.get('deps');
    const merchant = c.get('merchant');
    await deleteCard(db, { merchantId: merchant.id, groupId: merchant.group_id, customer, token, by: 'merchant', now: clock() }, c.get('deps'));
    return c.json({ token, deleted: true as const }, 200);
  });
