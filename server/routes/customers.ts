// GET/POST /v1/customers/:customer: a customer's status, contact and limits in the merchant group;
// GET /v1/customers: the group's customers, by number.
import { createRoute } from '@hono/zod-openapi';
import { CustomerList, CustomerParam, CustomersQuery, CustomerUpdate, CustomerView } from '../../protocol/api.ts';
import { changeCustomer } from '../customers/change-customer.ts';
import { getCustomer, listCustomersForView } from '../customers/customer-store.ts';
import { toCustomerView } from '../customers/customer-view.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const list = createRoute({
  method: 'get',
  path: '/v1/customers',
  operationId: 'listCustomers',
  summary: "List your group's customers",
  security: secured,
  request: { query: CustomersQuery },
  responses: { 200: jsonContent(CustomerList, 'Customers in order of their number'), 400: errors[400] },
});
const read = createRoute({
  method: 'get',
  path: '/v1/customers/{customer}',
  operationId: 'getCustomer',
  summary: 'Read a customer',
  security: secured,
  request: { params: CustomerParam },
  responses: { 200: jsonContent(CustomerView, 'The customer'), 400: errors[400] },
});
const upsert = createRoute({
  method: 'post',
  path: '/v1/customers/{customer}',
  operationId: 'updateCustomer',
  summary: 'Create or change a customer',
  security: secured,
  request: { params: CustomerParam, ...jsonBody(CustomerUpdate) },
  responses: { 200: jsonContent(CustomerView, 'The customer after the change'), 400: errors[400] },
});

export const customerRoutes = router()
  .openapi(list, async (c) => {
    const { limit, starting_after, prefix, status } = c.req.valid('query');
    const { db, dbKind } = c.get('deps');
    const { data, hasMore } = await listCustomersForView(db, dbKind, c.get('merchant').group_id, { limit, startingAfter: starting_after, prefix, status });
    return c.json({ data, has_more: hasMore }, 200);
  })
  .openapi(read, async (c) => {
    const { customer } = c.req.valid('param');
    return c.json(toCustomerView(customer, await getCustomer(c.get('deps').db, c.get('merchant').group_id, customer)), 200);
  })
  .openapi(upsert, async (c) => {
    const { customer } = c.req.valid('param');
    const { db, clock } = c.get('deps');
    const row = await changeCustomer(db, c.get('merchant').group_id, customer, c.req.valid('json'), clock());
    return c.json(toCustomerView(customer, row), 200);
  });
