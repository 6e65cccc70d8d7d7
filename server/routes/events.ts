// GET /v1/events: what happened in the merchant's account, newest first.
import { createRoute, z } from '@hono/zod-openapi';
import { ListQuery } from '../../protocol/api.ts';
import { ApiError } from '../errors.ts';
import { jsonContent, router, secured, errors } from './openapi.ts';

const Event = z.object({ id: z.string(), type: z.string(), created: z.string(), data: z.record(z.string(), z.unknown()) });
const EventList = z.object({ data: z.array(Event), has_more: z.boolean() });
const list = createRoute({ method: 'get', path: '/v1/events', security: secured, request: { query: ListQuery.extend({ type: z.string().max(64).optional() }) }, responses: { 200: jsonContent(EventList, 'Events, newest first'), 400: errors[400] } });

export const eventRoutes = router().openapi(list, async (c) => {
  const { type, limit, starting_after } = c.req.valid('query');
  const { db } = c.get('deps');
  const merchant = c.get('merchant').id;
  let q = db.selectFrom('events').selectAll().where('merchant_id', '=', merchant);
  if (type) q = q.where('type', '=', type);
  if (starting_after) {
    const cursor = await db.selectFrom('events').select(['id', 'created_at']).where('id', '=', starting_after).where('merchant_id', '=', merchant).executeTakeFirst();
    if (!cursor) throw new ApiError('resource_missing', 'No such event for starting_after', { param: 'starting_after' });
    q = q.where((eb) => eb.or([eb('created_at', '<', cursor.created_at), eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const data = rows.slice(0, limit).map((r) => ({ id: r.id, type: r.type, created: r.created_at, data: JSON.parse(r.data) }));
  return c.json({ data, has_more: rows.length > limit }, 200);
});
