// GET /v1/events: what happened in the merchant's account, newest first.
import { createRoute } from '@hono/zod-openapi';
import { EventList, EventListQuery } from '../../protocol/api.ts';
import { jsonContent, router, secured, errors } from './openapi.ts';
import { listPage } from './list-page.ts';

const list = createRoute({ method: 'get', path: '/v1/events', security: secured, request: { query: EventListQuery }, responses: { 200: jsonContent(EventList, 'Events, newest first'), 400: errors[400] } });

export const eventRoutes = router().openapi(list, async (c) => {
  const { type, limit, starting_after } = c.req.valid('query');
  const { db } = c.get('deps');
  const { rows, hasMore } = await listPage(db, 'events', { merchantId: c.get('merchant').id, limit, startingAfter: starting_after, filter: { type } });
  const data = rows.map((r) => ({ id: r.id, type: r.type, created: r.created_at, data: JSON.parse(r.data) }));
  return c.json({ data, has_more: hasMore }, 200);
});
