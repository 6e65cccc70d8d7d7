// POST /processor-webhooks/:merchant: a provider's own notifications (Stripe's signed events, Adyen's
// HMAC-signed notifications). The signature is checked with the provider's library against the
// merchant's own secret before anything in the body is believed; a bad one is refused with 401, so
// the provider retries and an attacker learns nothing.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../context.ts';
import { ApiError, errorResponse } from '../errors.ts';
import { NotificationSignatureError } from '../payments/processor.ts';
import { notificationAck } from '../processors/index.ts';
import { applyNotification } from '../processors/notifications.ts';
import { soundNotifications } from '../processors/notification-schema.ts';

const MAX_BODY = 1024 * 1024;

export const processorWebhookRoutes = new Hono<AppEnv>().post(
  '/processor-webhooks/:merchant',
  bodyLimit({ maxSize: MAX_BODY, onError: (c) => errorResponse(c, new ApiError('body_too_large', 'The body is larger than 1 MB')) }),
  async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('merchant');
    const merchant = /^mer_[\w-]{1,64}$/.test(id) ? await deps.merchants.byId(id) : undefined;
    if (!merchant) return errorResponse(c, new ApiError('resource_missing', 'No such merchant'));
    let processor: ReturnType<typeof deps.processors.for>;
    try {
      processor = deps.processors.for(merchant);
    } catch (err) {
      if (err instanceof ApiError) return errorResponse(c, err);
      throw err;
    }
    if (!processor.parseNotifications) return errorResponse(c, new ApiError('resource_missing', "This merchant's processor sends no notifications"));
    const raw = await c.req.text();
    let notifications: Awaited<ReturnType<NonNullable<typeof processor.parseNotifications>>>;
    try {
      notifications = await processor.parseNotifications(raw, Object.fromEntries(c.req.raw.headers.entries()));
    } catch (err) {
      if (err instanceof NotificationSignatureError) {
        deps.logger.warn({ merchant: merchant.id, provider: processor.type }, 'a provider notification was refused: its signature did not verify');
        return errorResponse(c, new ApiError('invalid_api_key', 'The notification signature did not verify'));
      }
      deps.logger.warn({ merchant: merchant.id, provider: processor.type, error: (err as Error).name }, 'a provider notification could not be read');
      return errorResponse(c, new ApiError('parameter_invalid', 'The notification could not be read'));
    }
    // Signed, but not what the provider sends (an amount that is not whole minor units, a reason that is
    // not text): refused whole, before any of it is applied.
    const sound = soundNotifications(notifications);
    if (!sound) {
      deps.logger.warn({ merchant: merchant.id, provider: processor.type }, 'a provider notification was refused: a value in it is not sound');
      return errorResponse(c, new ApiError('parameter_invalid', 'The notification could not be read: a value in it is not what the provider sends'));
    }
    let later = false;
    for (const n of sound) {
      const outcome = await applyNotification(deps, merchant, n);
      deps.logger.info({ merchant: merchant.id, provider: processor.type, notification: n.id, kind: n.kind, outcome }, 'provider notification');
      if (outcome === 'not_yet') later = true;
    }
    // One that cannot be matched yet (a refund still waiting for its answer) was not remembered: anything
    // but the acknowledgement makes the provider deliver again later, when the others are duplicates.
    if (later)
      return errorResponse(
        c,
        new ApiError('request_in_progress', 'A refund this notification concerns is still being settled; deliver it again later', {
          headers: { 'Retry-After': '60' },
        }),
      );
    // Each provider's own acknowledgement (its connector says which).
    const ack = notificationAck(processor.type);
    return 'text' in ack ? c.text(ack.text) : c.json(ack.json);
  },
);
