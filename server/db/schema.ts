// The tables as kysely sees them. Times are ISO strings, JSON columns are text, booleans are 0/1,
// so that one set of queries runs unchanged on SQLite and PostgreSQL.
// Status columns are typed as the values they may hold; which of them may follow which is in each
// resource's <resource>-status.ts (server/sessions/session-status.ts, …).
// Every column is a required key: the database returns each one, NULL included (test/server/schema-types.test.ts).
import type { EventType } from '../../protocol/types.ts';

/** A checkout session's stored status. A session expires by its expires_at: `expired` is the API's word only. */
export type SessionStatus = 'open' | 'processing' | 'complete';
export type ChallengeStatus = 'pending' | 'passed' | 'failed' | 'used';
export type ChargeStatus = 'succeeded' | 'failed';
export type RefundStatus = 'pending' | 'succeeded' | 'failed';
export type MandateStatus = 'active' | 'cancelled' | 'ended';
export type InvoiceStatus = 'open' | 'paid' | 'past_due';
export type DisputeStatus = 'open' | 'won' | 'lost';
/** A message to a customer: queued when recorded, then sent or failed by its transport (the outbox keeps it queued). */
export type MessageStatus = 'queued' | 'sent' | 'failed';
/**
 * An event's webhook delivery: pending (to send; a new event's NULL reads so), delivered, failed (the
 * retries gave up), none (no webhook URL to send to).
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'none';
/** none until a card is saved (member); deny: the customer refused saving. */
export type CustomerStatus = 'none' | 'member' | 'deny';

export interface MerchantGroupTable {
  id: string;
  created_at: string;
}

export interface MerchantTable {
  id: string;
  group_id: string;
  name: string;
  secret_key_hash: string;
  publishable_key: string;
  allowed_origins: string; // JSON string[]
  webhook_url: string | null;
  webhook_secret: string;
  auto_pay_days: number;
  need_cvc: number;
  three_d_secure: string;
  one_click_after: number;
  rate_limit: number;
  frame_limit_per_address: number;
  created_at: string;
  previous_webhook_secret: string | null;
  previous_webhook_secret_until: string | null;
  /** 1: a live-mode merchant (`sk_live_…`), whose data never meets test data. */
  livemode: number;
  /** JSON { type, key_last4, sealed? }: the processor account, credentials sealed under the key ring; null: simulated. */
  processor: string | null;
  /** SHA-256 of the key before the last roll, which keeps working until previous_secret_key_until; null: none. */
  previous_secret_key_hash: string | null;
  previous_secret_key_until: string | null;
}

/** Secrets the vault keeps for itself (the fingerprint key), wrapped by the key ring. */
export interface VaultSecretTable {
  name: string;
  wrapped: string;
  key_version: string;
}

export interface CustomerTable {
  group_id: string;
  customer: string;
  status: CustomerStatus;
  email: string | null;
  phone: string | null;
  limit_daily: number | null;
  limit_weekly: number | null;
  default_card: string | null;
  /** Extension: the language of messages to this customer (en, ru, fr, tr). */
  locale: string | null;
  created_at: string;
  updated_at: string;
}

