// The Stripe connector: the vault's Processor on the official `stripe` library, with the merchant's own
// secret key. A PaymentIntent per vault reference (the reference is its idempotency key), written down
// in `processor_operations` before it is confirmed with the card, so that an answer the vault never
// heard is settled by asking Stripe about that intent, or by cancelling it before it can take money.
import type Stripe from 'stripe';
import type {
  AuthorizeRequest,
  AuthorizeResult,
  ConnectorOptions,
  ConnectorSettings,
  Processor,
  RefundRequest,
  RefundResult,
} from '../../payments/processor.ts';
import { createStripeClient, isLiveKey, withoutCallSite } from './stripe-client.ts';
import { createOperationLedger, REFERENCE_ENDED } from './operation-ledger.ts';
import { EXPAND, confirmParams, createParams } from './payment-params.ts';
import { CANCELLED, isOpen, resultOfIntent, settledResult } from './intent-result.ts';
import { declineOf } from './declines.ts';
import { StripeCallFailed, authorizeFailure, describe, isCardError, isMissing, isRefused, isUnexpectedState } from './stripe-failures.ts';
import { parseStripeNotifications } from './notifications.ts';
import { idempotencyKey } from './idempotency-keys.ts';
import { amountProblem, STRIPE_AMOUNTS, toProviderUnits } from '../provider-amounts.ts';

