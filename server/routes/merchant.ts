// GET/POST /v1/merchant: the authenticated merchant reads and changes its settings, its processor
// account included (the credentials are sealed before they are written and never shown again).
import { createRoute } from '@hono/zod-openapi';
import { MerchantSettingsUpdate, MerchantView, type ProcessorSettingsUpdate } from '../../protocol/api.ts';
import { ApiError } from '../errors.ts';
import { vetWebhookUrl, WebhookTargetRefused } from '../jobs/webhook-target.ts';
import { findById, frameLimitProblem, toView, type Merchant } from '../merchants/merchant-store.ts';
import { sealProcessorSettings } from '../merchants/processor-account.ts';
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
    if (body.processor) checkProcessorMode(c.get('merchant'), body.processor);
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      if (value === undefined) continue;
      // Sealed here, bound to this merchant: the credentials reach no column, log or response in the clear.
      if (key === 'processor') set[key] = JSON.stringify(sealProcessorSettings(c.get('deps').ring, c.get('merchant').id, value as ProcessorSettingsUpdate));
      else if (key === 'allowed_origins') set[key] = JSON.stringify((value as string[]).map((o) => new URL(o).origin));
      else if (key === 'need_cvc') set[key] = value ? 1 : 0;
      else set[key] = value;
    }
    if (Object.keys(set).length > 0) await db.updateTable('merchants').set(set).where('id', '=', c.get('merchant').id).execute();
    c.get('deps').merchants.invalidate();
    return c.json(toView((await findById(db, c.get('merchant').id))!), 200);
  });

/**
 * A processor account of the merchant's own mode only: a test merchant must not move real money
 * (it is never held to the live gate), and a live one must not send real customers' cards to a
 * provider's test environment, which would decline them all.
 */
function checkProcessorMode(merchant: Merchant, processor: ProcessorSettingsUpdate): void {
  const live = merchant.livemode;
  if (processor.type === 'simulated') {
    if (live) throw new ApiError('parameter_invalid', 'processor simulated is for test mode only: a live merchant takes payments through stripe or adyen', { param: 'processor.type' });
    return;
  }
  if (processor.type === 'stripe') {
    const keyLive = /^(sk|rk)_live_/.test(processor.secret_key);
    if (keyLive !== live) {
      throw new ApiError('parameter_invalid', live
        ? 'A live merchant needs your Stripe live key (sk_live_… or rk_live_…)'
        : 'A test-mode merchant takes Stripe test keys only (sk_test_… or rk_test_…): live keys belong to a merchant created with --live', { param: 'processor.secret_key' });
    }
    return;
  }
  if ((processor.environment === 'live') !== live) {
    throw new ApiError('parameter_invalid', live
      ? 'A live merchant needs environment live and the credentials of your Adyen live account'
      : 'A test-mode merchant takes Adyen test credentials only (environment test): live ones belong to a merchant created with --live', { param: 'processor.environment' });
  }
  // The Adyen library cannot reach a live endpoint without it: https://docs.adyen.com/development-resources/live-endpoints#live-url-prefix
  if (processor.environment === 'live' && !processor.live_url_prefix) {
    throw new ApiError('parameter_missing', 'processor.live_url_prefix is required with environment live (Customer Area, Developers > API URLs)', { param: 'processor.live_url_prefix' });
  }
}
