// Request and response shapes of the HTTP API, the contract merchants program against. The server validates with
// these schemas and publishes them as OpenAPI; the iframe imports only their types.
import { z } from 'zod';
import valid from 'card-validator';
import { containsCardNumber, passesLuhn } from './cards.ts';

const err = (message: string) => ({ error: message });

// Identifiers the vault echoes back must never carry a card number, or a response would leak it: 13-19
// digits passing Luhn, whatever single characters separate them and whatever the brand.
const noCardNumber = (what: string) => [(s: string) => !containsCardNumber(s, passesLuhn), err(`${what} must not contain a card number`)] as const;
// Another provider's network transaction id is itself often 15 digits: only a number of a known card
// brand (prefix, length and Luhn) is refused there, so that one in ten real ids is not.
const noKnownCardNumber = (what: string) => [(s: string) => !containsCardNumber(s, (d) => valid.number(d).isValid), err(`${what} must not contain a card number`)] as const;
export const CustomerNumber = z.string().regex(/^[A-Za-z0-9._@-]{1,32}$/, err('customer must be 1-32 characters of A-Z a-z 0-9 . _ @ -')).refine(...noCardNumber('customer'));
export const Amount = z.number(err('amount must be a positive integer')).int(err('amount must be a positive integer')).positive(err('amount must be a positive integer')).max(99_999_999_999);
export const Currency = z.string().regex(/^[A-Z]{3}$/, err('currency must be an ISO 4217 upper-case code such as USD'));
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, err('must be a date YYYY-MM-DD')).refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), err('must be a real date YYYY-MM-DD'));
export const OrderRef = z.string().min(1).max(255).refine(...noCardNumber('order'));
const Origin = z.url().refine((u) => { try { const x = new URL(u); return (x.protocol === 'http:' || x.protocol === 'https:') && x.origin === u.replace(/\/$/, ''); } catch { return false; } }, err('origins must be http(s) origins without a path, e.g. https://shop.example'));
// The server also refuses, after resolving the host, loopback, private, link-local and reserved addresses.
const WebhookUrl = z.url().max(2048)
  .refine((u) => /^https?:\/\//i.test(u), err('webhook_url must be an http or https URL'))
  .refine((u) => { try { const x = new URL(u); return !x.username && !x.password; } catch { return false; } }, err('webhook_url must not carry credentials (user:password@): receivers authenticate the vault by its Checkout-Signature'));

// ---- Merchant ----

/** Control, invisible formatting (bidi overrides included) and line-separator characters. */
export const HIDDEN_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** The name customers read, in the fields and in the wording of the agreements they accept. */
export const MerchantName = z.string().trim().min(1).max(100)
  .refine((s) => !HIDDEN_CHARACTERS.test(s), err('name must not contain control or invisible formatting characters'))
  .refine(...noCardNumber('name'));

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
    secret_key: z.string().max(255).regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, err('processor.secret_key must be a Stripe secret key (sk_live_…, sk_test_…) or restricted key (rk_live_…, rk_test_…)')),
    /** Extension: the signing secret of the endpoint registered at Stripe for the vault's notifications: https://docs.stripe.com/webhooks#verify-events */
    webhook_secret: z.string().max(255).regex(/^whsec_[A-Za-z0-9+/=_]+$/, err('processor.webhook_secret must be a Stripe endpoint signing secret (whsec_…)')).optional(),
  }),
  z.strictObject({
    type: z.literal('adyen'),
    api_key: z.string().min(8).max(1000).regex(/^[\x21-\x7e]+$/, err('processor.api_key must be an Adyen API key (printable characters, no spaces)')),
    merchant_account: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, err('processor.merchant_account must be an Adyen merchant account name')),
    environment: z.enum(['test', 'live']),
    // Part of a host name (PREFIX-checkout-live.adyenpayments.com), so letters, digits and dashes only:
    // https://docs.adyen.com/development-resources/live-endpoints#live-url-prefix
    live_url_prefix: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, err('processor.live_url_prefix must be the prefix of your Adyen live endpoints (letters, digits and -)')).optional(),
    /** Extension: the HMAC key (hex) of the standard notification webhook: https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures */
    hmac_key: z.string().regex(/^(?:[0-9A-Fa-f]{2}){16,128}$/, err('processor.hmac_key must be the hexadecimal HMAC key of your Adyen webhook')).optional(),
  }),
]);
export type ProcessorSettingsUpdate = z.infer<typeof ProcessorSettingsUpdate>;

