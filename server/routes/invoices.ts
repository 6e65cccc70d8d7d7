// Invoices, paid automatically from the customer's default card before they are due (the scheduler
// does the paying: server/jobs/scheduler.ts).
import { createRoute } from '@hono/zod-openapi';
import { CustomerListQuery, IdParam, InvoiceCreate, InvoiceList, InvoiceView } from '../../protocol/api.ts';
import type { InvoiceTable } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { dayOf } from '../payments/mandates.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';
import { listPage } from './list-page.ts';

const create = createRoute({ method: 'post', path: '/v1/invoices', security: secured, request: jsonBody(InvoiceCreate), responses: { 201: jsonContent(InvoiceView, 'The open invoice'), 400: errors[400] } });
const read = createRoute({ method: 'get', path: '/v1/invoices/{id}', security: secured, request: { params: IdParam }, responses: { 200: jsonContent(InvoiceView, 'The invoice'), 404: errors[404] } });
const list = createRoute({ method: 'get', path: '/v1/invoices', security: secured, request: { query: CustomerListQuery }, responses: { 200: jsonContent(InvoiceList, 'Invoices, newest first'), 400: errors[400] } });

/** An open invoice past its due date reads as past_due even before the scheduler has stored it. */
function toInvoiceView(row: InvoiceTable, today: string): InvoiceView {
  const status = row.status === 'open' && row.due_date < today ? 'past_due' : row.status;
  return {
    id: row.id,
    status,
    customer: row.customer,
    amount: row.amount,
    currency: row.currency,
    due_date: row.due_date,
    description: row.description,
    auto_pay: row.auto_pay === 1,
    charge: row.charge_id,
    created: row.created_at,
    paid_at: row.paid_at,
    attempts: row.attempts,
    last_attempt_on: row.last_attempt_on,
    failure_code: row.failure_code,
  };
}

export const invoiceRoutes = router()
  .openapi(create, async (c) => {
    const body = c.req.valid('json');
    const { db, clock } = c.get('deps');
    const merchant = c.get('merchant');
    const now = clock();
    if (body.due_date < dayOf(now)) throw new ApiError('parameter_invalid', 'due_date must not be in the past', { param: 'due_date' });
    const row: InvoiceTable = {
      id: newId('inv'), merchant_id: merchant.id, group_id: merchant.group_id, customer: body.customer,
      amount: body.amount, currency: body.currency, due_date: body.due_date, description: body.description ?? null,
      auto_pay: body.auto_pay ? 1 : 0, status: 'open', last_attempt_on: null, attempts: 0, charge_id: null,
      failure_code: null, created_at: now.toISOString(), paid_at: null,
    };
    await db.insertInto('invoices').values(row).execute();
    return c.json(toInvoiceView(row, dayOf(now)), 201);
  })
  .openapi(read, async (c) => {
    const { db, clock } = c.get('deps');
    const row = await db.selectFrom('invoices').selectAll().where('id', '=', c.req.valid('param').id).where('merchant_id', '=', c.get('merchant').id).executeTakeFirst();
    if (!row) throw notFound('invoice', 'id');
    return c.json(toInvoiceView(row, dayOf(clock())), 200);
  })
  .openapi(list, async (c) => {
    const { customer, limit, starting_after } = c.req.valid('query');
    const { db, clock } = c.get('deps');
    const { rows, hasMore } = await listPage(db, 'invoices', { merchantId: c.get('merchant').id, limit, startingAfter: starting_after, filter: { customer } });
    const today = dayOf(clock());
    return c.json({ data: rows.map((row) => toInvoiceView(row, today)), has_more: hasMore }, 200);
  });
