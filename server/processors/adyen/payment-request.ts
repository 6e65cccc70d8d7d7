// What Adyen's POST /payments is told for each of the vault's operations: the raw card (the vault is
// the PCI-compliant party that keeps it, so Adyen does not tokenise it), and how the card came to be
// used, which is what the card networks read to tell a customer's payment from a merchant's.
import type { AuthorizeRequest, ProcessorSettings } from '../../payments/processor.ts';
import { adyenReference } from './adyen-references.ts';
import { Checkout, type CardDetails, type PaymentRequest } from './adyen-library.ts';
import { ADYEN_AMOUNTS, toProviderUnits } from '../provider-amounts.ts';

type AdyenSettings = Extract<ProcessorSettings, { type: 'adyen' }>;

const Interaction = Checkout.PaymentRequest.ShopperInteractionEnum;
const Model = Checkout.PaymentRequest.RecurringProcessingModelEnum;

/** A customer-initiated payment cannot be finished after 3-D Secure without a page to come back to. */
export class MissingReturnUrl extends Error {
  constructor() {
    super('a customer-initiated Adyen payment needs return_url');
    this.name = 'MissingReturnUrl';
  }
}

/**
 * shopperInteraction and recurringProcessingModel, as Adyen's tables prescribe them for card details
 * stored outside Adyen:
 * - "Set parameters to flag transactions": initial payment `Ecommerce` with the model the card is kept
 *   for (CardOnFile for one-off payments later, Subscription, UnscheduledCardOnFile), later payments
 *   `ContAuth` with the same model.
 *   https://docs.adyen.com/online-payments/tokenization/create-and-use-tokens#set-parameters-to-flag-transactions
 * - Raw card details kept by a third party (the vault): "shopperInteraction - set to Ecommerce for the
 *   initial payment or set to ContAuth for subsequent payments", the card itself in the request.
 *   https://docs.adyen.com/online-payments/classic-integrations/api-integration-ecommerce/recurring-payments/authorise-using-details-stored-with-a-third-party
 */
function interaction(req: AuthorizeRequest): Pick<PaymentRequest, 'shopperInteraction' | 'recurringProcessingModel'> {
  if (req.initiator === 'merchant') {
    // Merchant-initiated: ContAuth with Subscription or UnscheduledCardOnFile "to ensure that the
    // transaction is classified as MIT" (additionalData.networkTxReference, below).
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-additionalData-AdditionalDataCommon-networkTxReference
    return {
      shopperInteraction: Interaction.ContAuth,
      recurringProcessingModel: req.agreement === 'scheduled' ? Model.Subscription : Model.UnscheduledCardOnFile,
    };
  }
  // The customer agrees to an agreement now: its first payment, made while they are present (SCA
  // applies). "SCA is required for the initial payment" of Subscription and UnscheduledCardOnFile.
  if (req.agreement === 'scheduled') return { shopperInteraction: Interaction.Ecommerce, recurringProcessingModel: Model.Subscription };
  if (req.agreement === 'unscheduled') return { shopperInteraction: Interaction.Ecommerce, recurringProcessingModel: Model.UnscheduledCardOnFile };
  // One-click with a card the vault kept: a later one-off payment, `CardOnFile` + `ContAuth`, the
  // customer present and giving their CVC ("If the shopper is present (online), you can supply also
  // the CSC to improve authorisation (one-click payment)", shopperInteraction in the API reference).
  // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-shopperInteraction
  if (req.stored_credential) return { shopperInteraction: Interaction.ContAuth, recurringProcessingModel: Model.CardOnFile };
  // A new card the customer asks to keep: the initial card-on-file payment.
  if (req.save_card) return { shopperInteraction: Interaction.Ecommerce, recurringProcessingModel: Model.CardOnFile };
  // A one-off payment with a card typed just now.
  return { shopperInteraction: Interaction.Ecommerce };
}