/** What the merchant reads back of its processor account: never a credential. */
export const ProcessorAccountView = z.object({
  type: z.enum(['simulated', 'stripe', 'adyen']),
  configured: z.literal(true),
  key_last4: z.string().optional(),
});

export const MerchantSettingsUpdate = z.strictObject({
  name: MerchantName.optional(),
  allowed_origins: z.array(Origin).max(50).optional(),
  webhook_url: WebhookUrl.nullable().optional(),
  auto_pay_days: z.number().int().min(0).max(60).optional(),
  need_cvc: z.boolean().optional(),
  three_d_secure: z.enum(['when_required', 'always']).optional(),
  one_click_after: z.number().int().min(0).max(1000).optional(),
  rate_limit: z.number().int().min(0).max(1_000_000).optional(),
  /** Extension: requests a minute one client address may make to the fields' endpoints, at most the operator's FIELDS_MAX_PER_ADDRESS (0, none, only where the operator allows it). */
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
  three_d_secure: z.enum(['when_required', 'always']),
  one_click_after: z.number(),
  rate_limit: z.number(),
  frame_limit_per_address: z.number(),
  created_at: z.string(),
  /** A live-mode merchant (sk_live_/pk_live_): real processor only, never sees test data. */
  livemode: z.boolean(),
  /** null: a live merchant whose processor account is not set yet (it can take no payment). */
  processor: ProcessorAccountView.nullable(),
});
export type MerchantView = z.infer<typeof MerchantView>;

// ---- Forwarding a saved card to another provider ----
// Placed before the sessions, whose `forward` uses it. The vault sends the request to an endpoint the
// operator registered for the merchant (`npm run forward -- add`), filling the body's placeholders
// ({{card.number}}, {{card.exp_month}}, {{card.exp_year}}, {{card.exp_mm_yyyy}}, {{card.exp_yymm}},
// {{card.holder}}, and {{card.cvc}} in a session's forward only); the server checks the placeholders.

/** The name the operator registered the destination under. */
export const ForwardDestinationName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, err('destination must be the name the operator registered: 1-64 characters of A-Z a-z 0-9 _ . -'));

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

export const ForwardRequest = z.strictObject({
  /** Methods that carry a body: the card travels in it. */
  method: z.enum(['POST', 'PUT', 'PATCH']),
  /** Appended to the destination's URL (a path and query under it); no placeholders. */
  path: z.string().min(1).max(2048).optional(),
  /** Sent beside the headers the operator registered (which cannot be replaced); no placeholders. */
  headers: z.record(
    z.string().regex(HEADER_NAME, err('headers: each name must be an HTTP header name')),
    z.string().max(4096).refine((v) => !/[\r\n\0]/.test(v), err('headers: a value must not contain line breaks or NUL')),
  ).refine((h) => Object.keys(h).length <= 20, err('headers: at most 20')).optional(),
  /** JSON or form-encoded text, or a JSON object (sent as JSON). */
  body: z.union([z.string().max(65_536), z.record(z.string(), z.unknown())]),
});
export type ForwardRequest = z.input<typeof ForwardRequest>;

/** POST /v1/forward (Idempotency-Key required): a saved card sent to a registered destination, without its CVC. */
export const ForwardCreate = z.strictObject({
  destination: ForwardDestinationName,
  customer: CustomerNumber,
  card: z.string().min(1).max(64),
  request: ForwardRequest,
});
export type ForwardCreate = z.input<typeof ForwardCreate>;

