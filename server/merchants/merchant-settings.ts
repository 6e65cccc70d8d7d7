// POST /v1/merchant: the merchant changes its settings, its processor account included. Each value is
// checked while the merchant is looking; the credentials are sealed, bound to this merchant, before
// they are written, and reach no column, log or response in the clear.
import type { Updateable } from 'kysely';
import type { z } from 'zod';
import type { MerchantSettingsUpdate, ProcessorSettingsUpdate } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { MerchantTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { vetWebhookUrl, WebhookTargetRefused } from '../jobs/webhook-target.ts';
import { originsProblem } from './merchant-origins.ts';
import { findById, frameLimitProblem, updateMerchant, type Merchant } from './merchant-store.ts';
import { CONNECTOR_TYPES } from '../payments/processor.ts';
import { checkConnectorMode, keyLast4 } from '../processors/index.ts';
import { sealProcessorSettings } from './processor-account.ts';

type SettingsDeps = Pick<Deps, 'db' | 'ring' | 'webhookTargets' | 'fieldsCaps' | 'merchants'>;
type Settings = z.output<typeof MerchantSettingsUpdate>;

/**
 * Applies the change and answers the merchant as it is now. `currentKey`, the key the request came with,
 * must still be the current one when the change is written (merchant-store.ts); undefined for the
 * dashboard's staff.
 */
export async function changeMerchantSettings(deps: SettingsDeps, merchant: Merchant, body: Settings, currentKey: string | undefined): Promise<Merchant> {
  // Checked now so that a bad URL is refused while the merchant is looking; delivery checks again.
  if (body.webhook_url) {
    await vetWebhookUrl(deps.webhookTargets, body.webhook_url, { live: merchant.livemode }).catch((err: unknown) => {
      if (err instanceof WebhookTargetRefused) throw new ApiError('parameter_invalid', err.message, { param: 'webhook_url' });
      throw err;
    });
  }
  const origins = body.allowed_origins && originsProblem(body.allowed_origins, merchant.livemode);
  if (origins) throw new ApiError('parameter_invalid', origins, { param: 'allowed_origins' });
  const frameLimit = body.frame_limit_per_address === undefined ? undefined : frameLimitProblem(body.frame_limit_per_address, deps.fieldsCaps.maxPerAddress);
  if (frameLimit) throw new ApiError('parameter_invalid', frameLimit, { param: 'frame_limit_per_address' });
  if (body.processor) checkProcessorMode(merchant, body.processor);
  // A value left out stays as it is (kysely writes no column whose value is undefined); every setting has its line.
  const set: Updateable<MerchantTable> = {
    name: body.name,
    allowed_origins: body.allowed_origins && JSON.stringify(body.allowed_origins.map((o) => new URL(o).origin)),
    webhook_url: body.webhook_url,
    auto_pay_days: body.auto_pay_days,
    need_cvc: body.need_cvc === undefined ? undefined : body.need_cvc ? 1 : 0,
    three_d_secure: body.three_d_secure,
    one_click_after: body.one_click_after,
    rate_limit: body.rate_limit,
    frame_limit_per_address: body.frame_limit_per_address,
    processor: body.processor && JSON.stringify(sealProcessorSettings(deps.ring, merchant.id, body.processor, keyLast4(body.processor))),
  } satisfies Record<keyof Settings, unknown>;
  await updateMerchant(deps.db, merchant.id, set, currentKey);
  deps.merchants.invalidate();
  return (await findById(deps.db, merchant.id))!;
}

/**
 * A processor account of the merchant's own mode only: a test merchant must not move real money
 * (it is never held to the live gate), and a live one must not send real customers' cards to a
 * provider's test environment, which would decline them all. Each connector checks its own settings.
 */
function checkProcessorMode(merchant: Merchant, processor: ProcessorSettingsUpdate): void {
  const live = merchant.livemode;
  if (processor.type !== 'simulated') {
    checkConnectorMode(processor, live);
  } else if (live) {
    throw new ApiError(
      'parameter_invalid',
      `processor simulated is for test mode only: a live merchant takes payments through ${CONNECTOR_TYPES.join(' or ')}`,
      { param: 'processor.type' },
    );
  }
}
