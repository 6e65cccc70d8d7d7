// GET/POST /v1/merchant: the merchant's settings and its processor account (credentials write-only).
import { z } from 'zod';
import { err, noCardNumber, noKnownCardNumber } from './common.ts';

const Origin = z.url().refine((u) => {
  try {
    const x = new URL(u);
    return (x.protocol === 'http:' || x.protocol === 'https:') && x.origin === u.replace(/\/$/, '');
  } catch {
    return false;
  }
}, err('origins must be http(s) origins without a path, e.g. https://shop.example'));
// The server also refuses, after resolving the host, loopback, private, link-local and reserved addresses.
const WebhookUrl = z
  .url()
  .max(2048)
  .refine((u) => /^https?:\/\//i.test(u), err('webhook_url must be an http or https URL'))
  .refine((u) => {
    try {
      const x = new URL(u);
      return !x.username && !x.password;
    } catch {
      return false;
    }
  }, err('webhook_url must not carry credentials (user:password@): receivers authenticate the vault by its Checkout-Signature'))
  // It is echoed (the merchant's settings, every attempt's record, the dashboard's audit) and sent in
  // every request line. A known brand's number only: receivers' URLs carry long numeric ids (Discord's
  // are 17 to 19 digits), one in ten of which would pass the Luhn check alone.
  .refine(...noKnownCardNumber('webhook_url'));

/** Control, invisible formatting (bidi overrides included) and line-separator characters. */
export const HIDDEN_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** The name customers read, in the fields and in the wording of the agreements they accept. */
export const MerchantName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((s) => !HIDDEN_CHARACTERS.test(s), err('name must not contain control or invisible formatting characters'))
  .refine(...noCardNumber('name'));

/** When the fields ask for 3-D Secure: when the issuer requires it, or on every customer-initiated payment. */
export const ThreeDSecure = z.enum(['when_required', 'always']);
export type ThreeDSecure = z.infer<typeof ThreeDSecure>;

/** The processors a merchant can have: the simulated one (test mode only) and the real connectors. */
export const ProcessorType = z.enum(['simulated', 'stripe', 'adyen']);
export type ProcessorType = z.infer<typeof ProcessorType>;

/**
 * A merchant's processor account, write-only: the credentials are sealed under the vault's key ring and
 * never shown again. `simulated` is for test mode only; a real provider's credentials must be of the
 * merchant's own mode (checked by the server).
 */
export const ProcessorSettingsUpdate = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('simulated') }),
  z.strictObject({
    type: z.literal('stripe'),
    // Secret (sk_) or restricted (rk_) keys, test_ or live_: https://docs.stripe.com/keys
    secret_key: z
      .string()
      .max(255)
      .regex(
        /^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/,
        err('processor.secret_key must be a Stripe secret key (sk_live_…, sk_test_…) or restricted key (rk_live_…, rk_test_…)'),
      ),
    /** Extension: the signing secret of the endpoint registered at Stripe for the vault's notifications: https://docs.stripe.com/webhooks#verify-events */
    webhook_secret: z
      .string()
      .max(255)
      .regex(/^whsec_[A-Za-z0-9+/=_]+$/, err('processor.webhook_secret must be a Stripe endpoint signing secret (whsec_…)'))
      .optional(),
  }),
  z.strictObject({
    type: z.literal('adyen'),
    api_key: z
      .string()
      .min(8)
      .max(1000)
      .regex(/^[\x21-\x7e]+$/, err('processor.api_key must be an Adyen API key (printable characters, no spaces)')),
    merchant_account: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, err('processor.merchant_account must be an Adyen merchant account name')),
    environment: z.enum(['test', 'live']),
    // Part of a host name (PREFIX-checkout-live.adyenpayments.com), so letters, digits and dashes only:
    // https://docs.adyen.com/development-resources/live-endpoints#live-url-prefix
    live_url_prefix: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,100}$/, err('processor.live_url_prefix must be the prefix of your Adyen live endpoints (letters, digits and -)'))
      .optional(),
    /** Extension: the HMAC key (hex) of the standard notification webhook: https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures */
    hmac_key: z
      .string()
      .regex(/^(?:[0-9A-Fa-f]{2}){16,128}$/, err('processor.hmac_key must be the hexadecimal HMAC key of your Adyen webhook'))
      .optional(),
  }),
]);
export type ProcessorSettingsUpdate = z.infer<typeof ProcessorSettingsUpdate>;
// Each processor type has its settings, and no settings name another type (fails to compile otherwise).
type Assert<T extends true> = T;
export type ProcessorTypesMatch = Assert<
  [ProcessorType] extends [ProcessorSettingsUpdate['type']] ? ([ProcessorSettingsUpdate['type']] extends [ProcessorType] ? true : false) : false
>;

/** What the merchant reads back of its processor account: never a credential. */
export const ProcessorAccountView = z.object({
  type: ProcessorType,
  configured: z.literal(true),
  key_last4: z.string().optional(),
});
export type ProcessorAccountView = z.infer<typeof ProcessorAccountView>;

export const MerchantSettingsUpdate = z.strictObject({
  name: MerchantName.optional(),
  allowed_origins: z.array(Origin).max(50).optional(),
  webhook_url: WebhookUrl.nullable().optional(),
  auto_pay_days: z.number().int().min(0).max(60).optional(),
  need_cvc: z.boolean().optional(),
  three_d_secure: ThreeDSecure.optional(),
  one_click_after: z.number().int().min(0).max(1000).optional(),
  rate_limit: z.number().int().min(0).max(1_000_000).optional(),
  /**
   * Extension: requests a minute one client address may make to the fields' endpoints, at most the operator's
   * FIELDS_MAX_PER_ADDRESS (0, none, only where the operator allows it).
   */
  frame_limit_per_address: z.number().int().min(0).max(1_000_000).optional(),
  processor: ProcessorSettingsUpdate.optional(),
});

export const MerchantView = z.object({
  id: z.string(),
  name: z.string(),
  group: z.string(),
  publishable_key: z.string(),
  allowed_origins: z.array(z.string()),
  webhook_url: z.string().nullable(),
  auto_pay_days: z.number(),
  need_cvc: z.boolean(),
  three_d_secure: ThreeDSecure,
  one_click_after: z.number(),
  rate_limit: z.number(),
  frame_limit_per_address: z.number(),
  created_at: z.string(),
  /** A live-mode merchant (sk_live_/pk_live_): real processor only, never sees test data. */
  livemode: z.boolean(),
  /** null: a live merchant whose processor account is not set yet (it can take no payment). */
  processor: ProcessorAccountView.nullable(),
  /** Until when the secret key before the last roll still works; null when no previous key works. */
  previous_secret_key_expires_at: z.string().nullable(),
});
export type MerchantView = z.infer<typeof MerchantView>;

/** POST /v1/merchant/roll_secret_key: a new secret key; the current one keeps working for a while. */
export const RollSecretKey = z.strictObject({
  /** Hours the current key keeps working beside the new one (default 24, at most a week); 0 stops it at once. */
  previous_key_expires_in_hours: z
    .number()
    .int()
    .min(0)
    .max(7 * 24)
    .default(24),
});
export type RollSecretKey = z.input<typeof RollSecretKey>;
export const RolledSecretKey = z.object({
  /** The new secret key, shown in this answer only: the vault keeps only its hash. */
  secret_key: z.string(),
  /** Until when the key before it works; null when it stopped at once. */
  previous_key_expires_at: z.string().nullable(),
});
export type RolledSecretKey = z.infer<typeof RolledSecretKey>;
