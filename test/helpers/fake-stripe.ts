// A local server that speaks Stripe's wire format, for the Stripe connector's tests: form-encoded
// bodies with bracket keys, Stripe's JSON objects (typed with the library's own types, so a wrong field
// fails to compile), its error shape and HTTP statuses, its idempotency, and the behaviour of its test
// cards. It asserts what Stripe's documentation requires of each request (each rule cites its page) and
// answers a violation with Stripe's 400, so a connector that sends something Stripe would refuse fails
// its tests. Knobs make it fail, answer late or drop the connection, before or after operating, or
// hold a request unanswered until the test performs or drops it.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Stripe from 'stripe';

export const FAKE_SECRET_KEY = 'sk_test_fake_vault_account';
export const FAKE_WEBHOOK_SECRET = 'whsec_fake_vault_endpoint';

/** A parsed form body: bracket keys become nested objects, numeric indices arrays. */
export type Params = { [key: string]: Param };
export type Param = string | Params | Param[];

export interface RecordedRequest {
  method: string;
  path: string;
  /** The form body (POST) or the query string (GET), parsed. */
  body: Params;
  headers: http.IncomingHttpHeaders;
}

/** Which requests a knob applies to; absent fields match anything. */
export interface Match {
  method?: string;
  path?: RegExp;
}

type KnobKind = 'fail' | 'drop-before' | 'drop-after' | 'delay' | 'hold';
interface Knob {
  kind: KnobKind;
  match: Match;
  left: number;
  ms?: number;
  /** 'hold': told when the request arrives, and given the go-ahead (perform or drop) by the test. */
  hold?: { arrive(): void; gate: Promise<boolean>; performed(): void };
}

/** A request the fake holds: arrived, not yet performed nor answered. */
export interface HeldRequest {
  /** Resolves once the matching request has arrived and is being held. */
  arrived: Promise<void>;
  /** Performs it (kept for idempotency, as any request) and answers, if its caller still listens; resolves once performed. */
  perform(): Promise<void>;
  /** Closes its connection without performing anything. */
  drop(): void;
}

interface Answer {
  status: number;
  body: unknown;
}

/** A refused request. Validation failures are not kept for idempotency (https://docs.stripe.com/api/idempotent_requests). */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly error: Record<string, unknown>,
    readonly kept: boolean,
  ) {
    super(String(error.message));
  }
}

const invalid = (message: string, param?: string, code = 'parameter_invalid'): Refusal =>
  new Refusal(400, { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) }, false);
