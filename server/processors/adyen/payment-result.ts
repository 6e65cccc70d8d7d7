// Adyen's answer to /payments or /payments/details, in the vault's words. Only a final answer
// (Authorised, Refused) or a redirect to the issuer is believed; anything else is an unknown outcome,
// which the caller settles by cancelling the reference or asking again with it.
// resultCode values: https://docs.adyen.com/online-payments/build-your-integration/payment-result-codes
import type { AuthorizeResult, CardFacts } from '../../payments/processor.ts';
import { Checkout, type PaymentDetailsResponse, type PaymentResponse } from './adyen-library.ts';
import { declineFor } from './refusal-reasons.ts';

const Result = Checkout.PaymentResponse.ResultCodeEnum;

export interface ResultContext {
  /** The reference Adyen knows the payment by (its merchantReference). */
  adyenReference: string;
  /** The network id a merchant-initiated payment was sent with: its chain's, when Adyen names none. */
  networkTransactionId?: string;
}

function cardFacts(additional: Record<string, string> | undefined): CardFacts | undefined {
  // Returned when the merchant account has these additional data enabled (Customer Area → Developers →
  // Additional data): issuerCountry, cardIssuingBank.
  // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#responses-200-additionalData-ResponseAdditionalDataCommon-issuerCountry
  const country = additional?.issuerCountry ?? additional?.cardIssuingCountry;
  const issuer = additional?.cardIssuingBank;
  if (!country && !issuer) return undefined;
  return { ...(issuer ? { issuer } : {}), ...(country ? { country: country.toUpperCase() } : {}) };
}

export function toAuthorizeResult(response: PaymentResponse | PaymentDetailsResponse, ctx: ResultContext): AuthorizeResult {
  const processorId = response.pspReference ?? ctx.adyenReference;
  switch (response.resultCode) {
    case Result.Authorised: {
      if (!response.pspReference) return { outcome: 'error', message: 'Adyen authorised the payment without naming it' };
      const facts = cardFacts(response.additionalData);
      return {
        outcome: 'approved',
        processor_id: response.pspReference,
        // The scheme's transaction id (Visa Transaction ID, Mastercard Trace ID), "Returned in the
        // response if you are not tokenizing with Adyen": the id later merchant-initiated payments carry.
        // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#responses-200-additionalData-ResponseAdditionalDataCommon-networkTxReference
        network_transaction_id: response.additionalData?.networkTxReference ?? ctx.networkTransactionId ?? response.pspReference,
        ...(facts ? { card: facts } : {}),
      };
    }
    case Result.Refused:
    case Result.Cancelled: {
      const decline = declineFor(response.refusalReasonCode);
      return {
        outcome: 'declined',
        processor_id: processorId,
        ...decline,
        processor_response: { code: response.refusalReasonCode ?? '', message: response.refusalReason ?? String(response.resultCode) },
      };
    }
    case Result.RedirectShopper: {
      const action = response.action;
      if (action?.type === 'redirect' && 'url' in action && action.url) {
        const method = action.method?.toUpperCase() === 'POST' ? 'POST' : 'GET';
        // /payments/details needs only the redirectResult the issuer's page returns with (v68 and
        // later): what the processor_id names is enough to find the payment again.
        // https://docs.adyen.com/online-payments/3d-secure/redirect-3ds2
        return {
          outcome: 'redirect',
          processor_id: processorId,
          action: { url: action.url, method, ...(method === 'POST' && action.data ? { data: action.data } : {}) },
        };
      }
      return { outcome: 'error', message: 'Adyen asked for a redirect the vault cannot follow' };
    }
    default:
      // Error, Pending, Received, native 3-D Secure steps, partial authorisations: not a final answer
      // the vault can record.
      return { outcome: 'error', message: `Adyen answered ${String(response.resultCode ?? 'nothing')}` };
  }
}