/** The destination's answer: its status, a short safe list of its headers, and its body as text with every card number masked. */
export const ForwardResponse = z.object({
  status: z.number(),
  headers: z.record(z.string(), z.string()),
  body: z.string().nullable(),
});
export type ForwardResponse = z.infer<typeof ForwardResponse>;

/** A session's `forward`: sent from the customer's confirmation, `{{card.cvc}}` allowed. */
export const SessionForward = z.strictObject({
  destination: ForwardDestinationName,
  request: ForwardRequest,
});

/** What the session's forward got back; status 0 and `forward_failed`, or 504 and `forward_timeout`, when it got nothing. */
export const ForwardResult = z.object({
  status: z.number(),
  body: z.string().nullable(),
  error: z.enum(['forward_timeout', 'forward_failed']).optional(),
});
export type ForwardResult = z.infer<typeof ForwardResult>;

// ---- Sessions ----

export const Recurring = z.strictObject({
  min_amount: z.number().int().min(0),
  max_amount: z.number().int().positive(),
  frequency_days: z.number().int().min(0).max(3660),
  end_date: IsoDate,
});
export type Recurring = z.infer<typeof Recurring>;

export const SessionCreate = z.strictObject({
  mode: z.enum(['payment', 'setup']).default('payment'),
  amount: Amount.optional(),
  currency: Currency.optional(),
  customer: CustomerNumber.optional(),
  order: OrderRef.optional(),
  save_card: z.enum(['ask', 'require', 'off']).default('ask'),
  recurring: Recurring.optional(),
  expires_in: z.number().int().min(1).max(86400).default(1800),
  /** Extension: a request the customer's confirmation sends to a registered destination, CVC included. */
  forward: SessionForward.optional(),
});
export type SessionCreate = z.input<typeof SessionCreate>;

export const MaskedCardView = z.object({
  token: z.string().optional(),
  brand: z.string(),
  bin: z.string().optional(),
  last4: z.string(),
  exp_month: z.number(),
  exp_year: z.number(),
});
export type MaskedCardView = z.infer<typeof MaskedCardView>;

export const SessionView = z.object({
  id: z.string(),
  client_secret: z.string().optional(),
  status: z.enum(['open', 'complete', 'expired']),
  mode: z.enum(['payment', 'setup']),
  amount: z.number().nullable(),
  currency: z.string().nullable(),
  customer: z.string().nullable(),
  order: z.string().nullable(),
  save_card: z.enum(['ask', 'require', 'off']),
  recurring: Recurring.nullable(),
  expires_at: z.string(),
  created: z.string(),
  charge: z.string().nullable(),
  card: MaskedCardView.nullable(),
  saved: z.boolean(),
  mandate: z.string().nullable(),
  /** Extension: set once a session with `forward` was confirmed. */
  forward_result: ForwardResult.optional(),
});
export type SessionView = z.infer<typeof SessionView>;

// ---- Customers and cards ----

export const CustomerUpdate = z.strictObject({
  status: z.enum(['deny', 'none']).optional(),
  email: z.email().refine(...noCardNumber('email')).nullable().optional(),
  phone: z.string().regex(/^\+?[0-9][0-9 ()-]{4,19}$/, err('phone must be a phone number such as +15555550100')).refine(...noCardNumber('phone')).nullable().optional(),
  limits: z.strictObject({ daily: Amount.nullable().optional(), weekly: Amount.nullable().optional() }).optional(),
  /** Extension: the language of messages to the customer (English when unset). */
  locale: z.enum(['en', 'ru', 'fr', 'tr']).nullable().optional(),
});

export const CustomerView = z.object({
  customer: z.string(),
  status: z.enum(['none', 'member', 'deny']),
  email: z.string().optional(),
  phone: z.string().optional(),
  limits: z.object({ daily: z.number().optional(), weekly: z.number().optional() }),
  default_card: z.string().optional(),
  /** Extension: set only when chosen with POST /v1/customers/:customer. */
  locale: z.enum(['en', 'ru', 'fr', 'tr']).optional(),
});
export type CustomerView = z.infer<typeof CustomerView>;

