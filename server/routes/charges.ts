// Charges: merchant-initiated charges, reading the ledger, and refunds that never exceed the charge.
import { createRoute, z } from '@hono/zod-openapi';
import { ChargeCreate, ChargeView, CustomerNumber, ListQuery, RefundCreate, RefundView } from '../../protocol/api.ts';
import { ApiError, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { emitEvent } from '../jobs/events.ts';
import { toChargeView } from '../payments/charge-store.ts';
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
    const row = await c.get('deps').db.selectFrom('charges').selectAll().where('id', '=', c.req.valid('param').id).where('group_id', '=', c.get('merchant').group_id).executeTakeFirst();
    if (!row) throw notFound('charge', 'id');
    return c.json(toChargeView(row), 200);
  })
  .openapi(list, async (c) => {
    const { customer, limit, starting_after } = c.req.valid('query');
    const { db } = c.get('deps');
    const group = c.get('merchant').group_id;
    let q = db.selectFrom('charges').selectAll().where('group_id', '=', group);
    if (customer) q = q.where('customer', '=', customer);
    if (starting_after) {
      const cursor = await db.selectFrom('charges').select(['id', 'created_at']).where('id', '=', starting_after).where('group_id', '=', group).executeTakeFirst();
      if (!cursor) throw new ApiError('resource_missing', 'No such charge for starting_after', { param: 'starting_after' });
      q = q.where((eb) => eb.or([eb('created_at', '<', cursor.created_at), eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)])]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return c.json({ data: rows.slice(0, limit).map(toChargeView), has_more: rows.length > limit }, 200);
  })
  .openapi(refund, async (c) => {
    const { id } = c.req.valid('param');
    const { amount } = c.req.valid('json');
    const { db, processor, clock } = c.get('deps');
    const merchant = c.get('merchant');
    const charge = await db.selectFrom('charges').selectAll().where('id', '=', id).where('group_id', '=', merchant.group_id).executeTakeFirst();
    if (!charge) throw notFound('charge', 'id');
    if (charge.status !== 'succeeded') throw new ApiError('parameter_invalid', 'Only a succeeded charge can be refunded', { param: 'id' });
    const rest = charge.amount - charge.amount_refunded;
    const value = amount ?? rest;
    if (rest === 0) throw new ApiError('parameter_invalid', 'This charge is already fully refunded', { param: 'amount' });
    if (value > rest) throw new ApiError('parameter_invalid', `amount must not exceed what is left to refund (${rest})`, { param: 'amount' });
    const now = clock();
    const refundId = newId('re');
    // The conditional update reserves the amount atomically: concurrent refunds cannot exceed the charge.
    const reserved = await db.updateTable('charges').set((eb) => ({ amount_refunded: eb('amount_refunded', '+', value) }))
      .where('id', '=', id).where((eb) => eb(eb('amount_refunded', '+', value), '<=', eb.ref('amount'))).executeTakeFirst();
    if (Number(reserved.numUpdatedRows) !== 1) throw new ApiError('parameter_invalid', 'amount exceeds what is left to refund', { param: 'amount' });
    const result = await processor.refund({ reference: refundId, processor_id: charge.processor_ref, amount: value }).catch(() => ({ outcome: 'failed' as const }));
    const status = result.outcome;
    await db.transaction().execute(async (trx) => {
      if (status !== 'succeeded') await trx.updateTable('charges').set((eb) => ({ amount_refunded: eb('amount_refunded', '-', value) })).where('id', '=', id).execute();
      await trx.insertInto('refunds').values({ id: refundId, charge_id: id, merchant_id: merchant.id, amount: value, status, created_at: now.toISOString() }).execute();
      if (status === 'succeeded') await emitEvent(trx, { merchantId: merchant.id, groupId: merchant.group_id, type: 'charge.refunded', data: { charge: id, refund: refundId, amount: value, amount_refunded: charge.amount_refunded + value }, now });
    });
    return c.json({ id: refundId, charge: id, amount: value, currency: charge.currency, status, created: now.toISOString() }, 201);
  });
