// Charges: merchant-initiated charges, reading the ledger, and refunds that never exceed the charge.
import { createRoute, z } from '@hono/zod-openapi';
import { ChargeCreate, ChargeView, CustomerNumber, ListQuery, RefundCreate, RefundView } from '../../protocol/api.ts';
import { ApiError, notFound } from '../errors.ts';
import { toChargeView } from '../payments/charge-store.ts';
import { refundCharge, toRefundView } from '../payments/refunds.ts';
import { findCard } from '../vault/card-store.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const idParam = z.object({ id: z.string().min(1).max(64) });
const ChargeList = z.object({ data: z.array(ChargeView), has_more: z.boolean() });

const create = createRoute({ method: 'post', path: '/v1/charges', security: secured, summary: 'A merchant-initiated charge of a saved card (Idempotency-Key required)', request: jsonBody(ChargeCreate), responses: { 201: jsonContent(ChargeView, 'The charge succeeded'), 402: errors[400], 404: errors[404], 409: errors[409] } });
const read = createRoute({ method: 'get', path: '/v1/charges/{id}', security: secured, request: { params: idParam }, responses: { 200: jsonContent(ChargeView, 'The charge'), 404: errors[404] } });
const list = createRoute({ method: 'get', path: '/v1/charges', security: secured, request: { query: ListQuery.extend({ customer: CustomerNumber.optional() }) }, responses: { 200: jsonContent(ChargeList, 'Charges, newest first'), 400: errors[400] } });
const refund = createRoute({ method: 'post', path: '/v1/charges/{id}/refunds', security: secured, request: { params: idParam, ...jsonBody(RefundCreate) }, responses: { 201: jsonContent(RefundView, 'The refund'), 400: errors[400], 404: errors[404] } });

export const chargeRoutes = router()
  .openapi(create, async (c) => {
    const body = c.req.valid('json');
    const { db } = c.get('deps');
    const card = await findCard(db, c.get('merchant').group_id, body.customer, body.card);
    if (!card) throw notFound('card', 'card');
    // Mandates arrive with the card-on-file lifecycle; until one exists, no merchant-initiated charge may run.
    throw new ApiError('mandate_violation', body.mandate ? 'No such live mandate for this card' : 'A merchant-initiated charge needs a live mandate', { param: 'mandate' });
    return c.json(undefined as never, 201);
  })
  .openapi(read, async (c) => {
    const row = await c.get('deps').db.selectFrom('charges').selectAll().where('id', '=', c.req.valid('param').id).where('merchant_id', '=', c.get('merchant').id).executeTakeFirst();
    if (!row) throw notFound('charge', 'id');
    return c.json(toChargeView(row), 200);
  })
  .openapi(list, async (c) => {
    const { customer, limit, starting_after } = c.req.valid('query');
    const { db } = c.get('deps');
    const merchantId = c.get('merchant').id;
    let q = db.selectFrom('charges').selectAll().where('merchant_id', '=', merchantId);
    if (customer) q = q.where('customer', '=', customer);
    if (starting_after) {
      const cursor = await db.selectFrom('charges').select(['id', 'created_at']).where('id', '=', starting_after).where('merchant_id', '=', merchantId).executeTakeFirst();
      if (!cursor) throw new ApiError('resource_missing', 'No such charge for starting_after', { param: 'starting_after' });
      q = q.where((eb) => eb.or([eb('created_at', '<', cursor.created_at), eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)])]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return c.json({ data: rows.slice(0, limit).map(toChargeView), has_more: rows.length > limit }, 200);
  })
  .openapi(refund, async (c) => {
    const { id } = c.req.valid('param');
    const { amount } = c.req.valid('json');
    const deps = c.get('deps');
    const charge = await deps.db.selectFrom('charges').selectAll().where('id', '=', id).where('merchant_id', '=', c.get('merchant').id).executeTakeFirst();
    if (!charge) throw notFound('charge', 'id');
    const row = await refundCharge(deps, charge, amount, c.get('idempotencyKey'));
    return c.json(toRefundView(row, charge.currency), 201);
  });
