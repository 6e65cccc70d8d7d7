// Webhook delivery records, re-delivery of one event, and signing-secret rotation.
import { createRoute } from '@hono/zod-openapi';
import { AttemptList, AttemptListQuery, IdParam, Redelivered, RotatedSecret, RotateSecret } from '../../protocol/api.ts';
import { getEvent, listAttempts } from '../events/event-store.ts';
import { toAttemptView, toDeliveryView } from '../events/event-view.ts';
import { redeliverEvent } from '../jobs/webhook-worker.ts';
import { rotateSecretOnce } from '../merchants/rotate-webhook-secret.ts';
import { ownerKey } from '../middleware/current-key.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const attempts = createRoute({
  method: 'get',
  path: '/v1/events/{id}/attempts',
  operationId: 'listEventAttempts',
  summary: "List an event's webhook deliveries",
  security: secured,
  request: { params: IdParam, query: AttemptListQuery },
  responses: { 200: jsonContent(AttemptList, "The event's delivery state and its attempts, newest first"), 404: errors[404] },
});
const redeliver = createRoute({
  method: 'post',
  path: '/v1/events/{id}/redeliver',
  operationId: 'redeliverEvent',
  summary: 'Send an event to your webhook URL again',
  security: secured,
  request: { params: IdParam },
  responses: { 200: jsonContent(Redelivered, 'The attempt made now, whatever its outcome'), 400: errors[400], 404: errors[404] },
});
const rotate = createRoute({
  method: 'post',
  path: '/v1/webhooks/rotate_secret',
  operationId: 'rotateWebhookSecret',
  summary: 'Roll the webhook signing secret',
  security: secured,
  request: jsonBody(RotateSecret),
  responses: { 200: jsonContent(RotatedSecret, 'The new signing secret, shown this once'), 400: errors[400], 403: errors[403] },
});

export const webhookRoutes = router()
  .openapi(attempts, async (c) => {
    const { db } = c.get('deps');
    const event = await getEvent(db, c.get('merchant').id, c.req.valid('param').id);
    const { rows, hasMore } = await listAttempts(db, event.id, c.req.valid('query').limit);
    return c.json({ data: rows.map(toAttemptView), has_more: hasMore, delivery: toDeliveryView(event) }, 200);
  })
  .openapi(redeliver, async (c) => {
    const { attempt, event } = await redeliverEvent(c.get('deps'), c.get('merchant').id, c.req.valid('param').id);
    return c.json({ ...toAttemptView(attempt), delivery: toDeliveryView(event) }, 200);
  })
  .openapi(rotate, async (c) => {
    const rotated = await rotateSecretOnce(c.get('deps'), c.get('merchant'), c.req.valid('json').expire_previous_in, ownerKey(c));
    return c.json(rotated, 200);
  });
