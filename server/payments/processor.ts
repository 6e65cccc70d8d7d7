// The edge we do not own: the card networks, reached through a provider. The vault talks to them
// only through this interface; the simulated processor and each real connector implement it.
import { ProcessorType, type ProcessorSettingsUpdate } from '../../protocol/schemas/merchant.ts';
import type { Db } from '../db/database.ts';
import type { ProcessorNotification } from '../processors/notification-schema.ts';

export type Initiator = 'customer' | 'merchant';

export type { ProcessorType } from '../../protocol/schemas/merchant.ts';

/** A merchant's processor account, as the vault keeps it (encrypted under the key ring): what POST /v1/merchant took. */
export type ProcessorSettings = ProcessorSettingsUpdate;

/** The real connectors' types (PROCESSOR_BASE_URLS' names): every processor but the simulated one. */
export const CONNECTOR_TYPES = ProcessorType.exclude(['simulated']).options;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/** A real connector's settings: its own part of ProcessorSettings. */
export type ConnectorSettings<T extends ConnectorType = ConnectorType> = Extract<ProcessorSettings, { type: T }>;

/** What every connector is built with besides the merchant's credentials. */
export interface ConnectorOptions {
  /** For the connector's own ledger (`processor_operations`): which provider payment a reference created. */
  db: Db;
  /** The operator's PROCESSOR_BASE_URLS entry for this provider: an egress proxy or a local test server. */
  baseUrl?: string;
  /** PROCESSOR_TIMEOUT_MS: also given to the library, so a hung socket is abandoned, not only raced. */
  timeoutMs: number;
  /** The vault's clock, for the dates the connector writes (the vault passes deps.clock; unset, the wall clock). */
  clock?: () => Date;
}

/** What a provider expects in answer to the notifications it delivered: a text, or a JSON body (status 200). */
export type NotificationAck = { text: string } | { json: { [key: string]: string | number | boolean } };

/**
 * A real connector as it plugs into the registry (server/processors/index.ts): all the vault knows of
 * a provider besides the Processor it builds. Its settings are the provider's part of the protocol's
 * ProcessorSettingsUpdate.
 */
export interface Connector<T extends ConnectorType = ConnectorType> {
  readonly type: T;
  /**
   * Refuses (ApiError, naming the parameter) settings of the other mode than the merchant's: a test
   * merchant must not move real money, and a live one must not send real customers' cards to a
   * provider's test environment, which would decline them all.
   */
  checkMode(settings: ConnectorSettings<T>, live: boolean): void;
  /** The secret part of the credential the merchant knows its account by (its public prefix left out): its last four are shown. */
  credential(settings: ConnectorSettings<T>): string;
  build(settings: ConnectorSettings<T>, options: ConnectorOptions): Processor;
  /** The answer to a delivery of the provider's notifications, once they were read and applied. */
  readonly notificationAck: NotificationAck;
}

export interface ProcessorCard {
  number: string;
  exp_month: number;
  exp_year: number;
  /** Only for customer-initiated operations; it goes to the processor and is then gone. */
  cvc?: string;
  holder?: string;
}

export interface AuthorizeRequest {
  /**
   * The vault's reference, sent as the provider's idempotency key: the same reference answers with
   * the first result and never operates twice. Asking again with it is how an unknown outcome is settled.
   */
  reference: string;
  card: ProcessorCard;
  amount: number;
  currency: string;
  initiator: Initiator;
  /** The card comes from the vault (one-click or card on file), not from the customer's typing just now. */
  stored_credential: boolean;
  /** false: authorise only (the card check of a setup session), voided by the caller. */
  capture: boolean;
  /** A merchant-initiated charge carries the id of the customer-initiated charge its mandate began with. */
  network_transaction_id?: string;
  /** Set once the customer passed a 3-D Secure challenge for this card (the simulated issuer's). */
  authenticated?: boolean;
  /** The merchant asks for 3-D Secure on every customer-initiated payment. */
  force_challenge?: boolean;
  /** A customer-initiated operation whose card is being stored for future use (the customer ticked the box). */
  save_card?: boolean;
  /**
   * The agreement this operation belongs to: `scheduled` (a mandate with `frequency_days` > 0) or
   * `unscheduled` (card on file, `frequency_days` 0). On a customer-initiated operation it is the
   * agreement's first payment; on a merchant-initiated one, a payment under it. Absent: a one-off.
   */
  agreement?: 'scheduled' | 'unscheduled';
  /** Where the customer's browser returns after the issuer's page (customer-initiated only). */
  return_url?: string;
  /** The merchant's order number, shown in the provider's own records. */
  order?: string;
  /** The vault's merchant id, for the provider's metadata. */
  merchant?: string;
}

