// A local Adyen for tests: a real HTTP server on 127.0.0.1 speaking Checkout API v72's JSON, with
// its answers typed by the official library's own models (a wrong field does not compile). It checks
// what Adyen's documentation requires of each call (each check cites its page) and answers a violation
// with Adyen's 422 validation error, so a connector that sends the wrong thing fails its test. The
// vault's test cards behave as the contract's table says; a 3-D Secure card sends the customer to the
// fake's own issuer page. Every request is recorded, and a ledger says where the money went.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Checkout,
  hmacValidator,
  type CheckoutRedirectAction,
  type CheckoutThreeDS2Action,
  type NotificationRequestItem,
  type PaymentCancelResponse,
  type PaymentDetailsResponse,
  type PaymentRefundResponse,
  type PaymentResponse,
  type StandalonePaymentCancelResponse,
} from '../../server/processors/adyen/adyen-library.ts';

export interface RecordedRequest {
  method: string;
  /** The path without the API version: /payments, /payments/details, /payments/{psp}/refunds, /cancels. */
  path: string;
  apiKey?: string;
  idempotencyKey?: string;
  body: any;
}

export interface FakePayment {
  pspReference: string;
  reference: string;
  amount: { value: number; currency: string };
  last4: string;
  shopperInteraction: string;
  recurringProcessingModel?: string;
  manualCapture: boolean;
  /** `authorised` takes the money (captured unless manualCapture); `cancelled` released it. */
  status: 'authorised' | 'refused' | 'error' | 'awaiting_3ds' | 'cancelled';
  refusalReasonCode?: string;
  refunded: number;
}

export interface FakeRefund {
  pspReference: string;
  paymentPspReference: string;
  reference?: string;
  value: number;
}

export interface FakeCancel {
  pspReference: string;
  /** By pspReference (/payments/{psp}/cancels) or by the merchant's reference (/cancels). */
  paymentPspReference?: string;
  paymentReference?: string;
}

export interface FakeAdyen {
  url: string;
  apiKey: string;
  merchantAccount: string;
  /** The HMAC key (hex) of the fake's standard webhook. */
  hmacKey: string;
  requests: RecordedRequest[];
  /** Every 422 the fake answered, with the rule broken: a test can say which. */
  rejections: Array<{ path: string; errorCode: string; message: string }>;
  payments: FakePayment[];
  refunds: FakeRefund[];
  cancels: FakeCancel[];
  paymentsFor(reference: string): FakePayment[];
  requestsTo(path: string | RegExp): RecordedRequest[];
  /** The next `count` API requests answer HTTP `status` (500) without operating. */
  failNext(count?: number, status?: number): void;
  /** The next `count` API requests are answered `ms` late (the operation itself is done at once). */
  delayNext(ms: number, count?: number): void;
  /** The next API request's connection is dropped, before or after the operation is done. */
  dropNext(options?: { afterOperating?: boolean }): void;
  /** Forgets the drops asked for and not yet made. */
  clearDrops(): void;
  /** The next payment is refused with this reason and code, whatever its card (an answer that echoes what it was sent, say). */
  refuseNextWith(refusal: { code: string; reason: string }): void;
  /** The next API request whose path matches is held, unperformed and unanswered, until the test performs or drops it. */
  holdNext(path?: RegExp): HeldRequest;
  /** A standard webhook body (`{ live, notificationItems }`) whose items are signed with `key` (the fake's). */
  notification(
    items: Array<Partial<Omit<NotificationRequestItem, 'eventCode' | 'success'>> & { eventCode: string; success?: boolean }>,
    options?: { key?: string; live?: boolean },
  ): string;
  close(): Promise<void>;
}

const Result = Checkout.PaymentResponse.ResultCodeEnum;
const DetailsResult = Checkout.PaymentDetailsResponse.ResultCodeEnum;

/** The vault's test cards (test/helpers/test-cards.ts), as Adyen's test platform would answer them. */
const REFUSALS: Record<string, { code: string; reason: string }> = {
  '4000000000000002': { code: '2', reason: 'Refused' },
  '4000000000009995': { code: '12', reason: 'Not enough balance' },
  '4000000000000127': { code: '24', reason: 'CVC Declined' },
  '4000000000000069': { code: '6', reason: 'Expired Card' },
};
const PROCESSING_ERROR = '4000000000000119';
const THREE_D_SECURE = '4000000000003220';
/** Authorised while the customer types it (Ecommerce), refused once it is used stored (ContAuth). */
const DECLINE_AFTER_SAVE = '4000000000000341';