export function createStripeProcessor(settings: ConnectorSettings<'stripe'>, options: ConnectorOptions): Processor {
  const stripe = createStripeClient(settings.secret_key, options);
  const ledger = createOperationLedger(options.db, options.clock);

  const retrieve = (id: string) => withoutCallSite(() => stripe.paymentIntents.retrieve(id, { expand: EXPAND }));

  /** Cancels an intent that has not moved money; one that moved on meanwhile is answered as it now is. */
  async function cancelIntent(id: string, key: string): Promise<Stripe.PaymentIntent> {
    try {
      return await withoutCallSite(() => stripe.paymentIntents.cancel(id, { expand: EXPAND }, { idempotencyKey: key }));
    } catch (err) {
      if (isUnexpectedState(err)) return retrieve(id);
      throw err;
    }
  }

  /** The confirmed intent's answer to the authorisation. */
  async function answerOf(pi: Stripe.PaymentIntent, reference: string): Promise<AuthorizeResult> {
    const result = resultOfIntent(pi);
    if (result) return result;
    if (pi.status === 'requires_action') {
      // Authentication Stripe would run in its own client SDK, with no page to send the customer to:
      // the intent is ended so it can never be completed, and the payment needs authentication.
      await cancelIntent(pi.id, idempotencyKey(reference, ':cancel')).catch(() => undefined);
      return declineOf(pi.id, { code: 'authentication_required', message: 'The issuer asks for authentication that needs a return address.' });
    }
    return { outcome: 'error', message: `The payment is not final at Stripe (${pi.status}).` };
  }

  async function authorize(req: AuthorizeRequest): Promise<AuthorizeResult> {
    let intent: Stripe.PaymentIntent;
    try {
      // Built outside the library's call, so a failure of the vault's own code keeps its stack.
      const params = createParams(req);
      intent = await withoutCallSite(() => stripe.paymentIntents.create(params, { idempotencyKey: idempotencyKey(req.reference) }));
    } catch (err) {
      return authorizeFailure(err, req.reference);
    }
    const recorded = await ledger.claim(req.reference, intent.id);
    if (recorded !== intent.id) {
      // The reference was ended (cancel) before this intent was written down: it must take no money.
      await cancelIntent(intent.id, idempotencyKey(req.reference, ':cancel')).catch(() => undefined);
      return recorded === REFERENCE_ENDED ? CANCELLED : ((await lookupIntent(recorded)) ?? CANCELLED);
    }
    try {
      const params = confirmParams(req);
      const confirmed = await withoutCallSite(() =>
        stripe.paymentIntents.confirm(intent.id, params, { idempotencyKey: idempotencyKey(req.reference, ':confirm') }),
      );
      return await answerOf(confirmed, req.reference);
    } catch (err) {
      if (isCardError(err)) return authorizeFailure(err, intent.id);
      // Confirmed long ago (idempotency keys last 24 hours) or cancelled meanwhile: the intent says which.
      if (isUnexpectedState(err)) {
        const now = await retrieve(intent.id).catch(() => undefined);
        return (now && resultOfIntent(now)) ?? { outcome: 'error', message: describe(err) };
      }
      return authorizeFailure(err, intent.id);
    }
  }

  async function lookupIntent(id: string): Promise<AuthorizeResult | undefined> {
    let pi: Stripe.PaymentIntent;
    try {
      pi = await retrieve(id);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new StripeCallFailed(err);
    }
    const result = resultOfIntent(pi);
    return result?.outcome === 'redirect' ? undefined : result;
  }

  async function lookup(reference: string): Promise<AuthorizeResult | undefined> {
    const id = await ledger.find(reference);
    if (!id || id === REFERENCE_ENDED) return undefined;
    return lookupIntent(id);
  }

  async function cancel(reference: string): Promise<AuthorizeResult | undefined> {
    // No intent written down yet: the reference is taken so that an authorisation in flight with it
    // cancels the intent it creates. One written down meanwhile is ended below like any other.
    const id = await ledger.claim(reference, REFERENCE_ENDED);
    if (id === REFERENCE_ENDED) return undefined;
    try {
      const pi = await retrieve(id);
      // Settled already (the money moved, or the card was declined): that is the answer, as it stands.
      const settled = settledResult(pi);
      if (settled || !isOpen(pi)) return settled;
      // Cancelled, unless it moved on meanwhile (a confirm that landed first): then that is the answer.
      return settledResult(await cancelIntent(id, idempotencyKey(reference, ':cancel')));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new StripeCallFailed(err);
    }
  }

  async function voidAuthorization(processorId: string, reference: string): Promise<void> {
    try {
      await withoutCallSite(() => stripe.paymentIntents.cancel(processorId, {}, { idempotencyKey: idempotencyKey(reference, ':void') }));
    } catch (err) {
      // Already cancelled: the authorisation is released either way.
      if (isUnexpectedState(err)) return;
      throw new StripeCallFailed(err);
    }
  }

  async function refund(req: RefundRequest): Promise<RefundResult> {
    const amount = toProviderUnits(STRIPE_AMOUNTS, req.amount, req.currency);
    let r: Stripe.Refund;
    try {
      // https://docs.stripe.com/api/refunds/create
      r = await withoutCallSite(() => stripe.refunds.create({ payment_intent: req.processor_id, amount }, { idempotencyKey: idempotencyKey(req.reference) }));
    } catch (err) {
      // Refused (more than is left to refund, a disputed payment…): no money moves, and Stripe's reason is kept.
      if (isRefused(err) || isCardError(err)) return { outcome: 'failed', processor_response: { code: err.code ?? err.type, message: describe(err) } };
      throw new StripeCallFailed(err);
    }
    // https://docs.stripe.com/api/refunds/object#refund_object-status: pending and succeeded are
    // accepted (a later failure arrives as a notification); failed and canceled are not.
    if (r.status === 'failed' || r.status === 'canceled') {
      return {
        outcome: 'failed',
        processor_id: r.id,
        processor_response: { code: r.failure_reason ?? r.status, message: `The refund ${r.status} at Stripe.` },
      };
    }
    return { outcome: 'succeeded', processor_id: r.id };
  }

  async function completeRedirect(request: { reference: string; processor_id: string; params: Record<string, string> }): Promise<AuthorizeResult> {
    // The ids on the return address are the customer's browser's to change: only the intent this
    // checkout's redirect was for is asked about, and it must carry this checkout's reference.
    let pi: Stripe.PaymentIntent;
    try {
      pi = await retrieve(request.processor_id);
    } catch (err) {
      return { outcome: 'error', message: describe(err) };
    }
    if (pi.metadata?.vault_reference !== request.reference) return { outcome: 'error', message: 'The Stripe payment does not belong to this checkout.' };
    const result = resultOfIntent(pi);
    return result && result.outcome !== 'redirect' ? result : { outcome: 'error', message: 'The issuer has not finished authenticating the payment.' };
  }

  return {
    type: 'stripe',
    authorize,
    void: voidAuthorization,
    refund,
    lookup,
    cancel,
    completeRedirect,
    amountProblem: (amount, currency) => amountProblem(STRIPE_AMOUNTS, amount, currency),
    parseNotifications: async (rawBody, headers) =>
      parseStripeNotifications(stripe, { webhookSecret: settings.webhook_secret, live: isLiveKey(settings.secret_key) }, rawBody, headers),
  };
}
