// The outbox of messages sent to customers, as the demo shows it: the merchant's own messages only.
import { createRoute } from '@hono/zod-openapi';
import { CustomerListQuery, MessageList } from '../../protocol/api.ts';
import { errors, jsonContent, router, secured } from './openapi.ts';
import { listPage } from './list-page.ts';

const list = createRoute({
  method: 'get', path: '/v1/messages', security: secured,
  request: { query: CustomerListQuery },
  responses: { 200: jsonContent(MessageList, 'Messages to customers, newest first'), 400: errors[400] },
});

export const messageRoutes = router().openapi(list, async (c) => {
  const { customer, limit, starting_after } = c.req.valid('query');
  const { db } = c.get('deps');
  const { rows, hasMore } = await listPage(db, 'messages', { merchantId: c.get('merchant').id, limit, startingAfter: starting_after, filter: { customer } });
  const data = rows.map((m) => ({
    id: m.id, customer: m.customer, channel: m.channel as 'email' | 'sms', recipient: m.recipient, template: m.template, locale: m.locale,
    subject: m.subject, body: m.body, transport: m.transport, status: m.status as 'queued' | 'sent' | 'failed', error: m.error, created: m.created_at,
  }));
  return c.json({ data, has_more: hasMore }, 200);
});
