// What Stripe is told for one authorisation, built from the vault's request. It takes two calls so
// that an unknown outcome can be asked about without operating: the PaymentIntent is created first
// (no card; its id is written down), then confirmed with the card.
import type Stripe from 'stripe';
import type { AuthorizeRequest } from '../../payments/processor.ts';
import { STRIPE_AMOUNTS, toProviderUnits } from '../provider-amounts.ts';

/**
 * The confirm parameters of an account allowed to send raw card data, which the library's types leave
 * out because Stripe gates them (the one place they are added):
 * - `payment_method_data[card][number|exp_month|exp_year|cvc]`: the card hash of
 *   https://docs.stripe.com/api/payment_methods/create#create_payment_method-card, accepted inline once
 *   raw card data APIs are enabled for the account (https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis).
 * - `payment_method_options[card][mit_exemption][network_transaction_id]`: the network's id of the
 *   customer-initiated payment a merchant-initiated one follows, which Stripe cannot know for a card
 *   it does not store (https://docs.stripe.com/payments/cits-and-mits).
 */
export type RawCardConfirmParams = Stripe.PaymentIntentConfirmParams & {
  payment_method_data?: { card?: { number: string; exp_month: number; exp_year: number; cvc?: string } };
  payment_method_options?: { card?: { mit_exemption?: { network_transaction_id: string } } };
};

/** What the result is read from: the charge (network transaction id, country) and the card (issuer). */
export const EXPAND = ['latest_charge', 'payment_method'];

/**
 * The credential-on-file usage type of https://docs.stripe.com/payments/cards/save-and-reuse:
 * `setup_credential_usage` when the card is saved, `stored_credential_usage` when a saved card is
 * charged off-session, `recurring` for a schedule and `unscheduled` for a card on file charged when needed.
 */
function credentialUsage(agreement: AuthorizeRequest['agreement']): 'recurring' | 'unscheduled' {
  return agreement === 'scheduled' ? 'recurring' : 'unscheduled';
}

/** https://docs.stripe.com/api/payment_intents/create: amount in Stripe's smallest unit, currency lower-case. */
export function createParams(req: AuthorizeRequest): Stripe.PaymentIntentCreateParams {
  const metadata: Record<string, string> = { vault_reference: req.reference };
  if (req.merchant) metadata.merchant = req.merchant;
  if (req.order) metadata.order = req.order;
  return {
    amount: toProviderUnits(STRIPE_AMOUNTS, req.amount, req.currency),
    currency: req.currency.toLowerCase(),
    // manual: the card check of a setup session, authorised only and voided by the caller.
    capture_method: req.capture ? 'automatic' : 'manual',
    // Cards only: without it the account's other (redirect) methods would make return_url mandatory
    // even for a merchant-initiated charge that has no customer to send anywhere. (This API version
    // refuses `payment_method_types`:
    // https://docs.stripe.com/changelog/endive/2026-09-30/removes-the-payment-method-types-parameter-from-payment-intents-and-setup-intents)
    allowed_payment_method_types: ['card'],
    metadata,
  };
}

/** https://docs.stripe.com/api/payment_intents/confirm, with the card and who initiates the payment. */
export function confirmParams(req: AuthorizeRequest): Stripe.PaymentIntentConfirmParams {
  const { number, exp_month, exp_year, cvc, holder } = req.card;
  const params: RawCardConfirmParams = {
    payment_method_data: {
      type: 'card',
      card: { number, exp_month, exp_year, ...(cvc ? { cvc } : {}) },
      ...(holder ? { billing_details: { name: holder } } : {}),
    },
    expand: EXPAND,
  };
  if (req.initiator === 'merchant') {
    // The customer is not there: Stripe must not ask for authentication (it declines with
    // authentication_required instead), and the charge is flagged as a stored credential used
    // off-session, linked to the first payment by its network transaction id.
    params.off_session = true;
    params.payment_method_options = {
      card: {
        stored_credential_usage: credentialUsage(req.agreement),
        ...(req.network_transaction_id ? { mit_exemption: { network_transaction_id: req.network_transaction_id } } : {}),
      },
    };
    return params;
  }
  // Customer-initiated: the customer may be sent to the issuer's 3-D Secure page and back. A one-click
  // payment with a saved card is a stored credential used on session: Stripe's card-on-file indicators
  // describe only off-session use, so it is an ordinary on-session payment (3-D Secure remains possible).
  if (req.return_url) params.return_url = req.return_url;
  const saving = Boolean(req.save_card || req.agreement);
  // https://docs.stripe.com/payments/save-during-payment: the card may later be charged without the customer.
  if (saving) params.setup_future_usage = 'off_session';
  const card: NonNullable<RawCardConfirmParams['payment_method_options']>['card'] = {
    // https://docs.stripe.com/payments/3d-secure/authentication-flow#manual-three-ds
    ...(req.force_challenge ? { request_three_d_secure: 'any' as const } : {}),
    ...(saving ? { setup_credential_usage: credentialUsage(req.agreement) } : {}),
  };
  if (Object.keys(card).length > 0) params.payment_method_options = { card };
  return params;
}
