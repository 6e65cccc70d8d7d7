// Webhook delivery records, re-delivery of one event, and signing-secret rotation.
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AttemptList, AttemptListQuery, IdParam, Redelivered, RotatedSecret, RotateSecret, type Delivery } from '../../protocol/api.ts';
import type { AppEnv } from '../context.ts';
import type { WebhookAttemptTable } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import { randomSecret } from '../ids.ts';
import { isSuccess, sendEvent, webhookMerchant } from '../jobs/webhook-worker.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const attempts = createRoute({
  method: 'get', path: '/v1/events/{id}/attempts', security: secured,
  request: { params: IdParam, query: AttemptListQuery },
  responses: { 200: jsonContent(AttemptList, "The event's delivery state and its attempts, newest first"), 404: errors[404] },
});
const redeliver = createRoute({
  method: 'post', path: '/v1/events/{id}/redeliver', security: secured, request: { params: IdParam },
  responses: { 200: jsonContent(Redelivered, 'The attempt made now, whatever its outcome'), 400: errors[400], 404: errors[404] },
});
const rotate = createRoute({
  method: 'post', path: '/v1/webhooks/rotate_secret', security: secured, request: jsonBody(RotateSecret),
  responses: { 200: jsonContent(RotatedSecret, 'The new signing secret, shown this once'), 400: errors[400] },
});

const toAttempt = (a: WebhookAttemptTable) => ({ id: a.id, event: a.event_id, url: a.url, status_code: a.status_code, error: a.error, duration_ms: a.duration_ms, created: a.created_at });

async function findEvent(c: Context<AppEnv>, id: string) {
  const event = await c.get('deps').db.selectFrom('events').selectAll().where('id', '=', id).where('merchant_id', '=', c.get('merchant').id).executeTakeFirst();
  if (!event) throw notFound('event', 'id');
  return event;
}

const deliveryOf = (e: { delivery?: string | null; attempts?: number; next_attempt_at?: string | null }) => ({
  status: (e.delivery ?? 'pending') as Delivery['status'],
  attempts: e.attempts ?? 0,
  next_attempt_at: e.next_attempt_at ?? null,
});

export const webhookRoutes = router()
  .openapi(attempts, async (c) => {
    const { id } = c.req.valid('param');
    const { limit } = c.req.valid('query');
    const event = await findEvent(c, id);
    const rows = await c.get('deps').db.selectFrom('webhook_attempts').selectAll().where('event_id', '=', event.id)
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return c.json({ data: rows.slice(0, limit).map(toAttempt), has_more: rows.length > limit, delivery: deliveryOf(event) }, 200);
  })
  .openapi(redeliver, async (c) => {
    const { id } = c.req.valid('param');
    const deps = c.get('deps');
    const event = await findEvent(c, id);
    const merchant = await webhookMerchant(deps, event.merchant_id);
    if (!merchant?.webhook_url) throw new ApiError('parameter_missing', 'The merchant has no webhook_url: set it with POST /v1/merchant first', { param: 'webhook_url' });
    // One attempt now, outside the retry schedule; a success ends the schedule, a failure leaves it as it was.
    const attempt = await sendEvent(deps, merchant, event, deps.clock());
    let after = event;
    if (isSuccess(attempt.status_code)) {
      await deps.db.updateTable('events').set({ delivery: 'delivered', next_attempt_at: null }).where('id', '=', event.id).execute();
      after = { ...event, delivery: 'delivered', next_attempt_at: null };
    }
    return c.json({ ...toAttempt(attempt), delivery: deliveryOf(after) }, 200);
  })
  .openapi(rotate, async (c) => {
    const { expire_previous_in = 24 * 3600 } = c.req.valid('json');
    const { db, clock, merchants } = c.get('deps');
    const webhook_secret = `whsec_${randomSecret(24)}`;
    const until = new Date(clock().getTime() + expire_previous_in * 1000).toISOString();
    // One statement: whatever secret is current at that instant becomes the previous one (no read-then-write gap).
    await db.updateTable('merchants')
      .set((eb) => ({ previous_webhook_secret: eb.ref('webhook_secret'), previous_webhook_secret_until: until, webhook_secret }))
      .where('id', '=', c.get('merchant').id)
      .execute();
    merchants.invalidate();
    return c.json({ webhook_secret, previous_secret_expires_at: until }, 200);
  });
