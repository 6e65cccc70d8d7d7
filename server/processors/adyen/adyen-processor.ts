// The Adyen connector: the vault's Processor on Adyen's Checkout API (v72), through the official
// library with the vault's own HTTP client. The vault's reference is Adyen's `reference` and the
// Idempotency-Key of every call, so asking again with it replays Adyen's first answer; Adyen cannot be
// asked about a payment without operating, so an unknown outcome is settled that way.
import type { ConnectorOptions, ConnectorSettings, Processor } from '../../payments/processor.ts';
import { VaultAdyenHttpClient } from './adyen-http-client.ts';
import { CheckoutAPI, Client, EnvironmentEnum, HttpClientException, type AdyenCheckout } from './adyen-library.ts';
import { parseAdyenNotifications } from './adyen-notifications.ts';
import { adyenReference, idempotencyKey } from './adyen-references.ts';
import { createOperationLedger } from './operation-ledger.ts';
import { buildPaymentRequest, MissingReturnUrl } from './payment-request.ts';
import { toAuthorizeResult } from './payment-result.ts';
import { ADYEN_AMOUNTS, amountProblem, toProviderUnits } from '../provider-amounts.ts';

/** Why a call got no usable answer, in words that cannot quote the request (so never a card number). */
function failure(err: unknown): string {
  if (err instanceof HttpClientException) return `Adyen refused the request (HTTP ${err.statusCode}${err.errorCode ? `, error ${err.errorCode}` : ''})`;
  if (err instanceof MissingReturnUrl || err instanceof LiveUrlPrefixMissing) return err.message;
  if (err && typeof err === 'object' && (err as { name?: unknown }).name === 'ApiException') return String((err as { message: unknown }).message);
  return `the Adyen call failed (${(err as Error)?.name ?? 'unknown error'})`;
}

/**
 * A 4xx other than a busy or throttled one: Adyen read the request and will not do it, so asking
 * again cannot change the answer. "704: request already processed or in progress" is a retry's.
 * https://docs.adyen.com/development-resources/error-codes
 */
function refusedForGood(err: unknown): err is InstanceType<typeof HttpClientException> {
  return (
    err instanceof HttpClientException &&
    err.statusCode >= 400 &&
    err.statusCode < 500 &&
    err.statusCode !== 408 &&
    err.statusCode !== 429 &&
    err.errorCode !== '704'
  );
}

class LiveUrlPrefixMissing extends Error {
  constructor() {
    super('a live Adyen account needs live_url_prefix (Customer Area → Developers → API URLs)');
    this.name = 'LiveUrlPrefixMissing';
  }
}