const unknownParam = (param: string): Refusal => invalid(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
const missing = (param: string): Refusal => invalid(`Missing required param: ${param}.`, param, 'parameter_missing');
/** https://docs.stripe.com/error-codes#payment-intent-unexpected-state: the intent is past that operation. */
const unexpectedState = (pi: Stripe.PaymentIntent, action: string): Refusal =>
  new Refusal(
    400,
    {
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      message: `You cannot ${action} this PaymentIntent because it has a status of ${pi.status}.`,
    },
    true,
  );
const noSuch = (kind: string, id: string): Refusal =>
  new Refusal(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${kind}: '${id}'`, param: 'id' }, true);

// --- Form encoding ---------------------------------------------------------------------------------

function toArrays(value: Param): Param {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((k) => [k, toArrays(value[k])] as const);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v);
  }
  return Object.fromEntries(entries);
}

/** https://docs.stripe.com/api/expanding_objects and the library's own encoding: a[b][c]=v, a[0]=v. */
export function parseForm(text: string): Params {
  const root: Params = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!m) throw invalid(`Invalid parameter name: ${key}`);
    const path = [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1])];
    let node: Params = root;
    path.forEach((k, i) => {
      if (i === path.length - 1) node[k] = value;
      else node = (node[k] ??= {}) as Params;
    });
  }
  return toArrays(root) as Params;
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );

// --- Reading parameters ----------------------------------------------------------------------------

function obj(p: Params, key: string, where: string): Params | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`Invalid object: ${where}${key}`, `${where}${key}`);
  return v;
}
function str(p: Params, key: string, where = ''): string | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`Invalid string: ${where}${key}`, `${where}${key}`);
  return v;
}
function int(p: Params, key: string, where = ''): number | undefined {
  const v = str(p, key, where);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw invalid(`Invalid integer: ${v}`, `${where}${key}`, 'parameter_invalid_integer');
  return Number(v);
}
function bool(p: Params, key: string, where = ''): boolean | undefined {
  const v = str(p, key, where);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw invalid(`Invalid boolean: ${v}`, `${where}${key}`);
  return v === 'true';
}
function oneOf<T extends string>(p: Params, key: string, allowed: readonly T[], where = ''): T | undefined {
  const v = str(p, key, where);
  if (v !== undefined && !allowed.includes(v as T)) throw invalid(`Invalid ${where}${key}: must be one of ${allowed.join(', ')}`, `${where}${key}`);
  return v as T | undefined;
}
function onlyKnown(p: Params, known: readonly string[], where = ''): void {
  for (const key of Object.keys(p)) if (!known.includes(key)) throw unknownParam(`${where}${key}`);
}
function expandOf(p: Params): string[] {
  const e = p.expand;
  if (e === undefined) return [];
  if (!Array.isArray(e) || e.some((x) => typeof x !== 'string')) throw invalid('Invalid array: expand', 'expand');
  // https://docs.stripe.com/api/expanding_objects: only expandable fields of the object.
  for (const field of e as string[])
    if (field !== 'latest_charge' && field !== 'payment_method') throw invalid(`This property cannot be expanded (${field}).`, 'expand');
  return e as string[];
}

// --- Test cards (https://docs.stripe.com/testing) ----------------------------------------------------

interface CardFailure {
  code: string;
  decline_code: string;
  message: string;
}
const DECLINES: Record<string, CardFailure> = {
  '4000000000000002': { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  '4000000000009995': { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  '4000000000000127': { code: 'incorrect_cvc', decline_code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  '4000000000000069': { code: 'expired_card', decline_code: 'expired_card', message: 'Your card has expired.' },
};
/** https://docs.stripe.com/testing#regulatory-cards: 3-D Secure required on every transaction. */
const REQUIRES_3DS = '4000000000003220';
/** https://docs.stripe.com/testing#declined-payments: saves fine, later charges are declined. */
const DECLINES_LATER = '4000000000000341';
const AUTHENTICATION_REQUIRED: CardFailure = {
  code: 'authentication_required',
  decline_code: 'authentication_required',
  message: 'Your card was declined. This transaction requires authentication.',
};
const GENERIC_DECLINE = DECLINES['4000000000000002'];

function luhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
const brandOf = (n: string) => (n.startsWith('4') ? 'visa' : /^3[47]/.test(n) ? 'amex' : /^5[1-5]|^2[2-7]/.test(n) ? 'mastercard' : 'unknown');

// --- The server --------------------------------------------------------------------------------------

export interface FakeStripe {
  /** Base URL for PROCESSOR_BASE_URLS, e.g. http://127.0.0.1:41234. */
  url: string;
  secretKey: string;
  webhookSecret: string;
  /** Every request, in order (the 3-D Secure pages included). */
  requests: RecordedRequest[];
  /** The ledger: every PaymentIntent, charge and refund the fake holds, by id. */
  intents: Map<string, Stripe.PaymentIntent>;
  charges: Map<string, Stripe.Charge>;
  refunds: Map<string, Stripe.Refund>;
  /** Charges that took money (authorised or captured). */
  paidCharges(): Stripe.Charge[];
  /** The next `count` matching API requests answer 500 without reaching the API (nothing is done or kept). */
  failNext(count?: number, match?: Match): void;
  /** The next matching API request is performed, then answered `ms` later. */
  delayNext(ms: number, match?: Match): void;
  /**
   * The next `count` matching API requests' connections are destroyed, before the operation or after it
   * was performed (and kept for idempotency). The library retries a closed connection once by itself,
   * with the same idempotency key: two drops make the call fail.
   */
  dropNext(options?: { afterOperating?: boolean; match?: Match; count?: number }): void;
  /** The next matching API request is held, unperformed and unanswered, until the test performs or drops it. */
  holdNext(match?: Match): HeldRequest;
  /** A Stripe event signed with the endpoint's secret (or another one, for a forgery). */
  signed(event: Stripe.Event, secret?: string): { body: string; headers: Record<string, string> };
  events: {
    disputeCreated(paymentIntent: string, options?: { amount?: number; currency?: string; reason?: string }): Stripe.ChargeDisputeCreatedEvent;
    disputeClosed(paymentIntent: string, status: Stripe.Dispute.Status): Stripe.ChargeDisputeClosedEvent;
    /** `keepLedger`: only the event, the fake's refund left as it was answered (a failure the vault hears before Stripe's books show it). */
    refundFailed(
      refundId: string,
      type?: 'refund.failed' | 'refund.updated' | 'charge.refund.updated',
      options?: { keepLedger?: boolean },
    ): Stripe.RefundFailedEvent | Stripe.RefundUpdatedEvent | Stripe.ChargeRefundUpdatedEvent;
  };
  close(): Promise<void>;
}

export async function startFakeStripe(
  options: { port?: number /** The account's key; default FAKE_SECRET_KEY (a live-mode merchant needs an sk_live_ one). */; secretKey?: string } = {},
): Promise<FakeStripe> {
  const secretKey = options.secretKey ?? FAKE_SECRET_KEY;
  // Every object and event of a live key's account says livemode: true, of a test key's false.
  const livemode = /^(sk|rk)_live_/.test(secretKey);
  const requests: RecordedRequest[] = [];
  const intents = new Map<string, Stripe.PaymentIntent>();
  const charges = new Map<string, Stripe.Charge>();
  const methods = new Map<string, Stripe.PaymentMethod>();
  const refunds = new Map<string, Stripe.Refund>();
  const idempotent = new Map<string, { endpoint: string; digest: string; answer: Answer }>();
  const knobs: Knob[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let base = '';

  const now = () => Math.floor(Date.now() / 1000);
  const newId = (prefix: string) => `${prefix}_${crypto.randomBytes(12).toString('hex')}`;

  // --- Objects, as Stripe returns them ---

  function newCharge(pi: Stripe.PaymentIntent, method: Stripe.PaymentMethod, failure?: CardFailure): Stripe.Charge {
    const card = method.card!;
    const paid = !failure;
    const captured = paid && pi.capture_method !== 'manual';
    const charge: Stripe.Charge = {
      id: newId('ch'),
      object: 'charge',
      amount: pi.amount,
      amount_captured: captured ? pi.amount : 0,
      amount_refunded: 0,
      application: null,
      application_fee: null,
      application_fee_amount: null,
      balance_transaction: null,
      billing_details: { address: null, email: null, name: method.billing_details.name, phone: null, tax_id: null },
      calculated_statement_descriptor: null,
      captured,
      created: now(),
      currency: pi.currency,
      customer: null,
      description: null,
      disputed: false,
      failure_balance_transaction: null,
      failure_code: failure?.code ?? null,
      failure_message: failure?.message ?? null,
      fraud_details: null,
      livemode,
      metadata: {},
      on_behalf_of: null,
      outcome: {
        advice_code: null,
        network_advice_code: null,
        network_decline_code: null,
        network_status: paid ? 'approved_by_network' : 'declined_by_network',
        reason: failure?.decline_code ?? null,
        seller_message: paid ? 'Payment complete.' : 'The bank did not return any further details with this decline.',
        type: paid ? 'authorized' : 'issuer_declined',
      },
      paid,
      payment_intent: pi.id,
      payment_method: method.id,
      payment_method_details: {
        type: 'card',
        card: {
          amount_authorized: paid ? pi.amount : null,
          authorization_code: paid ? '123456' : null,
          brand: card.brand,
          checks: null,
          country: card.country,
          electronic_commerce_indicator: null,
          exp_month: card.exp_month,
          exp_year: card.exp_year,
          funding: card.funding,
          installments: null,
          last4: card.last4,
          mandate: null,
          network: card.brand,
          // https://docs.stripe.com/api/charges/object#charge_object-payment_method_details-card-network_transaction_id
          network_transaction_id: paid ? String(crypto.randomInt(100_000_000, 999_999_999)) + String(crypto.randomInt(100_000, 999_999)) : null,
          regulated_status: null,
          three_d_secure: null,
          transaction_link_id: null,
          wallet: null,
        },
      },
      receipt_email: null,
      receipt_number: null,
      receipt_url: null,
      refunded: false,
      review: null,
      shipping: null,
      source: null,
      source_transfer: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: paid ? 'succeeded' : 'failed',
      transfer_data: null,
      transfer_group: null,
    };
    charges.set(charge.id, charge);
    return charge;
  }

  function newMethod(card: Params, name: string | undefined): Stripe.PaymentMethod {
    const number = card.number as string;
    const method: Stripe.PaymentMethod = {
      id: newId('pm'),
      object: 'payment_method',
      billing_details: { address: null, email: null, name: name ?? null, phone: null, tax_id: null },
      card: {
        brand: brandOf(number),
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: card.cvc ? 'pass' : null },
        country: 'US',
        display_brand: brandOf(number),
        exp_month: Number(card.exp_month),
        exp_year: Number(card.exp_year),
        funding: 'credit',
        generated_from: null,
        issuer: 'Stripe Test Bank',
        last4: number.slice(-4),
        networks: null,
        regulated_status: null,
        three_d_secure_usage: { supported: true },
        wallet: null,
      },
      created: now(),
      customer: null,
      customer_account: null,
      livemode,
      metadata: {},
      type: 'card',
    };
    methods.set(method.id, method);
    return method;
  }

  /** The intent as the API shows it, with the requested fields expanded. */
  function shown(pi: Stripe.PaymentIntent, expand: string[]): Stripe.PaymentIntent {
    const out: Stripe.PaymentIntent = { ...pi };
    if (expand.includes('latest_charge') && typeof pi.latest_charge === 'string') out.latest_charge = charges.get(pi.latest_charge)!;
    if (expand.includes('payment_method') && typeof pi.payment_method === 'string') out.payment_method = methods.get(pi.payment_method)!;
    return out;
  }

  function intentOf(id: string): Stripe.PaymentIntent {
    const pi = intents.get(id);
    if (!pi) throw noSuch('payment_intent', id);
    return pi;
  }

  // --- Operations ---

  /** https://docs.stripe.com/api/payment_intents/create */
  function createIntent(p: Params): Answer {
    if (p.payment_method_types !== undefined) {
      // https://docs.stripe.com/changelog/endive/2026-09-30/removes-the-payment-method-types-parameter-from-payment-intents-and-setup-intents
      throw invalid(
        'payment_method_types is no longer supported; use allowed_payment_method_types.',
        'payment_method_types',
        'payment_method_types_no_longer_supported',
      );
    }
    if (p.confirm !== undefined)
      throw invalid('This local Stripe implements the two-step flow only: confirm with POST /v1/payment_intents/:id/confirm.', 'confirm');
    onlyKnown(p, [
      'amount',
      'currency',
      'capture_method',
      'allowed_payment_method_types',
      'metadata',
      'description',
      'expand',
      'statement_descriptor_suffix',
      'receipt_email',
    ]);
    // amount: "A positive integer representing how much to charge in the smallest currency unit", up to eight digits.
    const amount = int(p, 'amount');
    if (amount === undefined) throw missing('amount');
    if (amount <= 0 || amount > 99_999_999) throw invalid('Amount must be a positive integer of at most eight digits.', 'amount', 'amount_too_small');
    // currency: "Three-letter ISO currency code, in lowercase."
    const currency = str(p, 'currency');
    if (currency === undefined) throw missing('currency');
    if (!/^[a-z]{3}$/.test(currency)) throw invalid(`Invalid currency: ${currency}. Stripe currently supports these currencies: usd, eur, …`, 'currency');
    const capture = oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic_async';
    const allowed = p.allowed_payment_method_types;
    if (allowed !== undefined && (!Array.isArray(allowed) || allowed.some((t) => typeof t !== 'string')))
      throw invalid('Invalid array', 'allowed_payment_method_types');
    // https://docs.stripe.com/api/metadata: string values, keys up to 40 characters, values up to 500.
    const metadata = obj(p, 'metadata', '') ?? {};
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string' || k.length > 40 || v.length > 500) throw invalid(`Invalid metadata[${k}]`, `metadata[${k}]`);
    }
    const id = newId('pi');
    const pi: Stripe.PaymentIntent = {
      id,
      object: 'payment_intent',
      allowed_payment_method_types: (allowed as Stripe.PaymentIntent.AllowedPaymentMethodType[] | undefined) ?? null,
      amount,
      amount_capturable: 0,
      amount_received: 0,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: allowed ? null : { allow_redirects: 'always', enabled: true },
      canceled_at: null,
      cancellation_reason: null,
      capture_method: capture,
      client_secret: `${id}_secret_${crypto.randomBytes(8).toString('hex')}`,
      confirmation_method: 'automatic',
      created: now(),
      currency,
      customer: null,
      customer_account: null,
      description: str(p, 'description') ?? null,
      excluded_payment_method_types: null,
      last_payment_error: null,
      latest_charge: null,
      livemode,
      managed_payments: null,
      metadata: metadata as Record<string, string>,
      next_action: null,
      on_behalf_of: null,
      payment_method: null,
      payment_method_configuration_details: null,
      payment_method_options: null,
      payment_method_types: (allowed as string[] | undefined) ?? ['card', 'link'],
      payment_record: null,
      processing: null,
      receipt_email: null,
      review: null,
      setup_future_usage: null,
      shipping: null,
      source: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: 'requires_payment_method',
      transfer_group: null,
    };
    intents.set(id, pi);
    return { status: 200, body: shown(pi, expandOf(p)) };
  }

  /** The rules of https://docs.stripe.com/api/payment_intents/confirm for a raw card, checked before anything happens. */
  function checkConfirm(pi: Stripe.PaymentIntent, p: Params) {
    onlyKnown(p, [
      'payment_method_data',
      'payment_method_options',
      'off_session',
      'return_url',
      'setup_future_usage',
      'expand',
      'error_on_requires_action',
      'receipt_email',
      'shipping',
      'capture_method',
    ]);
    // Raw card data inline (https://docs.stripe.com/api/payment_methods/create#create_payment_method-card),
    // the form a PCI-compliant vault sends instead of a PaymentMethod id.
    const data = obj(p, 'payment_method_data', '');
    if (!data) throw missing('payment_method_data');
    onlyKnown(data, ['type', 'card', 'billing_details'], 'payment_method_data.');
    if (str(data, 'type', 'payment_method_data.') !== 'card')
      throw invalid('payment_method_data[type] must be card for raw card data.', 'payment_method_data[type]');
    const card = obj(data, 'card', 'payment_method_data.');
    if (!card) throw missing('payment_method_data[card]');
    onlyKnown(card, ['number', 'exp_month', 'exp_year', 'cvc'], 'payment_method_data.card.');
    const number = str(card, 'number', 'payment_method_data.card.');
    if (!number || !/^\d{12,19}$/.test(number))
      throw invalid('payment_method_data[card][number] must be the card number, digits only.', 'payment_method_data[card][number]');
    const month = int(card, 'exp_month', 'payment_method_data.card.');
    if (month === undefined || month < 1 || month > 12)
      throw invalid('payment_method_data[card][exp_month] must be 1 to 12.', 'payment_method_data[card][exp_month]');
    const year = int(card, 'exp_year', 'payment_method_data.card.');
    if (year === undefined || year < 1000)
      throw invalid('payment_method_data[card][exp_year] must be a four-digit year.', 'payment_method_data[card][exp_year]');
    const cvc = str(card, 'cvc', 'payment_method_data.card.');
    if (cvc !== undefined && !/^\d{3,4}$/.test(cvc)) throw invalid('payment_method_data[card][cvc] must be 3 or 4 digits.', 'payment_method_data[card][cvc]');
    const billing = obj(data, 'billing_details', 'payment_method_data.');
    if (billing) onlyKnown(billing, ['name', 'email', 'phone', 'address'], 'payment_method_data.billing_details.');

    const offSession = bool(p, 'off_session') ?? false;
    const returnUrl = str(p, 'return_url');
    if (returnUrl !== undefined && !URL.canParse(returnUrl)) throw invalid('Invalid URL: return_url', 'return_url', 'url_invalid');
    const sfu = oneOf(p, 'setup_future_usage', ['on_session', 'off_session'] as const);
    const options = obj(p, 'payment_method_options', '');
    if (options) onlyKnown(options, ['card'], 'payment_method_options.');
    const cardOptions = (options ? obj(options, 'card', 'payment_method_options.') : undefined) ?? {};
    const where = 'payment_method_options.card.';
    onlyKnown(
      cardOptions,
      ['request_three_d_secure', 'setup_credential_usage', 'stored_credential_usage', 'mit_exemption', 'capture_method', 'moto', 'network'],
      where,
    );
    const three = oneOf(cardOptions, 'request_three_d_secure', ['any', 'automatic', 'challenge'] as const, where);
    const usages = ['installment', 'recurring', 'unscheduled'] as const;
    const setupUsage = oneOf(cardOptions, 'setup_credential_usage', usages, where);
    const storedUsage = oneOf(cardOptions, 'stored_credential_usage', usages, where);
    const mit = obj(cardOptions, 'mit_exemption', where);
    if (mit) onlyKnown(mit, ['network_transaction_id', 'ds_transaction_id', 'claim_without_transaction_id'], `${where}mit_exemption.`);
    const ntid = mit ? str(mit, 'network_transaction_id', `${where}mit_exemption.`) : undefined;

    // https://docs.stripe.com/payments/cards/save-and-reuse: setup_credential_usage declares how a card
    // being saved will be used, on a PaymentIntent with setup_future_usage.
    if (setupUsage && !sfu) throw invalid('setup_credential_usage can only be used with setup_future_usage.', `${where}setup_credential_usage`);
    // Same page: stored_credential_usage is set when charging a saved card, confirmed with
    // off_session=true, and is not supported together with setup_future_usage.
    if (storedUsage && !offSession) throw invalid('stored_credential_usage requires off_session=true.', `${where}stored_credential_usage`);
    if (storedUsage && sfu) throw invalid('stored_credential_usage cannot be used with setup_future_usage.', `${where}stored_credential_usage`);
    if (offSession) {
      // https://docs.stripe.com/payments/cits-and-mits: a merchant-initiated charge of a stored credential
      // declares its usage type, and, for a card Stripe did not store itself, the network transaction id
      // of the customer-initiated payment that began the agreement.
      if (!storedUsage) throw missing(`${where}stored_credential_usage`);
      if (!ntid) throw missing(`${where}mit_exemption[network_transaction_id]`);
      // An off-session payment has no customer to send to an issuer's page.
      if (three === 'any' || three === 'challenge')
        throw invalid('request_three_d_secure cannot be used with off_session=true.', `${where}request_three_d_secure`);
    }
    if (ntid && !offSession) throw invalid('mit_exemption applies to off-session payments only.', `${where}mit_exemption`);
    // https://docs.stripe.com/api/payment_intents/confirm#confirm_payment_intent-return_url: required
    // when the intent allows redirect-based payment methods (automatic payment methods).
    if (!returnUrl && !offSession && pi.automatic_payment_methods?.enabled)
      throw invalid('return_url is required when automatic_payment_methods allows redirects.', 'return_url');
    return {
      card: { number, exp_month: month, exp_year: year, cvc },
      name: billing ? str(billing, 'name', 'payment_method_data.billing_details.') : undefined,
      offSession,
      returnUrl,
      sfu,
      three,
    };
  }

  function declined(pi: Stripe.PaymentIntent, method: Stripe.PaymentMethod, failure: CardFailure): Refusal {
    const charge = newCharge(pi, method, failure);
    pi.status = 'requires_payment_method';
    pi.latest_charge = charge.id;
    pi.payment_method = null;
    pi.last_payment_error = {
      type: 'card_error',
      charge: charge.id,
      code: failure.code,
      decline_code: failure.decline_code,
      message: failure.message,
      payment_method: method,
      doc_url: `https://docs.stripe.com/error-codes/${failure.code.replace(/_/g, '-')}`,
    };
    // https://docs.stripe.com/api/errors: a card error is a 402 carrying the intent.
    return new Refusal(
      402,
      {
        type: 'card_error',
        code: failure.code,
        decline_code: failure.decline_code,
        message: failure.message,
        charge: charge.id,
        payment_intent: shown(pi, []),
      },
      true,
    );
  }

  function authorised(pi: Stripe.PaymentIntent, method: Stripe.PaymentMethod) {
    const charge = newCharge(pi, method);
    pi.latest_charge = charge.id;
    pi.payment_method = method.id;
    pi.next_action = null;
    pi.last_payment_error = null;
    if (pi.capture_method === 'manual') {
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
    } else {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
    }
  }

  /** https://docs.stripe.com/api/payment_intents/confirm */
  function confirmIntent(id: string, p: Params): Answer {
    const pi = intentOf(id);
    const c = checkConfirm(pi, p);
    const expand = expandOf(p);
    if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation') throw unexpectedState(pi, 'confirm');
    const method = newMethod((p.payment_method_data as Params).card as Params, c.name);
    pi.payment_method = method.id;
    pi.setup_future_usage = c.sfu ?? null;
    const number = c.card.number;
    const today = new Date();
    if (!luhn(number)) {
      throw new Refusal(402, { type: 'card_error', code: 'incorrect_number', message: 'Your card number is incorrect.', param: 'number' }, true);
    }
    const expired = c.card.exp_year < today.getUTCFullYear() || (c.card.exp_year === today.getUTCFullYear() && c.card.exp_month < today.getUTCMonth() + 1);
    if (expired) throw declined(pi, method, DECLINES['4000000000000069']);
    if (DECLINES[number]) throw declined(pi, method, DECLINES[number]);
    const wantsAuthentication = number === REQUIRES_3DS || c.three === 'any' || c.three === 'challenge';
    if (c.offSession) {
      // The customer is absent: a card that needs authentication declines instead of asking for it.
      if (number === REQUIRES_3DS) throw declined(pi, method, AUTHENTICATION_REQUIRED);
      if (number === DECLINES_LATER) throw declined(pi, method, GENERIC_DECLINE);
    } else if (wantsAuthentication) {
      pi.status = 'requires_action';
      pi.next_action = c.returnUrl
        ? { type: 'redirect_to_url', redirect_to_url: { url: `${base}/fake-3ds/${pi.id}`, return_url: c.returnUrl } }
        : { type: 'use_stripe_sdk', use_stripe_sdk: {} };
      return { status: 200, body: shown(pi, expand) };
    }
    authorised(pi, method);
    return { status: 200, body: shown(pi, expand) };
  }

  /** https://docs.stripe.com/api/payment_intents/cancel */
  function cancelIntent(id: string, p: Params): Answer {
    const pi = intentOf(id);
    onlyKnown(p, ['cancellation_reason', 'expand']);
    const reason = oneOf(p, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const);
    const expand = expandOf(p);
    if (!['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'].includes(pi.status))
      throw unexpectedState(pi, 'cancel');
    if (pi.status === 'requires_capture' && typeof pi.latest_charge === 'string') {
      // An uncaptured authorisation is released: the charge shows as refunded.
      const charge = charges.get(pi.latest_charge)!;
      charge.refunded = true;
      charge.amount_refunded = charge.amount;
      pi.amount_capturable = 0;
    }
    pi.status = 'canceled';
    pi.next_action = null;
    pi.canceled_at = now();
    pi.cancellation_reason = reason ?? null;
    return { status: 200, body: shown(pi, expand) };
  }

  /** https://docs.stripe.com/api/refunds/create */
  function createRefund(p: Params): Answer {
    onlyKnown(p, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand']);
    const chargeId = str(p, 'charge');
    const piId = str(p, 'payment_intent') ?? (chargeId ? ((charges.get(chargeId)?.payment_intent as string | undefined) ?? chargeId) : undefined);
    if (!piId) throw missing('payment_intent');
    const pi = intentOf(piId);
    const charge = typeof pi.latest_charge === 'string' ? charges.get(pi.latest_charge) : undefined;
    if (pi.status !== 'succeeded' || !charge?.captured) {
      throw new Refusal(
        400,
        { type: 'invalid_request_error', code: 'charge_not_refundable', message: `This PaymentIntent (${pi.id}) does not have a successful charge to refund.` },
        true,
      );
    }
    const left = charge.amount - charge.amount_refunded;
    const amount = int(p, 'amount') ?? left;
    if (amount <= 0) throw invalid('Refund amount must be a positive integer.', 'amount', 'amount_too_small');
    if (amount > left) {
      throw new Refusal(
        400,
        {
          type: 'invalid_request_error',
          code: 'amount_too_large',
          message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
          param: 'amount',
        },
        true,
      );
    }
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    const refund: Stripe.Refund = {
      id: newId('re'),
      object: 'refund',
      amount,
      application: null,
      balance_transaction: null,
      charge: charge.id,
      created: now(),
      currency: pi.currency,
      customer: null,
      customer_account: null,
      metadata: {},
      payment_intent: pi.id,
      payment_method: charge.payment_method,
      reason: oneOf(p, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    refunds.set(refund.id, refund);
    return { status: 200, body: refund };
  }

  // --- The issuer's 3-D Secure page ---

  function issuerPage(id: string, res: http.ServerResponse) {
    const pi = intents.get(id);
    if (pi?.next_action?.type !== 'redirect_to_url') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('No authentication is pending for this payment.');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><title>Test issuer: 3-D Secure</title><h1>Authenticate ${(pi.amount / 100).toFixed(2)} ${pi.currency.toUpperCase()}</h1>` +
          `<form method="post" action="/fake-3ds/${pi.id}">` +
          `<button name="result" value="complete">Complete</button> <button name="result" value="fail">Fail</button></form>`,
      );
  }

  function issuerAnswer(id: string, form: Params, res: http.ServerResponse) {
    const pi = intents.get(id);
    const returnUrl = pi?.next_action?.redirect_to_url?.return_url;
    if (pi?.status !== 'requires_action' || !returnUrl) {
      res.writeHead(409, { 'content-type': 'text/plain' }).end('This payment is not waiting for authentication.');
      return;
    }
    const method = methods.get(pi.payment_method as string)!;
    if (form.result === 'complete') {
      authorised(pi, method);
    } else {
      pi.status = 'requires_payment_method';
      pi.next_action = null;
      pi.payment_method = null;
      pi.last_payment_error = {
        type: 'invalid_request_error',
        code: 'payment_intent_authentication_failure',
        payment_method: method,
        message: 'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
      };
    }
    // https://docs.stripe.com/payments/3d-secure/authentication-flow: back to return_url with the intent's id and client secret.
    const back = new URL(returnUrl);
    back.searchParams.set('payment_intent', pi.id);
    back.searchParams.set('payment_intent_client_secret', pi.client_secret!);
    res.writeHead(302, { location: back.toString() }).end();
  }

  // --- Routing, authentication, idempotency, knobs ---

  function route(method: string, path: string, p: Params): Answer {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/payment_intents') return createIntent(p);
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path))) return confirmIntent(m[1], p);
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path))) return cancelIntent(m[1], p);
    if (method === 'GET' && (m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) {
      onlyKnown(p, ['expand']);
      return { status: 200, body: shown(intentOf(m[1]), expandOf(p)) };
    }
    if (method === 'POST' && path === '/v1/refunds') return createRefund(p);
    throw new Refusal(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` }, false);
  }

  function takeKnob(method: string, path: string, kinds: KnobKind[]): Knob | undefined {
    const knob = knobs.find(
      (k) => kinds.includes(k.kind) && k.left > 0 && (!k.match.method || k.match.method === method) && (!k.match.path || k.match.path.test(path)),
    );
    if (knob) knob.left--;
    return knob;
  }

  function answerApi(method: string, path: string, p: Params, headers: http.IncomingHttpHeaders): Answer & { replayed?: boolean } {
    // https://docs.stripe.com/api/authentication: a secret key as a bearer token.
    const auth = headers.authorization ?? '';
    if (auth !== `Bearer ${secretKey}`) {
      return {
        status: 401,
        body: { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${auth.replace(/^Bearer\s+/, '').slice(0, 8)}****` } },
      };
    }
    // What the API answered at that moment (a snapshot: a replay or a late answer shows the objects as they were).
    const run = (): Answer & { kept?: boolean } => {
      const snapshot = (status: number, body: unknown, kept?: boolean) => ({ status, body: JSON.parse(JSON.stringify(body)), kept });
      try {
        const answer = route(method, path, p);
        return snapshot(answer.status, answer.body);
      } catch (err) {
        if (err instanceof Refusal) return snapshot(err.status, { error: err.error }, err.kept);
        throw err;
      }
    };
    // https://docs.stripe.com/api/idempotent_requests: the first result for a key is replayed for the
    // same request; the key with other parameters, or on another endpoint, is an idempotency_error.
    const key = method === 'POST' ? (headers['idempotency-key'] as string | undefined) : undefined;
    if (!key) return run();
    // "Idempotency keys are up to 255 characters long."
    if (key.length > 255)
      return { status: 400, body: { error: { type: 'invalid_request_error', message: 'Idempotency keys are up to 255 characters long.' } } };
    const endpoint = `${method} ${path}`;
    const digest = crypto.createHash('sha256').update(canonical(p)).digest('hex');
    const kept = idempotent.get(key);
    if (kept) {
      if (kept.endpoint !== endpoint || kept.digest !== digest) {
        return {
          status: 400,
          body: {
            error: {
              type: 'idempotency_error',
              message:
                `Keys for idempotent requests can only be used with the same parameters they were first used with. ` +
                `Try using a key other than '${key}' if you meant to execute a different request.`,
            },
          },
        };
      }
      return { ...kept.answer, replayed: true };
    }
    const answer = run();
    if (answer.kept !== false) idempotent.set(key, { endpoint, digest, answer: { status: answer.status, body: answer.body } });
    return { status: answer.status, body: answer.body };
  }

  const send = (res: http.ServerResponse, answer: Answer & { replayed?: boolean }) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      'request-id': newId('req'),
      'stripe-version': Stripe.API_VERSION,
      ...(answer.replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
    res.end(JSON.stringify(answer.body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    // Async only for a held request: any other runs to its answer without yielding, as before.
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://fake.stripe');
      const method = req.method ?? 'GET';
      const path = url.pathname;
      let body: Params;
      try {
        body = parseForm(method === 'GET' ? url.search.slice(1) : Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        send(res, { status: 400, body: { error: (err as Refusal).error } });
        return;
      }
      requests.push({ method, path, body, headers: req.headers });

      const page = /^\/fake-3ds\/([^/]+)$/.exec(path);
      if (page) return method === 'POST' ? issuerAnswer(page[1], body, res) : issuerPage(page[1], res);

      // Knobs that stop the request before it reaches the API: nothing is done, nothing is kept.
      const before = takeKnob(method, path, ['fail', 'drop-before']);
      if (before?.kind === 'drop-before') return void req.socket.destroy();
      if (before?.kind === 'fail')
        return send(res, { status: 500, body: { error: { type: 'api_error', message: 'An unknown error occurred while processing your request.' } } });

      // Held: the test decides, later, whether it is performed or its connection dropped unperformed.
      const held = takeKnob(method, path, ['hold'])?.hold;
      if (held) {
        held.arrive();
        if (!(await held.gate)) return void req.socket.destroy();
      }

      let answer: Answer & { replayed?: boolean };
      try {
        answer = answerApi(method, path, body, req.headers);
      } catch (err) {
        // A fault of this fake, not of the connector: shown as Stripe shows its own.
        answer = { status: 500, body: { error: { type: 'api_error', message: `fake Stripe failed: ${(err as Error).message}` } } };
      }
      held?.performed();
      const after = takeKnob(method, path, ['drop-after', 'delay']);
      if (after?.kind === 'drop-after') return void req.socket.destroy();
      if (after?.kind === 'delay') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(res, answer);
        }, after.ms);
        timers.add(timer);
        return;
      }
      send(res, answer);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // --- Events (https://docs.stripe.com/api/events/object), signed as https://docs.stripe.com/webhooks#verify-manually ---

  const eventBase = () => ({
    id: newId('evt'),
    object: 'event' as const,
    api_version: Stripe.API_VERSION,
    created: now(),
    livemode,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });

  function dispute(
    paymentIntent: string,
    status: Stripe.Dispute.Status,
    options: { amount?: number; currency?: string; reason?: string } = {},
  ): Stripe.Dispute {
    const pi = intentOf(paymentIntent);
    return {
      id: newId('dp'),
      object: 'dispute',
      amount: options.amount ?? pi.amount,
      balance_transactions: [],
      charge: pi.latest_charge as string,
      created: now(),
      currency: options.currency ?? pi.currency,
      enhanced_eligibility_types: [],
      evidence: {
        access_activity_log: null,
        appeal: null,
        billing_address: null,
        cancellation_policy: null,
        cancellation_policy_disclosure: null,
        cancellation_rebuttal: null,
        customer_communication: null,
        customer_email_address: null,
        customer_name: null,
        customer_purchase_ip: null,
        customer_signature: null,
        duplicate_charge_documentation: null,
        duplicate_charge_explanation: null,
        duplicate_charge_id: null,
        enhanced_evidence: {},
        product_description: null,
        receipt: null,
        refund_policy: null,
        refund_policy_disclosure: null,
        refund_refusal_explanation: null,
        service_date: null,
        service_documentation: null,
        shipping_address: null,
        shipping_carrier: null,
        shipping_date: null,
        shipping_documentation: null,
        shipping_tracking_number: null,
        uncategorized_file: null,
        uncategorized_text: null,
      },
      evidence_details: {
        due_by: now() + 7 * 86_400,
        enhanced_eligibility: {},
        has_evidence: false,
        past_due: false,
        submission_count: 0,
        submission_method: 'not_submitted',
      },
      intended_submission_method: null,
      is_charge_refundable: false,
      livemode,
      metadata: {},
      payment_intent: pi.id,
      reason: options.reason ?? 'fraudulent',
      status,
    };
  }

  return {
    url: base,
    secretKey,
    webhookSecret: FAKE_WEBHOOK_SECRET,
    requests,
    intents,
    charges,
    refunds,
    paidCharges: () => [...charges.values()].filter((c) => c.status === 'succeeded'),
    failNext: (count = 1, match = {}) => void knobs.push({ kind: 'fail', match, left: count }),
    delayNext: (ms, match = {}) => void knobs.push({ kind: 'delay', match, left: 1, ms }),
    dropNext: ({ afterOperating = false, match = {}, count = 1 } = {}) =>
      void knobs.push({ kind: afterOperating ? 'drop-after' : 'drop-before', match, left: count }),
    holdNext(match = {}) {
      let arrive!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      let go!: (perform: boolean) => void;
      const gate = new Promise<boolean>((resolve) => (go = resolve));
      let performed!: () => void;
      const done = new Promise<void>((resolve) => (performed = resolve));
      knobs.push({ kind: 'hold', match, left: 1, hold: { arrive, gate, performed } });
      return {
        arrived,
        perform: () => {
          go(true);
          return done;
        },
        drop: () => go(false),
      };
    },
    signed(event, secret = FAKE_WEBHOOK_SECRET) {
      const body = JSON.stringify(event);
      return { body, headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret }) } };
    },
    events: {
      disputeCreated: (paymentIntent, options) => ({
        ...eventBase(),
        type: 'charge.dispute.created',
        data: { object: dispute(paymentIntent, 'needs_response', options) },
      }),
      disputeClosed: (paymentIntent, status) => ({ ...eventBase(), type: 'charge.dispute.closed', data: { object: dispute(paymentIntent, status) } }),
      refundFailed(refundId, type = 'refund.failed', options = {}) {
        const stored = refunds.get(refundId);
        if (!stored) throw new Error(`no refund ${refundId} at the fake`);
        // https://docs.stripe.com/refunds#failed-refunds: the refund turns failed, with a reason, and the money returns to the balance.
        const refund = options.keepLedger ? { ...stored } : stored;
        Object.assign(refund, { status: 'failed', failure_reason: 'expired_or_canceled_card' } satisfies Partial<Stripe.Refund>);
        const data = { object: { ...refund }, previous_attributes: { status: 'succeeded' } };
        return type === 'refund.failed'
          ? { ...eventBase(), type, data }
          : type === 'refund.updated'
            ? { ...eventBase(), type, data }
            : { ...eventBase(), type, data };
      },
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