const psp = () => Array.from(crypto.randomBytes(16), (b) => 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'[b % 32]).join('');
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

function luhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

class Violation extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** `when` false: Adyen would refuse the request with this validation error. */
function demand(when: unknown, errorCode: string, message: string): void {
  if (!when) throw new Violation(errorCode, message);
}

interface Challenge {
  id: string;
  payment: FakePayment;
  returnUrl: string;
  state: 'pending' | 'completed' | 'failed';
  redirectResult?: string;
}

type Answer = [status: number, body: unknown];

/** A request the fake holds: arrived, not yet performed nor answered. */
export interface HeldRequest {
  /** Resolves once the matching request has arrived and is being held. */
  arrived: Promise<void>;
  /** Performs it (kept for idempotency, as any request) and answers, if its caller still listens; resolves once performed. */
  perform(): Promise<void>;
  /** Closes its connection without performing anything. */
  drop(): void;
}

export async function startFakeAdyen(options: { apiKey?: string; merchantAccount?: string; hmacKey?: string; port?: number } = {}): Promise<FakeAdyen> {
  const apiKey = options.apiKey ?? `AQE_test_${crypto.randomBytes(12).toString('hex')}`;
  const merchantAccount = options.merchantAccount ?? 'VaultTestECOM';
  const hmacKey = options.hmacKey ?? crypto.randomBytes(32).toString('hex').toUpperCase();
  let base = '';

  const requests: RecordedRequest[] = [];
  const rejections: FakeAdyen['rejections'] = [];
  const payments: FakePayment[] = [];
  const refunds: FakeRefund[] = [];
  const cancels: FakeCancel[] = [];
  const challenges = new Map<string, Challenge>();
  /** References cancelled by /cancels: a payment made with one later takes no money either. */
  const cancelledReferences = new Set<string>();
  const idempotent = new Map<string, { fingerprint: string; answer: Answer }>();
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  const delays: number[] = [];
  const drops: Array<{ afterOperating: boolean }> = [];
  const forcedRefusals: Array<{ code: string; reason: string }> = [];
  const holds: Array<{ path: RegExp; arrive(): void; gate: Promise<boolean>; performed(): void }> = [];

  const byPsp = (ref: string) => payments.find((p) => p.pspReference === ref);

  // ---- POST /payments -------------------------------------------------------------------------
  function authorise(body: any): Answer {
    // merchantAccount, amount, reference, paymentMethod are required, reference at most 80 characters.
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments
    demand(body.merchantAccount === merchantAccount, '901', 'Invalid Merchant Account');
    demand(typeof body.reference === 'string' && body.reference.length > 0, '130', "Required field 'reference' is not provided.");
    demand(body.reference.length <= 80, '130', 'Reference is longer than 80 characters');
    demand(
      Number.isInteger(body.amount?.value) && body.amount.value >= 0 && /^[A-Z]{3}$/.test(body.amount?.currency ?? ''),
      '100',
      "Required object 'amount' is not provided.",
    );
    // Cards: type scheme, with either the encrypted fields of Adyen's components or, for a fully PCI
    // compliant party, the raw number, expiryMonth, expiryYear (and cvc, holderName).
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-paymentMethod-CardDetails
    const pm = body.paymentMethod ?? {};
    demand(pm.type === 'scheme', '000', 'paymentMethod.type must be scheme for a card');
    const raw = pm.number !== undefined || pm.expiryMonth !== undefined || pm.expiryYear !== undefined;
    const encrypted = pm.encryptedCardNumber !== undefined;
    demand(raw !== encrypted, '000', 'Send either the raw card fields or the encrypted ones');
    const number: string = raw ? pm.number : String(pm.encryptedCardNumber).replace(/^test_/, '');
    if (raw) {
      demand(typeof pm.number === 'string' && /^\d{12,19}$/.test(pm.number) && luhn(pm.number), '101', 'Invalid card number');
      // "The card expiry month. Format: 2 digits, zero-padded"; "The card expiry year. Format: 4 digits".
      // https://docs.adyen.com/api-explorer/Payment/68/post/authorise#request-card-expiryMonth
      demand(/^(0[1-9]|1[0-2])$/.test(pm.expiryMonth ?? '') && /^\d{4}$/.test(pm.expiryYear ?? ''), '129', 'Expiry Date Invalid');
    }
    demand(pm.cvc === undefined || /^\d{3,4}$/.test(pm.cvc), '103', 'CVC is not the right length');
    // additionalData is a map of strings.
    demand(
      Object.values(body.additionalData ?? {}).every((v) => typeof v === 'string'),
      '000',
      'additionalData values must be strings',
    );

    // "For the web service API, Adyen assumes Ecommerce shopper interaction by default."
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-shopperInteraction
    const interaction: string = body.shopperInteraction ?? 'Ecommerce';
    const model: string | undefined = body.recurringProcessingModel;
    demand(interaction === 'Ecommerce' || interaction === 'ContAuth', '000', `shopperInteraction ${interaction} is not an online card payment`);
    demand(model === undefined || ['CardOnFile', 'Subscription', 'UnscheduledCardOnFile'].includes(model), '000', `Invalid recurringProcessingModel ${model}`);
    // Stored card details are used with ContAuth and the model they are kept for ("Required when ...
    // using stored payment details"). https://docs.adyen.com/online-payments/tokenization/create-and-use-tokens#set-parameters-to-flag-transactions
    demand(interaction !== 'ContAuth' || model !== undefined, '000', 'recurringProcessingModel is required with shopperInteraction ContAuth');
    // A merchant-initiated payment with a card Adyen did not tokenise carries the first transaction's
    // scheme id: "required for token-based transactions where Adyen does not tokenize the card".
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-additionalData-AdditionalDataCommon-networkTxReference
    const mit = interaction === 'ContAuth' && (model === 'Subscription' || model === 'UnscheduledCardOnFile');
    demand(
      !mit || !raw || typeof body.additionalData?.networkTxReference === 'string',
      '000',
      'additionalData.networkTxReference is required for a merchant-initiated payment with raw card details',
    );
    // The shopper is sent back to returnUrl after a redirect: required for a payment made online.
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-returnUrl
    demand(interaction !== 'Ecommerce' || (typeof body.returnUrl === 'string' && /^https?:\/\//.test(body.returnUrl)), '14_030', 'Return URL is missing.');
    // "When true and shopperReference is provided, the payment details will be stored."
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-storePaymentMethod
    demand(!body.storePaymentMethod || typeof body.shopperReference === 'string', '000', 'storePaymentMethod needs a shopperReference');

    const payment: FakePayment = {
      pspReference: psp(),
      reference: body.reference,
      amount: { value: body.amount.value, currency: body.amount.currency },
      last4: number.slice(-4),
      shopperInteraction: interaction,
      recurringProcessingModel: model,
      manualCapture: body.additionalData?.manualCapture === 'true',
      status: 'authorised',
      refunded: 0,
    };
    payments.push(payment);

    const now = new Date();
    const expiry = Number(pm.expiryYear) * 12 + Number(pm.expiryMonth);
    const refusal =
      forcedRefusals.shift() ??
      (raw && expiry < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1
        ? REFUSALS['4000000000000069']
        : (REFUSALS[number] ?? (number === DECLINE_AFTER_SAVE && interaction === 'ContAuth' ? REFUSALS['4000000000000002'] : undefined)));
    if (refusal) return [200, refused(payment, refusal)];
    if (number === PROCESSING_ERROR) {
      payment.status = 'error';
      return [
        200,
        {
          resultCode: Result.Error,
          pspReference: payment.pspReference,
          merchantReference: payment.reference,
          refusalReason: 'Acquirer Error',
          refusalReasonCode: '4',
        } satisfies PaymentResponse,
      ];
    }
    const threeDS = interaction === 'Ecommerce' && (number === THREE_D_SECURE || body.authenticationData?.attemptAuthentication === 'always');
    if (threeDS) return [200, challenge(payment, body)];
    return [200, authorised(payment, { value: body.amount.value, currency: body.amount.currency })];
  }

  function refused(payment: FakePayment, refusal: { code: string; reason: string }): PaymentResponse {
    payment.status = 'refused';
    payment.refusalReasonCode = refusal.code;
    return {
      resultCode: Result.Refused,
      pspReference: payment.pspReference,
      merchantReference: payment.reference,
      refusalReason: refusal.reason,
      refusalReasonCode: refusal.code,
    };
  }

  function authorised(payment: FakePayment, amount: { value: number; currency: string }): PaymentResponse {
    // A late authorisation of a reference already cancelled by /cancels takes no money.
    payment.status = cancelledReferences.has(payment.reference) ? 'cancelled' : 'authorised';
    return {
      resultCode: Result.Authorised,
      pspReference: payment.pspReference,
      merchantReference: payment.reference,
      amount,
      additionalData: {
        networkTxReference: `NTX${crypto.randomInt(10 ** 9, 10 ** 10 - 1)}${crypto.randomInt(10 ** 5, 10 ** 6 - 1)}`,
        issuerCountry: 'US',
        cardIssuingBank: 'Fake Issuer Bank',
      },
    };
  }

  function challenge(payment: FakePayment, body: any): PaymentResponse {
    payment.status = 'awaiting_3ds';
    // Without "nativeThreeDS: disabled" Adyen runs 3-D Secure 2 natively in the merchant's page (an
    // action of type threeDS2 for its component), not through a redirect the vault can show.
    // https://docs.adyen.com/online-payments/3d-secure/redirect-3ds2
    if (body.authenticationData?.threeDSRequestData?.nativeThreeDS !== 'disabled') {
      const action: CheckoutThreeDS2Action = {
        type: Checkout.CheckoutThreeDS2Action.TypeEnum.ThreeDs2,
        subtype: 'fingerprint',
        token: crypto.randomBytes(16).toString('base64'),
        paymentMethodType: 'scheme',
      };
      return { resultCode: Result.IdentifyShopper, pspReference: payment.pspReference, merchantReference: payment.reference, action };
    }
    const id = crypto.randomBytes(12).toString('hex');
    challenges.set(id, { id, payment, returnUrl: body.returnUrl, state: 'pending' });
    const action: CheckoutRedirectAction = {
      type: Checkout.CheckoutRedirectAction.TypeEnum.Redirect,
      method: 'GET',
      url: `${base}/fake-3ds/${id}`,
      paymentMethodType: 'scheme',
    };
    return { resultCode: Result.RedirectShopper, pspReference: payment.pspReference, merchantReference: payment.reference, action };
  }

  // ---- POST /payments/details -----------------------------------------------------------------
  function details(body: any): Answer {
    // After a redirect: "details": { "redirectResult": … } from the return URL's query.
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments/details#request-details-redirectResult
    const redirectResult = body.details?.redirectResult;
    demand(typeof redirectResult === 'string', '000', "Required field 'details.redirectResult' is not provided.");
    const found = [...challenges.values()].find((c) => c.redirectResult === redirectResult);
    demand(found, '000', 'Invalid redirectResult');
    const { payment } = found!;
    if (found!.state === 'failed') {
      const answer = refused(payment, { code: '11', reason: '3D Not Authenticated' });
      return [200, { ...answer, resultCode: DetailsResult.Refused, action: undefined } satisfies PaymentDetailsResponse];
    }
    return [200, { ...authorised(payment, payment.amount), resultCode: DetailsResult.Authorised, action: undefined } satisfies PaymentDetailsResponse];
  }

  // ---- modifications ----------------------------------------------------------------------------
  function cancelByPsp(paymentPsp: string, body: any): Answer {
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments/(paymentPspReference)/cancels
    demand(body.merchantAccount === merchantAccount, '901', 'Invalid Merchant Account');
    const payment = byPsp(paymentPsp);
    demand(payment, '167', 'Original pspReference required for this operation');
    const cancel: FakeCancel = { pspReference: psp(), paymentPspReference: paymentPsp };
    cancels.push(cancel);
    if (payment!.status === 'authorised') payment!.status = 'cancelled';
    const answer: PaymentCancelResponse = {
      merchantAccount,
      paymentPspReference: paymentPsp,
      pspReference: cancel.pspReference,
      reference: body.reference,
      status: Checkout.PaymentCancelResponse.StatusEnum.Received,
    };
    return [201, answer];
  }

  function cancelByReference(body: any): Answer {
    // The technical cancel: "paymentReference: The reference of the payment that you want to cancel."
    // https://docs.adyen.com/api-explorer/Checkout/72/post/cancels
    demand(body.merchantAccount === merchantAccount, '901', 'Invalid Merchant Account');
    demand(typeof body.paymentReference === 'string' && body.paymentReference.length > 0, '000', "Required field 'paymentReference' is not provided.");
    const cancel: FakeCancel = { pspReference: psp(), paymentReference: body.paymentReference };
    cancels.push(cancel);
    cancelledReferences.add(body.paymentReference);
    for (const p of payments) if (p.reference === body.paymentReference && p.status === 'authorised') p.status = 'cancelled';
    const answer: StandalonePaymentCancelResponse = {
      merchantAccount,
      paymentReference: body.paymentReference,
      pspReference: cancel.pspReference,
      reference: body.reference,
      status: Checkout.StandalonePaymentCancelResponse.StatusEnum.Received,
    };
    return [201, answer];
  }

  function refund(paymentPsp: string, body: any): Answer {
    // merchantAccount and amount (value, currency of the payment) are required; by default "the total
    // refunded value cannot exceed the captured amount". https://docs.adyen.com/online-payments/refund
    demand(body.merchantAccount === merchantAccount, '901', 'Invalid Merchant Account');
    const payment = byPsp(paymentPsp);
    demand(payment && payment.status === 'authorised' && !payment.manualCapture, '167', 'Original pspReference required for this operation');
    demand(
      Number.isInteger(body.amount?.value) && body.amount.value > 0 && body.amount.currency === payment!.amount.currency,
      '137',
      'Invalid amount specified',
    );
    demand(payment!.refunded + body.amount.value <= payment!.amount.value, '137', 'Invalid amount specified');
    payment!.refunded += body.amount.value;
    const entry: FakeRefund = { pspReference: psp(), paymentPspReference: paymentPsp, reference: body.reference, value: body.amount.value };
    refunds.push(entry);
    const answer: PaymentRefundResponse = {
      merchantAccount,
      paymentPspReference: paymentPsp,
      pspReference: entry.pspReference,
      reference: body.reference,
      amount: body.amount,
      status: Checkout.PaymentRefundResponse.StatusEnum.Received,
    };
    return [201, answer];
  }

  function route(method: string, path: string, body: any): Answer {
    if (method !== 'POST') return [404, { status: 404, errorCode: '000', message: 'Not found', errorType: 'validation' }];
    if (path === '/payments') return authorise(body);
    if (path === '/payments/details') return details(body);
    if (path === '/cancels') return cancelByReference(body);
    let m = /^\/payments\/([^/]+)\/cancels$/.exec(path);
    if (m) return cancelByPsp(decodeURIComponent(m[1]), body);
    m = /^\/payments\/([^/]+)\/refunds$/.exec(path);
    if (m) return refund(decodeURIComponent(m[1]), body);
    return [404, { status: 404, errorCode: '000', message: 'Not found', errorType: 'validation' }];
  }

  // ---- the issuer's page ------------------------------------------------------------------------
  function issuerPage(req: http.IncomingMessage, res: http.ServerResponse, id: string, raw: string) {
    const c = challenges.get(id);
    if (!c) return void res.writeHead(404).end('no such challenge');
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(
        `<!doctype html><title>Fake issuer</title><form method="post" action="/fake-3ds/${id}">` +
          `<p>Approve the payment of ${c.payment.amount.value} ${c.payment.amount.currency}?</p>` +
          `<button name="result" value="complete">Complete</button><button name="result" value="fail">Fail</button></form>`,
      );
    }
    const result = new URLSearchParams(raw).get('result');
    c.state = result === 'complete' ? 'completed' : 'failed';
    c.redirectResult = crypto.randomBytes(24).toString('base64url');
    const back = new URL(c.returnUrl);
    back.searchParams.set('redirectResult', c.redirectResult);
    res.writeHead(302, { location: back.toString() }).end();
  }

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', base);
    const page = /^\/fake-3ds\/([0-9a-f]+)$/.exec(url.pathname);
    if (page) return issuerPage(req, res, page[1], raw);

    const send = ([status, body]: Answer, key?: string) => {
      res.writeHead(status, { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) });
      res.end(JSON.stringify(body));
    };
    // The live endpoint adds /checkout before the version: both are served.
    const api = /^(?:\/checkout)?\/v72(\/.*)$/.exec(url.pathname);
    if (!api) return send([404, { status: 404, errorCode: '000', message: 'Not found', errorType: 'validation' }]);
    const path = api[1];
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return send([400, { status: 400, errorCode: '000', message: 'Unable to parse message', errorType: 'validation' }]);
    }
    const key = req.headers['idempotency-key'] as string | undefined;
    requests.push({ method: req.method ?? '', path, apiKey: req.headers['x-api-key'] as string | undefined, idempotencyKey: key, body });

    // "000 … Unauthorised: The API key or Auth credentials are incorrect."
    // https://docs.adyen.com/development-resources/error-codes
    if (req.headers['x-api-key'] !== apiKey)
      return send([401, { status: 401, errorCode: '000', message: 'HTTP Status Response - Unauthorised', errorType: 'security' }]);
    if (failures.count > 0) {
      failures.count--;
      return send([failures.status, { status: failures.status, errorCode: '000', message: 'An internal error occurred', errorType: 'internal' }]);
    }
    const drop = drops.shift();
    // Held: the test decides, later, whether it is performed or its connection dropped unperformed.
    const heldAt = holds.findIndex((h) => h.path.test(path));
    const held = heldAt >= 0 ? holds.splice(heldAt, 1)[0] : undefined;
    if (held) {
      held.arrive();
      if (!(await held.gate)) return void req.socket.destroy();
    }
    if (drop && !drop.afterOperating) return void req.socket.destroy();

    // Idempotency: the same key answers the first answer again, without operating; the key is at most
    // 64 characters. https://docs.adyen.com/development-resources/api-idempotency
    // (Adyen names 704 "request already processed or in progress" for a key in use; the fake also
    // answers it for a key reused with a different request, which Adyen would not operate either.)
    const fingerprint = sha256(`${req.method} ${path} ${raw}`);
    let answer: Answer;
    const seen = key ? idempotent.get(key) : undefined;
    if (key && key.length > 64)
      answer = [422, { status: 422, errorCode: '000', message: 'Idempotency-Key longer than 64 characters', errorType: 'validation' }];
    else if (seen && seen.fingerprint !== fingerprint)
      answer = [422, { status: 422, errorCode: '704', message: 'request already processed or in progress', errorType: 'validation' }];
    else if (seen) answer = seen.answer;
    else {
      try {
        answer = route(req.method ?? '', path, body);
      } catch (err) {
        if (!(err instanceof Violation)) throw err;
        rejections.push({ path, errorCode: err.errorCode, message: err.message });
        answer = [422, { status: 422, errorCode: err.errorCode, message: err.message, errorType: 'validation', pspReference: psp() }];
      }
      if (key && answer[0] >= 200 && answer[0] < 300) idempotent.set(key, { fingerprint, answer });
    }
    held?.performed();
    if (drop) return void req.socket.destroy();
    const delay = delays.shift();
    if (delay) await new Promise((r) => setTimeout(r, delay));
    if (!res.destroyed) send(answer, key);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiKey,
    merchantAccount,
    hmacKey,
    requests,
    rejections,
    payments,
    refunds,
    cancels,
    paymentsFor: (reference) => payments.filter((p) => p.reference === reference),
    requestsTo: (path) => requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path))),
    failNext: (count = 1, status = 500) => {
      failures = { count, status };
    },
    delayNext: (ms, count = 1) => {
      for (let i = 0; i < count; i++) delays.push(ms);
    },
    dropNext: ({ afterOperating = false } = {}) => {
      drops.push({ afterOperating });
    },
    clearDrops: () => {
      drops.length = 0;
    },
    refuseNextWith: (refusal) => {
      forcedRefusals.push(refusal);
    },
    holdNext: (path = /./) => {
      let arrive!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      let go!: (perform: boolean) => void;
      const gate = new Promise<boolean>((resolve) => (go = resolve));
      let performed!: () => void;
      const done = new Promise<void>((resolve) => (performed = resolve));
      holds.push({ path, arrive, gate, performed });
      return {
        arrived,
        perform: () => {
          go(true);
          return done;
        },
        drop: () => go(false),
      };
    },
    notification: (items, o = {}) => {
      const validator = new hmacValidator();
      const notificationItems = items.map(({ success = true, ...given }) => {
        const item = {
          pspReference: psp(),
          merchantAccountCode: merchantAccount,
          merchantReference: 'vault-ref',
          amount: { value: 0, currency: 'EUR' },
          eventDate: new Date().toISOString(),
          ...given,
          success: String(success),
        } as unknown as NotificationRequestItem;
        // Signed over pspReference, originalReference, merchantAccountCode, merchantReference, value,
        // currency, eventCode, success. https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures
        item.additionalData = { ...given.additionalData, hmacSignature: validator.calculateHmac(item, o.key ?? hmacKey) };
        return { NotificationRequestItem: item };
      });
      return JSON.stringify({ live: String(o.live ?? false), notificationItems });
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