export const CardView = z.object({
  token: z.string(),
  bin: z.string(),
  last4: z.string(),
  brand: z.string(),
  issuer: z.string(),
  country: z.string(),
  exp_month: z.number(),
  exp_year: z.number(),
  active: z.boolean(),
  expiring_soon: z.boolean(),
  need_cvc: z.boolean(),
  default: z.boolean(),
  successful_payments: z.number(),
  /** Extension: `import` cards serve merchant-initiated charges only. */
  source: z.enum(['checkout', 'import']),
  created_at: z.string(),
  /** Extension: set when the key that encrypts the card is not in the vault's key ring (charges answer 503 card_key_unavailable). */
  key_unavailable: z.literal(true).optional(),
});
export type CardView = z.infer<typeof CardView>;

// Loose on purpose: a wrong length or a bad digit is a card_error (invalid_number, invalid_cvc) from the card check.
export const CardNumber = z.string().max(40);
const Cvc = z.string().max(8);
export const ExpMonth = z.number().int();
export const ExpYear = z.number().int();

export const CardImport = z.strictObject({
  number: CardNumber,
  exp_month: ExpMonth,
  exp_year: ExpYear,
  holder: z.string().min(1).max(100).refine(...noCardNumber('holder')).optional(),
});

export const CardUpdate = z.strictObject({ default: z.literal(true) });

// ---- Charges and refunds ----

export const ChargeCreate = z.strictObject({
  customer: CustomerNumber,
  card: z.string().min(1).max(64),
  amount: Amount,
  currency: Currency,
  order: OrderRef.optional(),
  mandate: z.string().min(1).max(64).optional(),
});

export const ChargeView = z.object({
  id: z.string(),
  status: z.enum(['succeeded', 'failed']),
  amount: z.number(),
  amount_refunded: z.number(),
  currency: z.string(),
  customer: z.string().nullable(),
  card: z.string().nullable(),
  card_details: MaskedCardView,
  order: z.string().nullable(),
  initiator: z.enum(['customer', 'merchant']),
  mandate: z.string().nullable(),
  session: z.string().nullable(),
  network_transaction_id: z.string().nullable(),
  failure: z.object({ code: z.string(), decline_code: z.string().optional(), message: z.string() }).optional(),
  /** A real provider's own code and message for a decline (live processors; absent on the simulated one). */
  processor_response: z.object({ code: z.string(), message: z.string() }).optional(),
  created: z.string(),
});
export type ChargeView = z.infer<typeof ChargeView>;

export const RefundCreate = z.strictObject({ amount: Amount.optional() });
export const RefundView = z.object({ id: z.string(), charge: z.string(), amount: z.number(), currency: z.string(), status: z.enum(['succeeded', 'failed']), created: z.string() });
export type RefundView = z.infer<typeof RefundView>;

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: z.string().min(1).max(64).optional(),
});

// ---- The fields' own endpoints (called only by the vault's iframe) ----

export const FrameCardInput = z.strictObject({
  number: CardNumber,
  exp_month: ExpMonth,
  exp_year: ExpYear,
  cvc: Cvc,
  holder: z.string().min(1).max(100).refine(...noCardNumber('holder')).optional(),
});

export const FrameConfirm = z.strictObject({
  card: FrameCardInput.optional(),
  saved_card: z.strictObject({ token: z.string().min(1).max(64), cvc: Cvc.optional() }).optional(),
  /** The customer ticked the consent box: to save the card and, in a recurring session, to the agreement. */
  save: z.boolean().default(false),
  /** The fields' language: the vault records the agreement's wording it rendered in it (as the session read showed it). */
  locale: z.string().max(35).optional(),
  /** Ignored, kept so older fields still confirm: the vault records only the wording it wrote itself. */
  consent_text: z.string().max(2000).optional(),
  /** A 3-D Secure challenge the customer passed for this card. */
  challenge: z.string().min(1).max(64).optional(),
});
export type FrameConfirm = z.input<typeof FrameConfirm>;