export interface CardTable {
  token: string;
  group_id: string;
  customer: string;
  fingerprint: string | null; // null once deleted
  bin: string;
  last4: string;
  brand: string;
  issuer: string;
  country: string;
  key_version: string | null;
  wrapped_key: string | null; // the card's data key, wrapped; null once destroyed
  pan_ct: string | null; // the number, encrypted under the data key
  /** How many digits the number has (test mode's rule reads it with bin and last4); null: saved before migration 0024. */
  pan_length: number | null;
  meta_ct: string | null; // expiry and holder, encrypted under the data key
  network_transaction_id: string | null;
  successful_payments: number;
  /** checkout: saved in the fields; import: bound elsewhere, merchant-initiated only. */
  source: string;
  expiring_notified: number;
  /** Wrong security codes typed for this saved card since cvc_failed_at (any session, any shop of the group). */
  cvc_failures: number;
  cvc_failed_at: string | null;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionTable {
  id: string;
  merchant_id: string;
  group_id: string;
  client_secret_hash: string;
  mode: string;
  amount: number | null;
  currency: string | null;
  customer: string | null;
  order_ref: string | null;
  save_card: string;
  recurring: string | null; // JSON
  /** The merchant's name when the session was opened: the agreement's wording names it (null: opened before it was kept). */
  merchant_name: string | null;
  status: SessionStatus;
  failed_attempts: number;
  expires_at: string;
  charge_id: string | null;
  card_token: string | null;
  card_masked: string | null; // JSON of the masked card for GET /v1/sessions
  mandate_id: string | null;
  saved: number;
  created_at: string;
  completed_at: string | null;
  /** JSON of the confirmation in flight: processor reference, masked card, token, save, challenge. */
  attempt: string | null;
  processing_since: string | null;
  /** JSON { destination, request }: what the confirmation forwards, placeholders unfilled. */
  forward: string | null;
  /** JSON { status, body, error? }: the destination's answer to that forward, card numbers masked. */
  forward_result: string | null;
}

export interface ChallengeTable {
  id: string;
  session_id: string;
  fingerprint: string; // which card the challenge authenticates
  status: ChallengeStatus;
  attempts: number;
  created_at: string;
  /** code: the simulated issuer's form; redirect: a provider's issuer page and its return. */
  kind: 'code' | 'redirect';
  /** The confirmation's processor reference the redirect paused. */
  processor_ref: string | null;
  processor_id: string | null;
  /** JSON RedirectAction: where the customer's browser goes. */
  action: string | null;
  /** JSON AuthorizeResult once the provider finished the payment after the return. */
  result: string | null;
  /** The saved card the challenge was opened for; null: a number typed in the fields (migration 0023). */
  card_token: string | null;
}

export interface ChargeTable {
  id: string;
  merchant_id: string;
  group_id: string;
  customer: string | null;
  card_token: string | null;
  card_masked: string; // JSON { brand, last4, exp_month, exp_year }
  amount: number;
  currency: string;
  order_ref: string | null;
  initiator: string; // customer | merchant
  mandate_id: string | null;
  session_id: string | null;
  status: ChargeStatus;
  network_transaction_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  decline_code: string | null;
  amount_refunded: number;
  processor_ref: string;
  created_at: string;
  /** The provider's own id of the payment (a PaymentIntent, a PSP reference); the simulated processor's id. */
  processor_id: string | null;
  /** JSON { code, message }: what the provider itself answered to a decline. */
  processor_response: string | null;
  /**
   * The type of the processor that took the charge (simulated, stripe, adyen): its refunds go there only.
   * Null for a charge recorded before this was kept (migration 0022): not known.
   */
  processor: string | null;
}

export interface RefundTable {
  id: string;
  charge_id: string;
  merchant_id: string;
  amount: number;
  status: RefundStatus;
  processor_ref: string | null;
  created_at: string;
  processor_id: string | null;
  /** Why the provider failed the refund later (its notification). */
  failure_reason: string | null;
  /** When a pending refund whose answer was lost was last asked about again (payments/refund-charge.ts). */
  checked_at: string | null;
}

export interface IdempotencyTable {
  merchant_id: string;
  key: string;
  request_hash: string;
  state: string; // running | open (its last answer said "try again") | done
  response_status: number | null;
  response_body: string | null;
  locked_at: string;
  created_at: string;
  /** Who runs the request now: renewed in locked_at while alive, replaced when taken over. */
  holder: string | null;
}

export interface EventTable {
  id: string;
  merchant_id: string;
  group_id: string;
  type: EventType;
  data: string; // JSON
  created_at: string;
  /** NULL until the delivery worker first settles it (it reads as pending); none when the merchant had no webhook URL. */
  delivery: DeliveryStatus | null;
  attempts: number;
  next_attempt_at: string | null;
  lease_until: string | null;
}

export interface MandateTable {
  id: string;
  merchant_id: string;
  group_id: string;
  customer: string;
  card_token: string;
  min_amount: number;
  max_amount: number;
  /** ISO 4217 code of the agreement; null only for a mandate older than 0007 that nothing dated: it allows no charge. */
  currency: string | null;
  frequency_days: number;
  end_date: string;
  status: MandateStatus;
  network_transaction_id: string | null;
  /** JSON: { text, accepted_at, origin, last4, network_transaction_id, source: 'checkout' | 'import' } */
  consent: string;
  last_charge_at: string | null;
  created_at: string;
  ended_at: string | null;
}

export interface InvoiceTable {
  id: string;
  merchant_id: string;
  group_id: string;
  customer: string;
  amount: number;
  currency: string;
  due_date: string;
  description: string | null;
  auto_pay: number;
  status: InvoiceStatus;
  last_attempt_on: string | null;
  /** The processor reference of an attempt whose outcome is not recorded yet: the next pass takes it up (jobs/scheduler.ts). */
  pending_ref: string | null;
  /** The card pending_ref's attempt charged (migration 0026; null: pending from before it, or no card). */
  pending_card: string | null;
  /** The day a pass last asked the processor about a past-due invoice's pending_ref (jobs/scheduler.ts). */
  pending_checked_on: string | null;
  attempts: number;
  charge_id: string | null;
  failure_code: string | null;
  /** With failure_code card_declined: the decline's own code, when one was given (migration 0025). */
  decline_code: string | null;
  created_at: string;
  paid_at: string | null;
}

export interface WebhookAttemptTable {
  id: string;
  event_id: string;
  merchant_id: string;
  url: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: string;
}

export interface MessageTable {
  id: string;
  merchant_id: string;
  group_id: string;
  customer: string;
  channel: string;
  recipient: string;
  template: string;
  locale: string;
  subject: string | null;
  body: string;
  transport: string;
  status: MessageStatus;
  error: string | null;
  created_at: string;
}

/** The simulated card network's own ledger: it answers a repeated reference with its first result. */
export interface SimulatedOperationTable {
  reference: string;
  kind: string;
  result: string; // JSON
  created_at: string;
}

/** A short exclusive hold on a name (a customer being charged), taken over once `until` passes. */
export interface LeaseTable {
  name: string;
  holder: string;
  until: string;
}

/** Which merchant imported a card bound at another provider: only that merchant may record a mandate on it. */
export interface CardImportTable {
  card_token: string;
  merchant_id: string;
  created_at: string;
}

export interface Database {
  merchant_groups: MerchantGroupTable;
  merchants: MerchantTable;
  vault_secrets: VaultSecretTable;
  customers: CustomerTable;
  cards: CardTable;
  sessions: SessionTable;
  challenges: ChallengeTable;
  charges: ChargeTable;
  refunds: RefundTable;
  idempotency_keys: IdempotencyTable;
  events: EventTable;
  simulated_operations: SimulatedOperationTable;
  mandates: MandateTable;
  invoices: InvoiceTable;
  webhook_attempts: WebhookAttemptTable;
  messages: MessageTable;
  leases: LeaseTable;
  card_imports: CardImportTable;
  processor_operations: ProcessorOperationTable;
  disputes: DisputeTable;
  processor_notifications: ProcessorNotificationTable;
  forward_destinations: ForwardDestinationTable;
  staff_users: StaffUserTable;
  staff_sessions: StaffSessionTable;
  audit_log: AuditLogTable;
}

/** A connector's ledger: which provider payment a vault reference created, so it can be asked about later. */
export interface ProcessorOperationTable {
  reference: string;
  provider: string;
  provider_id: string;
  created_at: string;
}

/** A chargeback the provider told the vault about. */
export interface DisputeTable {
  id: string;
  merchant_id: string;
  charge_id: string;
  processor_dispute_id: string;
  status: DisputeStatus;
  amount: number;
  currency: string;
  reason: string | null;
  created_at: string;
  updated_at: string;
  /** When the provider says the outcome it has now was reached (its notification's time), if it said. */
  outcome_at: string | null;
}

/** Provider notifications already handled, so a redelivery changes nothing twice. */
export interface ProcessorNotificationTable {
  merchant_id: string;
  id: string;
  received_at: string;
}

/** An endpoint the operator registered for a merchant to forward cards to; its headers only sealed. */
export interface ForwardDestinationTable {
  id: string;
  merchant_id: string;
  /** What the merchant names it by in `destination`; unique per merchant. */
  name: string;
  url: string;
  /** JSON string[]: the registered headers' names (never their values). */
  header_names: string;
  /** JSON { key_version, wrapped }: the headers sealed under the key ring; null without headers. */
  headers_sealed: string | null;
  /**
   * JSON string[] of dot paths, or null: the fields of the answer that a session forward which carried
   * the CVC may show the merchant (`npm run forward -- add --cvc-answer`); without them none is shown.
   */
  cvc_answer_fields: string | null;
  created_at: string;
}

export type StaffRole = 'admin' | 'viewer';

/** A person of the merchant's staff who signs in to the dashboard. */
export interface StaffUserTable {
  id: string;
  merchant_id: string;
  /** Lower-cased; unique per merchant. */
  email: string;
  role: StaffRole;
  /** Argon2id PHC string; null until set through the one-time link. */
  password_hash: string | null;
  /** SHA-256 (hex) of the one-time set-password token; null once used. */
  link_token_hash: string | null;
  link_expires_at: string | null;
  created_at: string;
}

/** A signed-in dashboard session; expiries follow from its two times (server/staff/staff-sessions.ts). */
export interface StaffSessionTable {
  /** SHA-256 (hex) of the cookie's token. */
  token_hash: string;
  staff_id: string;
  created_at: string;
  last_seen_at: string;
}

/** Who did what, when: written in the same transaction as each change a person makes. */
export interface AuditLogTable {
  id: string;
  merchant_id: string;
  staff_id: string;
  action: string;
  target: string | null;
  /** JSON object. */
  details: string;
  created_at: string;
}