function card(req: AuthorizeRequest): CardDetails {
  const { number, exp_month, exp_year, cvc, holder } = req.card;
  return {
    type: Checkout.CardDetails.TypeEnum.Scheme,
    // Raw card fields "Only collect raw card data if you are fully PCI compliant".
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-paymentMethod-CardDetails-number
    number,
    expiryMonth: String(exp_month).padStart(2, '0'),
    expiryYear: String(exp_year),
    // The CVC goes only with a customer present; a merchant-initiated charge has none to send.
    ...(req.initiator === 'customer' && cvc ? { cvc } : {}),
    ...(holder ? { holderName: holder } : {}),
  };
}

export function buildPaymentRequest(req: AuthorizeRequest, settings: AdyenSettings): PaymentRequest {
  const additionalData: Record<string, string> = {};
  // A card check that is voided afterwards: authorise only, never captured.
  // https://docs.adyen.com/online-payments/capture#manual-capture
  if (!req.capture) additionalData.manualCapture = 'true';
  if (req.initiator === 'merchant' && req.network_transaction_id) {
    // "Submit the original transaction ID of the contract in your payment request if you are not
    // tokenizing card details with Adyen and are making a merchant-initiated transaction (MIT)."
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-additionalData-AdditionalDataCommon-networkTxReference
    additionalData.networkTxReference = req.network_transaction_id;
  }

  // Shown with the payment in Adyen's Customer Area. Not merchantOrderReference: Adyen wants that one
  // unique per billing cycle, which a merchant's order number under an agreement need not be.
  // "Maximum 20 characters per key. Maximum 80 characters per value."
  // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-metadata
  const metadata: Record<string, string> = {};
  if (req.merchant) metadata.vault_merchant = req.merchant.slice(0, 80);
  if (req.order) metadata.order = req.order.slice(0, 80);

  const request: Omit<PaymentRequest, 'returnUrl'> & { returnUrl?: string } = {
    merchantAccount: settings.merchant_account,
    reference: adyenReference(req.reference),
    amount: { value: toProviderUnits(ADYEN_AMOUNTS, req.amount, req.currency), currency: req.currency.toUpperCase() },
    paymentMethod: card(req),
    ...interaction(req),
    ...(Object.keys(additionalData).length ? { additionalData } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };

  if (req.initiator === 'customer') {
    if (!req.return_url) throw new MissingReturnUrl();
    // 3-D Secure through a redirect to the issuer's page, back to returnUrl with `redirectResult`:
    // "nativeThreeDS: disabled: Use the redirect 3D Secure authentication flow."
    // https://docs.adyen.com/online-payments/3d-secure/redirect-3ds2
    request.returnUrl = req.return_url;
    request.channel = Checkout.PaymentRequest.ChannelEnum.Web;
    request.authenticationData = {
      threeDSRequestData: { nativeThreeDS: Checkout.ThreeDSRequestData.NativeThreeDSEnum.Disabled },
      // The merchant asks for 3-D Secure on every payment: "always: Perform 3D Secure authentication.
      // This overrides all other rules, including Dynamic 3D Secure settings."
      // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-authenticationData-attemptAuthentication
      ...(req.force_challenge ? { attemptAuthentication: Checkout.AuthenticationData.AttemptAuthenticationEnum.Always } : {}),
    };
    // …and a challenge, not a frictionless pass: "04 — Challenge requested (Mandate)".
    // https://docs.adyen.com/api-explorer/Checkout/72/post/payments#request-threeDS2RequestData-threeDSRequestorChallengeInd
    if (req.force_challenge)
      request.threeDS2RequestData = { threeDSRequestorChallengeInd: Checkout.ThreeDS2RequestFields.ThreeDSRequestorChallengeIndEnum._04 };
  }
  // A merchant-initiated payment has no customer to send back anywhere: no returnUrl is sent.
  return request as PaymentRequest;
}