export const FrameSavedCard = z.object({
  token: z.string(),
  brand: z.string(),
  bin: z.string(),
  last4: z.string(),
  exp_month: z.number(),
  exp_year: z.number(),
  need_cvc: z.boolean(),
  default: z.boolean(),
});
export type FrameSavedCard = z.infer<typeof FrameSavedCard>;

/** What the fields ask for when they load: the language to write the agreement's wording in. */
export const FrameSessionRequest = z.strictObject({ locale: z.string().max(35).optional() });

export const FrameSession = z.object({
  id: z.string(),
  mode: z.enum(['payment', 'setup']),
  status: z.enum(['open', 'complete', 'expired']),
  amount: z.number().nullable(),
  currency: z.string().nullable(),
  order: z.string().nullable(),
  merchant: z.object({ name: z.string() }),
  /** What the consent box does here: not shown, shown unchecked, or shown and required. */
  save_card: z.enum(['off', 'ask', 'require']),
  recurring: Recurring.nullable(),
  /** A recurring session's consent wording, written by the vault in the requested language; the fields show it verbatim. */
  consent_text: z.string().nullable(),
  cards: z.array(FrameSavedCard),
  three_d_secure: z.enum(['when_required', 'always']),
  failed_attempts: z.number(),
  expires_at: z.string(),
});
export type FrameSession = z.infer<typeof FrameSession>;

export const FrameConfirmResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('succeeded'), session: z.string(), charge: z.string().optional(), card: MaskedCardView, saved: z.boolean(), mandate: z.string().optional() }),
  z.object({ status: z.literal('requires_action'), session: z.string(), next_action: z.object({ type: z.literal('three_d_secure'), challenge: z.string(), url: z.string() }) }),
]);
export type FrameConfirmResult = z.infer<typeof FrameConfirmResult>;

export const FrameChallengeAnswer = z.strictObject({ code: z.string().min(1).max(16) });
export const FrameChallengeResult = z.object({ challenge: z.string(), status: z.enum(['passed', 'failed', 'pending']), attempts_left: z.number() });
export type FrameChallengeResult = z.infer<typeof FrameChallengeResult>;

export const FrameDeleteCard = z.strictObject({ token: z.string().min(1).max(64) });

/** Header the iframe sends with the origin of the page that embeds it (learnt from the first pinned message). */
export const HOST_ORIGIN_HEADER = 'Checkout-Host-Origin';

// ---- Mandates ----

/** What the customer agreed to, as recorded: never card data beyond the last four digits. */
export const MandateConsent = z.object({
  text: z.string(),
  accepted_at: z.string(),
  /** The merchant page the fields were embedded in (checkout), or null for an agreement given elsewhere. */
  origin: z.string().nullable(),
  last4: z.string(),
  network_transaction_id: z.string().nullable(),
  source: z.enum(['checkout', 'import']),
});
export type MandateConsent = z.infer<typeof MandateConsent>;

export const MandateView = z.object({
  id: z.string(),
  customer: z.string(),
  card: z.string(),
  min_amount: z.number(),
  max_amount: z.number(),
  /** The currency the customer agreed to; null only for an old agreement recorded without one, which allows no charge. */
  currency: z.string().nullable(),
  frequency_days: z.number(),
  end_date: z.string(),
  status: z.enum(['active', 'cancelled', 'ended']),
  last_charge_at: z.string().nullable(),
  created_at: z.string(),
  consent: MandateConsent,
});
export type MandateView = z.infer<typeof MandateView>;

