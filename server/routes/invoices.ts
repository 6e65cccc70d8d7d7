// Invoices, paid automatically from the customer's default card before they are due (the scheduler
// does the paying: server/jobs/scheduler.ts).
import { createRoute } from '@hono/zod-openapi';
import { CustomerListQuery, IdParam, InvoiceCreate, InvoiceList, InvoiceView } from '../../protocol/api.ts';
import { dayOf } from '../clock.ts';
import { createInvoice, getInvoice, listInvoices } from '../invoices/invoice-store.ts';
import { toInvoiceView } from '../invoices/invoice-view.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';
import { shopProcessorTakes } from '../payments/processor-takes.ts';

const create = createRoute({
  method: 'post',
  path: '/v1/invoices',
  operationId: 'createInvoice',
  summary: 'Create an invoice',
  security: secured,
  request: jsonBody(InvoiceCreate),
  responses: { 201: jsonContent(InvoiceView, 'The open invoice'), 400: errors[400] },
});
const read = createRoute({
  method: 'get',
  path: '/v1/invoices/{id}',
  operationId: 'getInvoice',
  summary: 'Read an invoice and its payment attempts',
  security: secured,
  request: { params: IdParam },
  responses: { 200: jsonContent(InvoiceView, 'The invoice'), 404: errors[404] },
});
const list = createRoute({
  method: 'get',
  path: '/v1/invoices',
  operationId: 'listInvoices',
  summary: 'List invoices',
  security: secured,
  request: { query: CustomerListQuery },
  responses: { 200: jsonContent(InvoiceList, 'Invoices, newest first'), 400: errors[400] },
});

export const invoiceRoutes = router()
  .openapi(create, async (c) => {
    const now = c.get('deps').clock();
    const body = c.req.valid('json');
    // Paid automatically through the shop's processor: an amount it could not take is refused now.
    shopProcessorTakes(c.get('deps'), c.get('merchant'), body.amount, body.currency);
    const row = await createInvoice(c.get('deps').db, c.get('merchant'), body, now);
    return c.json(toInvoiceView(row, dayOf(now)), 201);
  })
  .openapi(read, async (c) => {
    const { db, clock } = c.get('deps');
    const row = await getInvoice(db, c.get('merchant').id, c.req.valid('param').id);
    return c.json(toInvoiceView(row, dayOf(clock())), 200);
  })
  .openapi(list, async (c) => {
    const { customer, limit, starting_after } = c.req.valid('query');
    const { db, clock } = c.get('deps');
    const { rows, hasMore } = await listInvoices(db, c.get('merchant').id, { limit, startingAfter: starting_after, customer });
    const today = dayOf(clock());
    return c.json({ data: rows.map((row) => toInvoiceView(row, today)), has_more: hasMore }, 200);
  });
