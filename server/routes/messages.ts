// The outbox of messages sent to customers, as the demo shows it: the merchant's own messages only.
import { createRoute, z } from '@hono/zod-openapi';
import { CustomerNumber, ListQuery } from '../../protocol/api.ts';
import { ApiError } from '../errors.ts';
import { errors, jsonContent, router, secured } from './openapi.ts';

const Message = z.object({
  id: z.string(),
  customer: z.string(),
  channel: z.enum(['email', 'sms']),
  recipient: z.string(),
  template: z.string(),
  locale: z.string(),
  subject: z.string().nullable(),
  body: z.string(),
  /** outbox, smtp, or the SMS provider's name. */
  transport: z.string(),
  status: z.enum(['queued', 'sent', 'failed']),
  error: z.string().nullable(),
  created: z.string(),
}).openapi('Message');
const MessageList = z.object({ data: z.array(Message), has_more: z.boolean() });

const list = createRoute({
  method: 'get', path: '/v1/messages', security: secured,
  request: { query: ListQuery.extend({ customer: CustomerNumber.optional() }) },
  responses: { 200: jsonContent(MessageList, 'Messages to customers, newest first'), 400: errors[400] },
});

export const messageRoutes = router().openapi(list, async (c) => {
  const { customer, limit, starting_after } = c.req.valid('query');
  const { db } = c.get('deps');
  const merchant = c.get('merchant').id;
  let q = db.selectFrom('messages').selectAll().where('merchant_id', '=', merchant);
  if (customer) q = q.where('customer', '=', customer);
  if (starting_after) {
    const cursor = await db.selectFrom('messages').select(['id', 'created_at']).where('id', '=', starting_after).where('merchant_id', '=', merchant).executeTakeFirst();
    if (!cursor) throw new ApiError('resource_missing', 'No such message for starting_after', { param: 'starting_after' });
    q = q.where((eb) => eb.or([eb('created_at', '<', cursor.created_at), eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const data = rows.slice(0, limit).map((m) => ({
    id: m.id, customer: m.customer, channel: m.channel as 'email' | 'sms', recipient: m.recipient, template: m.template, locale: m.locale,
    subject: m.subject, body: m.body, transport: m.transport, status: m.status as 'queued' | 'sent' | 'failed', error: m.error, created: m.created_at,
  }));
  return c.json({ data, has_more: rows.length > limit }, 200);
});
