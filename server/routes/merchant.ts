// GET/POST /v1/merchant: the authenticated merchant reads and changes its settings.
import { createRoute } from '@hono/zod-openapi';
import { MerchantSettingsUpdate, MerchantView } from '../../protocol/api.ts';
import { ApiError } from '../errors.ts';
import { vetWebhookUrl, WebhookTargetRefused } from '../jobs/webhook-target.ts';
import { findById, frameLimitProblem, toView } from '../merchants/merchant-store.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const getMerchant = createRoute({ method: 'get', path: '/v1/merchant', security: secured, responses: { 200: jsonContent(MerchantView, 'The merchant and its settings'), 401: errors[401] } });
const updateMerchant = createRoute({ method: 'post', path: '/v1/merchant', security: secured, request: jsonBody(MerchantSettingsUpdate), responses: { 200: jsonContent(MerchantView, 'The merchant after the change'), 400: errors[400], 401: errors[401] } });

export const merchantRoutes = router()
  .openapi(getMerchant, (c) => c.json(toView(c.get('merchant')), 200))
  .openapi(updateMerchant, async (c) => {
    const body = c.req.valid('json');
    const { db, webhookTargets } = c.get('deps');
    // Checked now so that a bad URL is refused while the merchant is looking; delivery checks again.
    if (body.webhook_url) {
      await vetWebhookUrl(webhookTargets, body.webhook_url).catch((err: unknown) => {
        if (err instanceof WebhookTargetRefused) throw new ApiError('parameter_invalid', err.message, { param: 'webhook_url' });
        throw err;
      });
    }
    const frameLimit = body.frame_limit_per_address === undefined ? undefined : frameLimitProblem(body.frame_limit_per_address, c.get('deps').fieldsCaps.maxPerAddress);
    if (frameLimit) throw new ApiError('parameter_invalid', frameLimit, { param: 'frame_limit_per_address' });
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      if (value === undefined) continue;
      if (key === 'allowed_origins') set[key] = JSON.stringify((value as string[]).map((o) => new URL(o).origin));
      else if (key === 'need_cvc') set[key] = value ? 1 : 0;
      else set[key] = value;
    }
    if (Object.keys(set).length > 0) await db.updateTable('merchants').set(set).where('id', '=', c.get('merchant').id).execute();
    c.get('deps').merchants.invalidate();
    return c.json(toView((await findById(db, c.get('merchant').id))!), 200);
  });