export type DeclineCode = 'card_declined' | 'insufficient_funds' | 'incorrect_cvc' | 'expired_card' | 'authentication_required';

/** What the provider itself said, kept beside the contract's code. */
export interface ProcessorResponse {
  code: string;
  message: string;
}

/** Facts about the card the provider learned while authorising it (they fill a saved card's issuer and country). */
export interface CardFacts {
  issuer?: string;
  country?: string;
}

/** The issuer's page the customer must visit: a GET to `url`, or a form POST of `data` to it. */
export interface RedirectAction {
  url: string;
  method: 'GET' | 'POST';
  data?: Record<string, string>;
}

export type AuthorizeResult =
  | { outcome: 'approved'; processor_id: string; network_transaction_id: string; card?: CardFacts }
  | { outcome: 'declined'; processor_id: string; code: DeclineCode; decline_code?: string; message: string; processor_response?: ProcessorResponse }
  /** The simulated issuer's challenge: a code typed into the vault's own page. */
  | { outcome: 'challenge' }
  /** A provider's 3-D Secure: the customer visits the issuer's page; `completeRedirect` finishes the payment. */
  | { outcome: 'redirect'; processor_id: string; action: RedirectAction }
  | { outcome: 'error'; message: string };

/** An answer that settles an attempt: the money moved, or the card was declined. */
export type SettledResult = Extract<AuthorizeResult, { outcome: 'approved' | 'declined' }>;

/** Whether the processor's answer settles the attempt (anything else leaves its outcome open). */
export const isSettled = (result: AuthorizeResult | undefined | null): result is SettledResult =>
  result?.outcome === 'approved' || result?.outcome === 'declined';

export interface RefundRequest {
  reference: string;
  /** The provider's id of the payment (`charges.processor_id`, or the reference for the simulated processor). */
  processor_id: string;
  amount: number;
  currency: string;
}

/** `succeeded`: the provider accepted the refund; a later failure arrives as a notification. */
export interface RefundResult {
  outcome: 'succeeded' | 'failed';
  processor_id?: string;
  processor_response?: ProcessorResponse;
}

/** Declared once, with the check every notification passes before it is applied. */
export type { ProcessorNotification };

/** The notification's signature did not verify: it is refused, and nothing it says is believed. */
export class NotificationSignatureError extends Error {
  constructor(message = 'the notification signature did not verify') {
    super(message);
    this.name = 'NotificationSignatureError';
  }
}

export interface Processor {
  readonly type: ProcessorType;
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  /** Releases an authorisation that was never to be captured (a setup session's card check). */
  void(processorId: string, reference: string): Promise<void>;
  refund(request: RefundRequest): Promise<RefundResult>;
  /**
   * What became of an operation whose caller died before recording it, if the provider can be asked
   * without operating (undefined when it cannot tell: the caller then asks again with the same reference).
   */
  lookup(reference: string): Promise<AuthorizeResult | undefined>;
  /**
   * Ends an operation whose outcome the vault does not know (a timeout, a lost answer, a caller that
   * died) before anything else is tried for the same payment: answers its result if it had one (the
   * money moved, or the card was declined); otherwise a late call with that reference takes no money,
   * and the answer is undefined.
   */
  cancel(reference: string): Promise<AuthorizeResult | undefined>;
  /**
   * The customer came back from the issuer's page: finishes the payment the redirect paused, with
   * what the provider put on the return address (`params`, query or form fields).
   */
  completeRedirect(request: { reference: string; processor_id: string; params: Record<string, string> }): Promise<AuthorizeResult>;
  /**
   * Checks the signature of a provider's notification (the raw body, as received) with the
   * provider's library and reads it. NotificationSignatureError when it does not verify.
   * Absent on the simulated processor, which sends none.
   */
  parseNotifications?(rawBody: string, headers: Record<string, string | undefined>): Promise<ProcessorNotification[]>;
  /**
   * Why the provider cannot take this amount (ISO 4217 minor units) in this currency, if it cannot: its
   * minor unit is coarser there (Adyen's IDR), or its amounts keep a step (Stripe's three-decimal ones).
   */
  amountProblem?(amount: number, currency: string): string | undefined;
}
