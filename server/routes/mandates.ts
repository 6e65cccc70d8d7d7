// Recurring and card-on-file agreements: list, record one given elsewhere, cancel.
import { createRoute } from '@hono/zod-openapi';
import { CustomerParam, IdParam, MandateCreate, MandateList, MandateView } from '../../protocol/api.ts';
import { dayOf } from '../clock.ts';
import { cancelMandate } from '../mandates/cancel-mandate.ts';
import { listMandates } from '../mandates/mandate-store.ts';
import { toMandateView } from '../mandates/mandate-view.ts';
import { recordImportedMandate } from '../mandates/record-mandate.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const list = createRoute({
  method: 'get',
  path: '/v1/customers/{customer}/mandates',
  operationId: 'listMandates',
  summary: "List a customer's mandates",
  security: secured,
  request: { params: CustomerParam },
  responses: { 200: jsonContent(MandateList, "The customer's mandates with this merchant (a sister shop's are its own), newest first"), 400: errors[400] },
});
const create = createRoute({
  method: 'post',
  path: '/v1/customers/{customer}/mandates',
  operationId: 'createMandate',
  security: secured,
  summary: 'Record an agreement the customer gave elsewhere (for imported cards)',
  request: { params: CustomerParam, ...jsonBody(MandateCreate) },
  responses: { 201: jsonContent(MandateView, 'The active mandate'), 400: errors[400], 402: errors[402], 404: errors[404] },
});
const cancel = createRoute({
  method: 'delete',
  path: '/v1/mandates/{id}',
  operationId: 'cancelMandate',
  summary: 'Cancel a mandate',
  security: secured,
  request: { params: IdParam },
  responses: { 200: jsonContent(MandateView, 'The mandate, cancelled: no merchant-initiated charge succeeds on it again'), 404: errors[404] },
});

export const mandateRoutes = router()
  .openapi(list, async (c) => {
    const { customer } = c.req.valid('param');
    const { db, clock } = c.get('deps');
    const today = dayOf(clock());
    const rows = await listMandates(db, c.get('merchant').id, customer);
    return c.json({ data: rows.map((row) => toMandateView(row, today, row.card_deleted_at != null)), has_more: false as const }, 200);
  })
  .openapi(create, async (c) => {
    const { clock, db } = c.get('deps');
    const now = clock();
    const row = await recordImportedMandate(db, c.get('merchant'), c.req.valid('param').customer, c.req.valid('json'), now);
    return c.json(toMandateView(row, dayOf(now)), 201);
  })
  .openapi(cancel, async (c) => c.json(await cancelMandate(c.get('deps'), c.get('merchant'), c.req.valid('param').id), 200));
