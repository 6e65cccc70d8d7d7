// Webhook delivery records of an event, its re-delivery, and the rotation of the signing secret.
// `.openapi()` names a component of /openapi.json: zod as extended by @hono/zod-openapi.
import { z } from '@hono/zod-openapi';
import { listOf } from './common.ts';

export const WebhookAttempt = z
  .object({
    id: z.string(),
    event: z.string(),
    url: z.string(),
    status_code: z.number().nullable(),
    // A class, never the socket's message: that would let a merchant map the vault's network port by port.
    error: z
      .string()
      .nullable()
      .openapi({
        description:
          'null on a 2xx; otherwise the class of the failure: timeout, connection_failed, tls_error, http_status (see status_code), ' +
          'address_not_allowed (the host did not resolve, or resolved into refused space), ' +
          'url_not_allowed (credentials, a scheme other than http(s), or http for a live-mode merchant), ' +
          "secret_unavailable (the signing secret is sealed under a key the vault's key ring no longer holds; nothing was sent)",
      }),
    duration_ms: z.number(),
    created: z.string(),
  })
  .openapi('WebhookAttempt');
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

/** Where the event's delivery stands: `none` when the merchant has no webhook_url. */
export const Delivery = z.object({
  status: z.enum(['pending', 'delivered', 'failed', 'none']),
  attempts: z.number(),
  next_attempt_at: z.string().nullable(),
});
export type Delivery = z.infer<typeof Delivery>;

export const AttemptListQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });
export const AttemptList = listOf(WebhookAttempt).extend({ delivery: Delivery });
export const Redelivered = WebhookAttempt.extend({ delivery: Delivery });

export const RotateSecret = z.strictObject({
  /** Seconds the previous secret stays valid and keeps signing deliveries (default one day; 0 ends it now). */
  expire_previous_in: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(24 * 3600),
});
export type RotateSecret = z.input<typeof RotateSecret>;
export const RotatedSecret = z.object({ webhook_secret: z.string(), previous_secret_expires_at: z.string() });
export type RotatedSecret = z.infer<typeof RotatedSecret>;
