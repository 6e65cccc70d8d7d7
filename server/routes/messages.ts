// The outbox of messages sent to customers, as the demo shows it: the merchant's own messages only.
import { createRoute } from '@hono/zod-openapi';
import { CustomerListQuery, MessageList } from '../../protocol/api.ts';
import { listMessages } from '../messages/message-store.ts';
import { toMessageView } from '../messages/message-view.ts';
import { errors, jsonContent, router, secured } from './openapi.ts';

const list = createRoute({
  method: 'get',
  path: '/v1/messages',
  operationId: 'listMessages',
  summary: 'List the messages sent to customers',
  security: secured,
  request: { query: CustomerListQuery },
  responses: { 200: jsonContent(MessageList, 'Messages to customers, newest first'), 400: errors[400] },
});

export const messageRoutes = router().openapi(list, async (c) => {
  const { customer, limit, starting_after } = c.req.valid('query');
  const { rows, hasMore } = await listMessages(c.get('deps').db, c.get('merchant').id, { limit, startingAfter: starting_after, customer });
  return c.json({ data: rows.map(toMessageView), has_more: hasMore }, 200);
});
