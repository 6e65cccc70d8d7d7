// The merchant as the API shows it (GET/POST /v1/merchant): its settings and its processor account,
// never a secret nor the hash of one.
import type { MerchantView } from '../../protocol/api.ts';
import type { Merchant } from './merchant-store.ts';
import { processorAccountView } from './processor-account.ts';

/** What the merchant may read back: built field by field, so no secret (nor its hash) can slip in. */
export function toMerchantView(m: Merchant, now: Date): MerchantView {
  const previousUntil = m.previous_secret_key_until;
  return {
    id: m.id,
    name: m.name,
    group: m.group_id,
    publishable_key: m.publishable_key,
    allowed_origins: m.allowed_origins,
    webhook_url: m.webhook_url,
    auto_pay_days: m.auto_pay_days,
    need_cvc: m.need_cvc,
    three_d_secure: m.three_d_secure,
    one_click_after: m.one_click_after,
    rate_limit: m.rate_limit,
    frame_limit_per_address: m.frame_limit_per_address,
    created_at: m.created_at,
    livemode: m.livemode,
    // A live merchant has no simulated fallback: until a real processor's account is set there is none to show.
    processor: m.livemode && (m.processor?.type ?? 'simulated') === 'simulated' ? null : processorAccountView(m.processor),
    // A previous key past its time authenticates nothing: there is none to speak of.
    previous_secret_key_expires_at: previousUntil && previousUntil > now.toISOString() ? previousUntil : null,
  };
}
