// GET /v1/events: what happened in the merchant's account, newest first.
import { createRoute } from '@hono/zod-openapi';
import { EventList, EventListQuery } from '../../protocol/api.ts';
import { listEvents } from '../events/event-store.ts';
import { toEventView } from '../events/event-view.ts';
import { jsonContent, router, secured, errors } from './openapi.ts';

const list = createRoute({
  method: 'get',
  path: '/v1/events',
  operationId: 'listEvents',
  summary: 'List events',
  security: secured,
  request: { query: EventListQuery },
  responses: { 200: jsonContent(EventList, 'Events, newest first'), 400: errors[400] },
});

export const eventRoutes = router().openapi(list, async (c) => {
  const { type, limit, starting_after } = c.req.valid('query');
  const { rows, hasMore } = await listEvents(c.get('deps').db, c.get('merchant').id, { limit, startingAfter: starting_after, type });
  return c.json({ data: rows.map(toEventView), has_more: hasMore }, 200);
});
