// GET/POST /v1/customers/:customer: a customer's status, contact and limits in the merchant group.
import { createRoute } from '@hono/zod-openapi';
import { CustomerParam, CustomerUpdate, CustomerView } from '../../protocol/api.ts';
import { ensureCustomer, getCustomer, toCustomerView } from '../customers/customer-store.ts';
import type { CustomerTable } from '../db/schema.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const read = createRoute({ method: 'get', path: '/v1/customers/{customer}', security: secured, request: { params: CustomerParam }, responses: { 200: jsonContent(CustomerView, 'The customer'), 400: errors[400] } });
const upsert = createRoute({ method: 'post', path: '/v1/customers/{customer}', security: secured, request: { params: CustomerParam, ...jsonBody(CustomerUpdate) }, responses: { 200: jsonContent(CustomerView, 'The customer after the change'), 400: errors[400] } });

/** The view, with the language of the customer's messages when one was chosen. */
function view(customer: string, row: CustomerTable | undefined): CustomerView {
  const out = toCustomerView(customer, row);
  if (row?.locale) out.locale = row.locale as CustomerView['locale'];
  return out;
}

export const customerRoutes = router()
  .openapi(read, async (c) => {
    const { customer } = c.req.valid('param');
    return c.json(view(customer, await getCustomer(c.get('deps').db, c.get('merchant').group_id, customer)), 200);
  })
  .openapi(upsert, async (c) => {
    const { customer } = c.req.valid('param');
    const body = c.req.valid('json');
    const { db, clock } = c.get('deps');
    const group = c.get('merchant').group_id;
    const now = clock();
    const updated = await db.transaction().execute(async (trx) => {
      const row = await ensureCustomer(trx, group, customer, now);
      const set: Record<string, unknown> = { updated_at: now.toISOString() };
      if (body.status === 'deny') set.status = 'deny';
      // Lifting a refusal leaves a customer with saved cards a member.
      if (body.status === 'none') set.status = row.default_card || (await trx.selectFrom('cards').select('token').where('group_id', '=', group).where('customer', '=', customer).where('deleted_at', 'is', null).executeTakeFirst()) ? 'member' : 'none';
      if (body.email !== undefined) set.email = body.email;
      if (body.phone !== undefined) set.phone = body.phone;
      if (body.limits?.daily !== undefined) set.limit_daily = body.limits.daily;
      if (body.limits?.weekly !== undefined) set.limit_weekly = body.limits.weekly;
      if (body.locale !== undefined) set.locale = body.locale;
      await trx.updateTable('customers').set(set).where('group_id', '=', group).where('customer', '=', customer).execute();
      return view(customer, await getCustomer(trx, group, customer));
    });
    return c.json(updated, 200);
  });
