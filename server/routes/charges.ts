// Charges: merchant-initiated charges under a mandate, reading the ledger, and refunds that never exceed the charge.
import { createRoute } from '@hono/zod-openapi';
import { ChargeCreate, ChargeList, ChargeListQuery, ChargeView, IdParam, RefundCreate, RefundList, RefundView } from '../../protocol/api.ts';
import { listCharges } from '../charges/charge-list.ts';
import { getCharge } from '../charges/charge-store.ts';
import { declineError, toChargeView } from '../charges/charge-view.ts';
import { keyRequiredPost } from '../middleware/key-required.ts';
import { merchantCharge } from '../payments/merchant-charge.ts';
import { refundCharge } from '../payments/refund-charge.ts';
import { listRefunds } from '../refunds/refund-store.ts';
import { toRefundView } from '../refunds/refund-view.ts';
import { ErrorSchema, errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const create = createRoute({
  ...keyRequiredPost('/v1/charges'),
  operationId: 'createCharge',
  security: secured,
  summary: 'A merchant-initiated charge of a saved card (Idempotency-Key required)',
  request: jsonBody(ChargeCreate),
  responses: {
    201: jsonContent(ChargeView, 'The charge succeeded'),
    402: jsonContent(
      ErrorSchema,
      'A mandate, limit or expiry check failed (no charge recorded), or the card was declined (the error names the recorded charge)',
    ),
    404: errors[404],
    409: errors[409],
    502: jsonContent(ErrorSchema, 'The processor could not be reached; retry with the same key'),
  },
});
const read = createRoute({
  method: 'get',
  path: '/v1/charges/{id}',
  operationId: 'getCharge',
  summary: 'Read a charge',
  security: secured,
  request: { params: IdParam },
  responses: { 200: jsonContent(ChargeView, 'The charge'), 404: errors[404] },
});
const list = createRoute({
  method: 'get',
  path: '/v1/charges',
  operationId: 'listCharges',
  summary: 'List charges',
  security: secured,
  request: { query: ChargeListQuery },
  responses: { 200: jsonContent(ChargeList, 'Charges, newest first'), 400: errors[400], 404: errors[404] },
});
const refund = createRoute({
  method: 'post',
  path: '/v1/charges/{id}/refunds',
  operationId: 'createRefund',
  summary: 'Refund a charge, in full or in part',
  security: secured,
  request: { params: IdParam, ...jsonBody(RefundCreate) },
  responses: { 201: jsonContent(RefundView, 'The refund'), 400: errors[400], 404: errors[404] },
});
const refunds = createRoute({
  method: 'get',
  path: '/v1/charges/{id}/refunds',
  operationId: 'listRefunds',
  summary: "List a charge's refunds",
  security: secured,
  request: { params: IdParam },
  responses: { 200: jsonContent(RefundList, 'Its settled refunds, oldest first'), 404: errors[404] },
});

export const chargeRoutes = router()
  .openapi(create, async (c) => {
    const body = c.req.valid('json');
    const merchant = c.get('merchant');
    // Always set: the middleware refuses this path without a key (key-required.ts, which this route's definition names).
    // The key (in this life of it) makes the processor reference: a retry after a crash gets the first result, never a second charge.
    const idempotencyRef = c.get('idempotencyRef')!;
    const deps = c.get('deps');
    const answer = c.get('idempotentAnswer');
    const row = await merchantCharge(deps, {
      merchant,
      customer: body.customer,
      card: body.card,
      amount: body.amount,
      currency: body.currency,
      order: body.order ?? null,
      mandate: body.mandate,
      idempotencyRef,
      fresh: c.get('idempotencyFresh'),
      // The answer commits with the charge it reports: exactly what this handler sends below.
      onRecorded:
        answer &&
        (async (atomic, charge) =>
          answer(
            atomic,
            charge.status === 'succeeded' ? 201 : 402,
            JSON.stringify(charge.status === 'succeeded' ? toChargeView(charge) : declineError(charge).body()),
          )),
    });
    if (row.status !== 'succeeded') throw declineError(row);
    return c.json(toChargeView(row), 201);
  })
  .openapi(read, async (c) => {
    const row = await getCharge(c.get('deps').db, c.get('merchant').id, c.req.valid('param').id);
    return c.json(toChargeView(row), 200);
  })
  .openapi(list, async (c) => {
    const q = c.req.valid('query');
    const { rows, hasMore } = await listCharges(c.get('deps').db, c.get('merchant').id, {
      limit: q.limit,
      startingAfter: q.starting_after,
      customer: q.customer,
      status: q.status,
      initiator: q.initiator,
      createdGte: q.created_gte,
      createdLt: q.created_lt,
      order: q.order,
    });
    return c.json({ data: rows.map(toChargeView), has_more: hasMore }, 200);
  })
  .openapi(refunds, async (c) => {
    const { db } = c.get('deps');
    const charge = await getCharge(db, c.get('merchant').id, c.req.valid('param').id);
    const rows = await listRefunds(db, charge.id);
    return c.json({ data: rows.map((r) => toRefundView(r, charge.currency)), has_more: false as const }, 200);
  })
  .openapi(refund, async (c) => {
    const { amount } = c.req.valid('json');
    const deps = c.get('deps');
    const charge = await getCharge(deps.db, c.get('merchant').id, c.req.valid('param').id);
    const row = await refundCharge(deps, charge, amount, c.get('idempotencyRef'));
    return c.json(toRefundView(row, charge.currency), 201);
  });