export function createAdyenProcessor(settings: ConnectorSettings<'adyen'>, options: ConnectorOptions): Processor {
  const live = settings.environment === 'live';
  const client = new Client(
    {
      apiKey: settings.api_key,
      environment: live ? EnvironmentEnum.LIVE : EnvironmentEnum.TEST,
      // The live endpoint is https://{prefix}-checkout-live.adyenpayments.com/checkout/v72/…
      // https://docs.adyen.com/development-resources/live-endpoints
      ...(settings.live_url_prefix ? { liveEndpointUrlPrefix: settings.live_url_prefix } : {}),
      connectionTimeoutMillis: options.timeoutMs,
      applicationName: 'card-vault',
    },
    new VaultAdyenHttpClient({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs }),
  );
  const checkout: AdyenCheckout = new CheckoutAPI(client);
  const ledger = createOperationLedger(options.db, options.clock);
  const payments = () => {
    if (live && !settings.live_url_prefix) throw new LiveUrlPrefixMissing();
    return checkout.PaymentsApi;
  };
  const modifications = () => {
    if (live && !settings.live_url_prefix) throw new LiveUrlPrefixMissing();
    return checkout.ModificationsApi;
  };
  /** The ledger only helps find a payment later: failing to write it does not undo Adyen's answer. */
  const note = (reference: string, psp: string | undefined) => ledger.record(reference, psp).catch(() => undefined);

  return {
    type: 'adyen',
    amountProblem: (amount, currency) => amountProblem(ADYEN_AMOUNTS, amount, currency),

    async authorize(req) {
      const reference = adyenReference(req.reference);
      let response: Awaited<ReturnType<ReturnType<typeof payments>['payments']>>;
      try {
        response = await payments().payments(buildPaymentRequest(req, settings), { idempotencyKey: idempotencyKey(req.reference) });
      } catch (err) {
        return { outcome: 'error', message: failure(err) };
      }
      await note(req.reference, response.pspReference);
      return toAuthorizeResult(response, {
        adyenReference: reference,
        networkTransactionId: req.initiator === 'merchant' ? req.network_transaction_id : undefined,
      });
    },

    async void(processorId, reference) {
      // Cancel the card check's authorisation by its pspReference.
      // https://docs.adyen.com/online-payments/cancel
      await modifications().cancelAuthorisedPaymentByPspReference(
        processorId,
        { merchantAccount: settings.merchant_account, reference: adyenReference(`${reference}:void`) },
        { idempotencyKey: idempotencyKey(reference, ':void') },
      );
    },

    async refund(req) {
      try {
        // "status: received": Adyen took the refund; its outcome comes later as a REFUND (or
        // REFUND_FAILED) notification. https://docs.adyen.com/online-payments/refund
        const response = await modifications().refundCapturedPayment(
          req.processor_id,
          {
            merchantAccount: settings.merchant_account,
            amount: { value: toProviderUnits(ADYEN_AMOUNTS, req.amount, req.currency), currency: req.currency.toUpperCase() },
            reference: adyenReference(req.reference),
          },
          { idempotencyKey: idempotencyKey(req.reference) },
        );
        await note(req.reference, response.pspReference);
        return { outcome: 'succeeded', processor_id: response.pspReference };
      } catch (err) {
        if (!refusedForGood(err)) throw err;
        return {
          outcome: 'failed',
          processor_response: { code: err.errorCode ?? String(err.statusCode), message: err.apiError?.message ?? 'Adyen refused the refund' },
        };
      }
    },

    async lookup() {
      // Adyen has no read of a payment by its reference: the caller asks again with the same reference.
      return undefined;
    },

    async cancel(reference) {
      // The technical cancel, by the vault's own reference: whatever that reference authorised, now or
      // later, is cancelled. https://docs.adyen.com/online-payments/cancel
      await modifications().cancelAuthorisedPayment(
        { merchantAccount: settings.merchant_account, paymentReference: adyenReference(reference) },
        { idempotencyKey: idempotencyKey(reference, ':cancel') },
      );
      return undefined;
    },

    async completeRedirect({ reference, params }) {
      const redirectResult = params.redirectResult;
      if (!redirectResult) return { outcome: 'error', message: 'the return from the issuer carried no redirectResult' };
      let response: Awaited<ReturnType<ReturnType<typeof payments>['paymentsDetails']>>;
      try {
        // Only what the issuer's page returned with: "details": { "redirectResult": … }.
        // https://docs.adyen.com/api-explorer/Checkout/72/post/payments/details#request-details-redirectResult
        // Keyed by the redirectResult too: Adyen keeps the first answer under a key and refuses the key
        // with another body, so one key per payment let a return carrying another checkout's result (which
        // the vault refuses below) spoil the customer's own return with the same key.
        const key = idempotencyKey(reference, `:details:${redirectResult}`);
        response = await payments().paymentsDetails({ details: { redirectResult } }, { idempotencyKey: key });
      } catch (err) {
        return { outcome: 'error', message: failure(err) };
      }
      const expected = adyenReference(reference);
      // A redirectResult from another payment would finish that one: never recorded as this one.
      if (response.merchantReference !== expected) return { outcome: 'error', message: 'the redirect result belongs to another payment' };
      await note(reference, response.pspReference);
      return toAuthorizeResult(response, { adyenReference: expected });
    },

    async parseNotifications(rawBody) {
      return parseAdyenNotifications(settings, rawBody);
    },
  };
}
