// Charges: merchant-initiated charges under a mandate, reading the ledger, and refunds that never exceed the charge.
import { createRoute } from '@hono/zod-openapi';
import { ChargeCreate, ChargeList, ChargeView, CustomerListQuery, IdParam, RefundCreate, RefundView } from '../../protocol/api.ts';
import { ApiError, notFound } from '../errors.ts';
import { declineError, toChargeView } from '../payments/charge-store.ts';
import { merchantCharge } from '../payments/merchant-charge.ts';
import { refundCharge, toRefundView } from '../payments/refunds.ts';
import { ErrorSchema, errors, jsonBody, jsonContent, router, secured } from './openapi.ts';
import { listPage } from './list-page.ts';

const create = createRoute({ method: 'post', path: '/v1/charges', security: secured, summary: 'A merchant-initiated charge of a saved card (Idempotency-Key required)', request: jsonBody(ChargeCreate), responses: { 201: jsonContent(ChargeView, 'The charge succeeded'), 402: jsonContent(ErrorSchema, 'A mandate, limit or expiry check failed (no charge recorded), or the card was declined (the error names the recorded charge)'), 404: errors[404], 409: errors[409], 502: jsonContent(ErrorSchema, 'The processor could not be reached; retry with the same key') } });
const read = createRoute({ method: 'get', path: '/v1/charges/{id}', security: secured, request: { params: IdParam }, responses: { 200: jsonContent(ChargeView, 'The charge'), 404: errors[404] } });
const list = createRoute({ method: 'get', path: '/v1/charges', security: secured, request: { query: CustomerListQuery }, responses: { 200: jsonContent(ChargeList, 'Charges, newest first'), 400: errors[400] } });
const refund = createRoute({ method: 'post', path: '/v1/charges/{id}/refunds', security: secured, request: { params: IdParam, ...jsonBody(RefundCreate) }, responses: { 201: jsonContent(RefundView, 'The refund'), 400: errors[400], 404: errors[404] } });

export const chargeRoutes = router()
  .openapi(create, async (c) => {
    const body = c.req.valid('json');
    const deps = c.get('deps');
    const merchant = c.get('merchant');
    const ref = c.get('idempotencyRef');
    if (!ref) throw new ApiError('parameter_missing', 'This request needs an Idempotency-Key header', { param: 'Idempotency-Key' });
    // The key (in this life of it) is the processor reference: a retry after a crash gets the first result, never a second charge.
    const row = await merchantCharge(deps, {
      merchant, customer: body.customer, card: body.card, amount: body.amount, currency: body.currency,
      order: body.order ?? null, mandate: body.mandate, reference: `idem:${merchant.id}:${ref}`,
    });
    if (row.status !== 'succeeded') throw declineError(row);
    return c.json(toChargeView(row), 201);
  })
  .openapi(read, async (c) => {
    const row = await c.get('deps').db.selectFrom('charges').selectAll().where('id', '=', c.req.valid('param').id).where('merchant_id', '=', c.get('merchant').id).executeTakeFirst();
    if (!row) throw notFound('charge', 'id');
    return c.json(toChargeView(row), 200);
  })
  .openapi(list, async (c) => {
    const { customer, limit, starting_after } = c.req.valid('query');
    const { db } = c.get('deps');
    const { rows, hasMore } = await listPage(db, 'charges', { merchantId: c.get('merchant').id, limit, startingAfter: starting_after, filter: { customer } });
    return c.json({ data: rows.map(toChargeView), has_more: hasMore }, 200);
  })
  .openapi(refund, async (c) => {
    const { id } = c.req.valid('param');
    const { amount } = c.req.valid('json');
    const deps = c.get('deps');
    const charge = await deps.db.selectFrom('charges').selectAll().where('id', '=', id).where('merchant_id', '=', c.get('merchant').id).executeTakeFirst();
    if (!charge) throw notFound('charge', 'id');
    const row = await refundCharge(deps, charge, amount, c.get('idempotencyRef'));
    return c.json(toRefundView(row, charge.currency), 201);
  });
