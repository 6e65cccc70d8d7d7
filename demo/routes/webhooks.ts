// The webhook receiver: POST /webhooks verifies and keeps the vault's deliveries, GET /webhooks shows them.
import { Hono } from 'hono';
import { webhooksPage } from '../pages/webhooks.ts';
import { SIGNATURE_HEADER } from '../webhook-inbox.ts';
import type { ShopContext } from './context.ts';

/** The largest webhook body the receiver reads (the vault's events are far smaller). */
const MAX_WEBHOOK_BODY = 1024 * 1024;

export function webhookRoutes(shop: ShopContext): Hono {
  const { inbox } = shop;
  const app = new Hono();
  app.post('/webhooks', async (c) => {
    const length = Number(c.req.header('content-length') ?? 0);
    if (length > MAX_WEBHOOK_BODY) return c.json({ error: 'body_too_large' }, 413);
    // The raw bytes: the signature covers exactly what was sent, not JSON parsed and written again.
    const raw = Buffer.from(await c.req.arrayBuffer());
    if (raw.length > MAX_WEBHOOK_BODY) return c.json({ error: 'body_too_large' }, 413);
    const outcome = inbox.receive(raw, c.req.header(SIGNATURE_HEADER));
    if (outcome.status === 400) {
      console.warn(`demo shop: webhook refused (${outcome.reason}): ${outcome.message}`);
      return c.json({ error: outcome.reason, message: outcome.message }, 400);
    }
    return c.json({ received: true, id: outcome.event.id, duplicate: outcome.duplicate }, 200);
  });
  app.get('/webhooks', (c) => {
    const endpoint = `${shop.shopOrigin}/webhooks`;
    return c.html(webhooksPage(shop.pageContext(c), { events: inbox.list(), verifying: inbox.verifying, endpoint }));
  });
  return app;
}