export const MandateCreate = z.strictObject({
  card: z.string().min(1).max(64),
  min_amount: Recurring.shape.min_amount,
  max_amount: Recurring.shape.max_amount,
  /** The currency of the agreement: charges in any other are refused. */
  currency: Currency,
  frequency_days: Recurring.shape.frequency_days,
  end_date: IsoDate,
  consent: z.strictObject({
    text: z.string().min(1).max(2000).refine(...noCardNumber('consent.text')),
    accepted_at: z.iso.datetime({ offset: true, error: 'consent.accepted_at must be an ISO 8601 time' }),
    network_transaction_id: z.string().min(1).max(255).refine(...noKnownCardNumber('consent.network_transaction_id')).optional(),
  }),
});
export type MandateCreate = z.input<typeof MandateCreate>;

// ---- Invoices and the scheduler ----

export const InvoiceCreate = z.strictObject({
  customer: CustomerNumber,
  amount: Amount,
  currency: Currency,
  due_date: IsoDate,
  description: z.string().min(1).max(500).refine(...noCardNumber('description')).optional(),
  /** Charge the customer's default card from `auto_pay_days` before the due date; default true. */
  auto_pay: z.boolean().default(true),
});
export type InvoiceCreate = z.input<typeof InvoiceCreate>;

export const InvoiceView = z.object({
  id: z.string(),
  status: z.enum(['open', 'paid', 'past_due']),
  customer: z.string(),
  amount: z.number(),
  currency: z.string(),
  due_date: z.string(),
  description: z.string().nullable(),
  auto_pay: z.boolean(),
  charge: z.string().nullable(),
  created: z.string(),
  /** Extensions: when it was paid, how many automatic attempts were made, and why the last one failed. */
  paid_at: z.string().nullable(),
  attempts: z.number(),
  last_attempt_on: z.string().nullable(),
  failure_code: z.string().nullable(),
});
export type InvoiceView = z.infer<typeof InvoiceView>;

export const SchedulerRunRequest = z.strictObject({
  /** Test mode only: rehearse a pass as of this time. Nothing is charged, sent or changed. */
  now: z.iso.datetime({ offset: true, error: 'now must be an ISO 8601 time' }).optional(),
});

/** What a pass would do as of `now` (POST /v1/scheduler/run with `now`, test mode): it changes nothing. */
export const SchedulerPreview = z.object({
  now: z.string(),
  would_charge: z.array(z.object({ invoice: z.string(), customer: z.string(), amount: z.number(), currency: z.string(), due_date: z.string(), card: z.string(), mandate: z.string() })),
  would_notify: z.array(z.discriminatedUnion('type', [
    z.object({ type: z.literal('invoice.payment_failed'), invoice: z.string(), customer: z.string(), code: z.string() }),
    z.object({ type: z.literal('card.expiring'), card: z.string(), customer: z.string(), last4: z.string(), exp_month: z.number(), exp_year: z.number() }),
  ])),
  would_end_mandates: z.array(z.string()),
  would_mark_past_due: z.array(z.string()),
});
export type SchedulerPreview = z.infer<typeof SchedulerPreview>;

/** What one pass of the scheduler did. */
export const SchedulerRun = z.object({
  /** Invoices this pass tried to charge (each at most once a day, across every instance). */
  charged: z.number(),
  paid: z.number(),
  failed: z.number(),
  /** Cards announced with `card.expiring`. */
  expiring: z.number(),
  /** Mandates whose end date passed, now stored as ended. */
  mandates_ended: z.number(),
  /** Open invoices past their due date, now `past_due`. */
  past_due: z.number(),
});
export type SchedulerRun = z.infer<typeof SchedulerRun>;

// ---- Customer messages (the outbox) ----

export const MessageView = z.object({
  id: z.string(),
  customer: z.string(),
  channel: z.enum(['email', 'sms']),
  recipient: z.string(),
  template: z.string(),
  locale: z.string(),
  subject: z.string().nullable(),
  body: z.string(),
  /** outbox, smtp, or the SMS provider's name. */
  transport: z.string(),
  status: z.enum(['queued', 'sent', 'failed']),
  error: z.string().nullable(),
  created: z.string(),
});
export type MessageView = z.infer<typeof MessageView>;
