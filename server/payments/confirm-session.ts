// Confirms a checkout session from the fields: a new card or a saved card with its CVC, the
// customer's consent to save, 3-D Secure, and the limits that stop card testing. PCI DSS 3.3.1: the
// CVC goes to the processor and is then gone; nothing here writes it anywhere.
import valid from 'card-validator';
import type { z } from 'zod';
import type { FrameConfirm, FrameConfirmResult, Recurring } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import { relaxed, type Queryable } from '../db/database.ts';
import type { CustomerTable, SessionTable } from '../db/schema.ts';
import { getCustomer } from '../customers/customer-store.ts';
import { forwardFromConfirmation } from '../forward/session-forward.ts';
import { ApiError } from '../errors.ts';
import { newId, randomSecret } from '../ids.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { cardSecret, clearWrongCvcs, findCard, type LiveCard } from '../cards/card-store.ts';
import { assertNewCardAllowed } from '../cards/save-limits.ts';
import { maskedBin } from '../../protocol/cards.ts';
import { checkCard, isActive, type CheckedCard } from './card-checks.ts';
import { numberVerdict } from './card-number.ts';
import { assertTestCardInTestMode } from './test-mode-cards.ts';
import { assertCvcNotLocked, cvcWaivedFor, noteWrongCvc } from './card-proof.ts';
import { savedCardRefusal } from './saved-card-offer.ts';
import { checkLimits } from '../charges/charge-store.ts';
import { declineError } from '../charges/charge-view.ts';
import { consentLocale, recurringConsentText } from './consent-wording.ts';
import { assertLeaseHeld, customerLeaseName, withCustomerLease, type CustomerLease } from './customer-lease.ts';
import { DeclineRecordedElsewhere, recordApproval, recordDecline, releaseSession, settleStaleAttempt, type Attempt } from './settle-attempt.ts';
import { claimSession, pauseForRedirect } from '../sessions/session-status.ts';
import { readSession } from '../sessions/session-store.ts';
import { authorizeSettled } from './authorize.ts';
import { findSessionChallenge, insertChallenge } from '../challenges/challenge-store.ts';
import { settleChallenge } from '../challenges/challenge-status.ts';
import { type AuthorizeRequest, type AuthorizeResult, isSettled } from './processor.ts';

type ConfirmInput = z.output<typeof FrameConfirm>;

export const MAX_FAILED_ATTEMPTS = 5;
/** A setup session verifies the card with this authorisation, voided at once. */
const VERIFY_AMOUNT = 100;

interface Prepared {
  card: CheckedCard & { holder?: string; cvc?: string };
  saved?: LiveCard;
}

export function assertSessionOpen(session: SessionTable, now: Date): void {
  if (session.status === 'complete' || session.expires_at <= now.toISOString()) {
    throw new ApiError('session_expired', 'This checkout session has expired or is already complete');
  }
  if (session.failed_attempts >= MAX_FAILED_ATTEMPTS) {
    const retry = Math.max(1, Math.ceil((Date.parse(session.expires_at) - now.getTime()) / 1000));
    throw new ApiError('rate_limited', 'This session is closed after too many failed attempts; start a new checkout', {
      headers: { 'Retry-After': String(retry) },
    });
  }
}

/** What the consent box does for this session and customer: off, ask or require. */
export function effectiveSaveCard(session: SessionTable, customer: CustomerTable | undefined): 'off' | 'ask' | 'require' {
  if (!session.customer || customer?.status === 'deny') return 'off';
  return session.save_card as 'off' | 'ask' | 'require';
}

/**
 * The consent box. Ticking it (`save`) consents to saving a new card and, in a recurring session, to
 * the agreement: a recurring session needs the tick on every path, a saved card included, because the
 * tick is the customer's agreement to future charges.
 */
function checkConsent(session: SessionTable, customer: CustomerTable | undefined, save: boolean, savedCard: boolean): void {
  if (session.recurring && !save) {
    throw new ApiError('parameter_missing', 'The customer must tick the box to agree to the recurring payments', { param: 'save' });
  }
  const required = session.save_card === 'require';
  if (customer?.status === 'deny' && (required || save)) {
    throw new ApiError('customer_denied', 'This customer does not allow cards to be saved');
  }
  // A saved card is saved already: outside a recurring session it needs no consent to save.
  if (savedCard) return;
  if (save && !session.customer) throw new ApiError('parameter_invalid', 'A guest checkout cannot save a card', { param: 'save' });
  if (save && session.save_card === 'off') throw new ApiError('parameter_invalid', 'This session does not offer saving the card', { param: 'save' });
  if (required && !save) {
    throw new ApiError('parameter_missing', 'The customer must give consent (tick the box) before this card can be used', { param: 'save' });
  }
}

async function prepareCard(
  deps: Deps,
  merchant: Merchant,
  session: SessionTable,
  customer: CustomerTable | undefined,
  body: ConfirmInput,
  now: Date,
): Promise<Prepared> {
  if (body.card && body.saved_card) throw new ApiError('parameter_invalid', 'Send either card or saved_card, not both', { param: 'saved_card' });
  if (body.card) {
    const checked = checkCard(body.card, now, 'card');
    assertTestCardInTestMode(merchant, checked.number, 'card.number');
    return { card: { ...checked, holder: body.card.holder, cvc: body.card.cvc } };
  }
  if (!body.saved_card) throw new ApiError('parameter_missing', 'Send card (a new card) or saved_card (a saved one)', { param: 'card' });

  const saved = session.customer ? await findCard(deps.db, session.group_id, session.customer, body.saved_card.token) : undefined;
  if (!saved) throw new ApiError('resource_missing', 'No such saved card', { param: 'saved_card.token' });
  // The one rule refuses it too; the contract's own code says why.
  if (customer?.status === 'deny') throw new ApiError('customer_denied', 'This customer does not allow saved cards');
  const refusal = savedCardRefusal(merchant, session, saved, customer);
  if (refusal) throw new ApiError('parameter_invalid', refusal, { param: 'saved_card.token' });
  const secret = cardSecret(deps.ring, saved);
  // A card saved before test mode took test cards only is not charged in test mode either.
  assertTestCardInTestMode(merchant, secret.number, 'saved_card.token');
  if (!isActive(secret, now)) throw new ApiError('expired_card', 'This saved card has expired');
  const cvc = body.saved_card.cvc;
  // need_cvc: false serves one-click payments only, with a card the customer already used at this shop.
  // A recurring agreement, or a card saved at a sister shop, needs proof that the customer holds it, or
  // a merchant's server could confirm a payment or a mandate on it with nobody there.
  const waived = (await cvcWaivedFor(deps.db, merchant, session, [saved.token])).has(saved.token);
  if (!waived && cvc === undefined) throw new ApiError('parameter_missing', "Enter the card's security code", { param: 'saved_card.cvc' });
  if (cvc !== undefined) assertCvcNotLocked(saved, now);
  if (cvc !== undefined && !valid.cvv(cvc, numberVerdict(secret.number).card?.code.size ?? 3).isValid) {
    throw new ApiError('invalid_cvc', 'The security code has the wrong length for this card', { param: 'saved_card.cvc' });
  }
  return {
    card: {
      number: secret.number,
      brand: saved.brand as CheckedCard['brand'],
      exp_month: secret.exp_month,
      exp_year: secret.exp_year,
      holder: secret.holder,
      cvc,
    },
    saved,
  };
}

/**
 * Whether the confirmation names a challenge passed for this very card: the same number, and the same
 * source (the saved card it was opened for, or a typed number). A challenge passed for a typed number
 * never authenticates a saved card, whatever the number: else its answer would tell a sister shop
 * whether a number it typed is a customer's saved card. Only the simulated issuer's code counts: a
 * provider's redirect is passed for the payment it paused, which resumeRedirect finishes.
 */
async function passedChallenge(
  deps: Deps,
  session: SessionTable,
  challengeId: string | undefined,
  number: string,
  savedToken: string | null,
): Promise<boolean> {
  if (!challengeId) return false;
  const row = await findSessionChallenge(deps.db, session.id, challengeId);
  if (
    row?.status !== 'passed' ||
    row.kind !== 'code' ||
    (row.card_token ?? null) !== savedToken ||
    !deps.fingerprints.matches(row.fingerprint, session.group_id, number)
  ) {
    throw new ApiError('authentication_required', 'The 3-D Secure challenge was not passed for this card');
  }
  return true;
}

/**
 * Takes the session for one confirmation: open, not closed by failures, not expired, atomically. The
 * claim names the attempt's reference, so it is on disk before a real provider hears of it; the
 * simulated processor keeps its record in this same database, behind the claim, so there it is relaxed.
 */
async function claim(deps: Deps, session: SessionTable, attempt: Attempt, now: Date, durable: boolean): Promise<void> {
  const take = (q: Queryable) =>
    claimSession(
      q,
      session.id,
      { attempt: JSON.stringify(attempt), processing_since: now.toISOString() },
      { maxFailed: MAX_FAILED_ATTEMPTS, now: now.toISOString() },
    );
  const taken = await relaxed(deps.db, take, !durable);
  if (taken) return;
  const current = await readSession(deps.db, session.id);
  assertSessionOpen(current, now);
  throw new ApiError('request_in_progress', 'This session is being confirmed already');
}

/** What the frame request says about where it ran: the merchant page that embeds the fields. */
export interface ConfirmContext {
  hostOrigin?: string;
}

export async function confirmSession(
  deps: Deps,
  merchant: Merchant,
  current: SessionTable,
  body: ConfirmInput,
  context: ConfirmContext = {},
): Promise<FrameConfirmResult> {
  // A paying customer takes the same lease as a merchant-initiated charge of that customer, so the
  // two never pass a daily or weekly limit together. So does any confirmation with a saved card, an
  // agreement in a setup session too: the three-wrong-CVC lock is read before the processor answers,
  // and parallel confirmations would otherwise all pass it (a sister shop guessing a card's CVC).
  // So does one that saves a new card: the day's count of new cards (save-limits.ts) is read before the
  // processor is asked, and parallel setups would otherwise all pass it.
  if (current.customer && (current.mode === 'payment' || body.saved_card || body.save)) {
    return withCustomerLease(deps, customerLeaseName(current.group_id, current.customer), (lease) =>
      confirmUnlocked(deps, merchant, current, body, context, lease),
    );
  }
  return confirmUnlocked(deps, merchant, current, body, context);
}

async function confirmUnlocked(
  deps: Deps,
  merchant: Merchant,
  current: SessionTable,
  body: ConfirmInput,
  context: ConfirmContext,
  lease?: CustomerLease,
): Promise<FrameConfirmResult> {
  const now = deps.clock();
  const session = await settleStaleAttempt(deps, current);
  if (session.status === 'processing') {
    // The customer is back from a provider's 3-D Secure page: the attempt it paused is finished.
    const paused: Attempt | null = session.attempt ? JSON.parse(session.attempt) : null;
    if (paused?.redirect && body.challenge && paused.challenge === body.challenge) return resumeRedirect(deps, merchant, session, paused, body, now, lease);
    throw new ApiError('request_in_progress', 'This session is being confirmed already');
  }
  assertSessionOpen(session, now);
  const customer = session.customer ? await getCustomer(deps.db, session.group_id, session.customer) : undefined;
  const { card, saved } = await prepareCard(deps, merchant, session, customer, body, now);
  const save = !saved && body.save;
  checkConsent(session, customer, body.save, Boolean(saved));
  // Before the processor is asked, whatever the number: a refusal that came only for a new number would
  // itself tell whether the number typed is one of the customer's cards.
  if (save && session.customer) await assertNewCardAllowed(deps.db, session.group_id, session.customer, now);
  const payment = session.mode === 'payment';
  if (payment && customer) await checkLimits(deps.db, customer, session.amount!, session.currency!, now);
  const fingerprint = deps.fingerprints.of(session.group_id, card.number);
  const authenticated = await passedChallenge(deps, session, body.challenge, card.number, saved?.token ?? null);

  const processor = deps.processors.for(merchant);
  // Named before the processor is asked: a provider's 3-D Secure returns the customer to this challenge's page.
  const challengeId = newId('chl');
  const attempt: Attempt = {
    ref: `${session.id}:${randomSecret(9)}`,
    card: { brand: card.brand, bin: maskedBin(card.number), last4: card.number.slice(-4), exp_month: card.exp_month, exp_year: card.exp_year },
    token: saved?.token ?? null,
    save,
    challenge: body.challenge ?? null,
    // The agreement's wording is the vault's own, in the fields' language: never text from the request.
    ...(session.recurring && body.save
      ? {
          consent: {
            text: recurringConsentText(
              JSON.parse(session.recurring) as Recurring,
              session.currency,
              // As the session read showed it, whatever the merchant is called now.
              session.merchant_name ?? merchant.name,
              consentLocale(body.locale ?? customer?.locale),
              // The text the fields showed for this path: a saved card is agreed with, a new one saved.
              saved ? 'saved' : 'new',
            ),
            origin: context.hostOrigin ?? null,
          },
        }
      : {}),
  };
  await claim(deps, session, attempt, now, processor.type !== 'simulated');

  // The limits checked above hold only if no other charge of this customer ran in between (this holder
  // stalled past its lease): then nothing is charged, and the customer may simply try again.
  try {
    await assertLeaseHeld(lease, 'payment');
  } catch (err) {
    await releaseSession(deps, session, { failed: false });
    throw err;
  }

  const recurring = session.recurring ? (JSON.parse(session.recurring) as Recurring) : undefined;
  const request: AuthorizeRequest = {
    reference: attempt.ref,
    card: { number: card.number, exp_month: card.exp_month, exp_year: card.exp_year, cvc: card.cvc, holder: card.holder },
    amount: payment ? session.amount! : VERIFY_AMOUNT,
    currency: session.currency ?? 'USD',
    initiator: 'customer',
    stored_credential: Boolean(saved),
    capture: payment,
    authenticated,
    force_challenge: merchant.three_d_secure === 'always' && payment && !saved,
    save_card: save || undefined,
    ...(recurring && attempt.consent ? { agreement: recurring.frequency_days > 0 ? ('scheduled' as const) : ('unscheduled' as const) } : {}),
    return_url: `${deps.publicUrl}/frame/3ds/${challengeId}/return`,
    order: session.order_ref ?? undefined,
    merchant: merchant.id,
  };
  let result = await authorizeSettled(processor, request, (error) => deps.logger.error({ session: session.id, error }, 'processor call failed'));

  if (result.outcome === 'redirect') {
    // A provider's 3-D Secure: the customer visits the issuer's page, which returns to the vault. The
    // session stays claimed by this attempt meanwhile (a second card cannot be charged beside it);
    // like the simulated challenge, it counts as an attempt against card testing.
    await insertChallenge(deps.db, {
      id: challengeId,
      session_id: session.id,
      fingerprint,
      card_token: attempt.token,
      created_at: now.toISOString(),
      kind: 'redirect',
      processor_ref: attempt.ref,
      processor_id: result.processor_id,
      action: JSON.stringify(result.action),
    });
    await pauseForRedirect(deps.db, session.id, JSON.stringify({ ...attempt, challenge: challengeId, redirect: true }));
    return {
      status: 'requires_action',
      session: session.id,
      next_action: { type: 'three_d_secure', challenge: challengeId, url: `${deps.publicUrl}/frame/3ds/${challengeId}` },
    };
  }
  if (result.outcome === 'challenge') {
    const challenge = challengeId;
    await insertChallenge(deps.db, { id: challenge, session_id: session.id, fingerprint, card_token: attempt.token, created_at: now.toISOString() });
    // A challenge counts as an attempt: otherwise a merchant with 3-D Secure "always" would let a
    // card tester learn which numbers are live without ever being stopped.
    await releaseSession(deps, session, { failed: true });
    return {
      status: 'requires_action',
      session: session.id,
      next_action: { type: 'three_d_secure', challenge, url: `${deps.publicUrl}/frame/3ds/${challenge}` },
    };
  }
  if (result.outcome === 'error') {
    // Above info: a provider account that is broken or revoked shows here first (its message is not logged).
    deps.logger.warn({ session: session.id, processor: processor.type }, 'the processor gave no answer to a payment; the attempt is ended');
    // Unknown outcome (an error, a timeout): the attempt is ended at the processor before the session
    // reopens, so a late answer to it takes no money; money it had already taken is recorded instead.
    let known: AuthorizeResult | undefined;
    try {
      known = await processor.cancel(attempt.ref);
    } catch {
      // Not even that could be asked: the session stays claimed, and is settled once it is stale.
      throw new ApiError('processor_unavailable', 'The payment processor could not complete the request; try again shortly');
    }
    if (!isSettled(known)) {
      await releaseSession(deps, session, { failed: true });
      throw new ApiError('processor_unavailable', 'The payment processor could not complete the request; try again');
    }
    result = known;
  }
  return finish(deps, merchant, session, attempt, result, { card, saved }, now, lease);
}

/** Records a settled answer: a decline (and its CVC count), or an approval with the card saved and the mandate made. */
async function finish(
  deps: Deps,
  merchant: Merchant,
  session: SessionTable,
  attempt: Attempt,
  result: Extract<AuthorizeResult, { outcome: 'approved' | 'declined' }>,
  prepared: Prepared | undefined,
  now: Date,
  lease?: CustomerLease,
): Promise<FrameConfirmResult> {
  const saved = prepared?.saved;
  const card = prepared?.card;
  if (result.outcome === 'declined') {
    if (saved && card?.cvc !== undefined && result.code === 'incorrect_cvc') await noteWrongCvc(deps.db, saved.token, now);
    // Recorded by the issuer's return meanwhile (it held the same answer): the customer is told the same decline.
    const charge = await recordDecline(deps, merchant, session, attempt, result, lease).catch((err) => {
      if (err instanceof DeclineRecordedElsewhere) return undefined;
      throw err;
    });
    throw charge
      ? declineError(charge)
      : new ApiError(result.code, result.message, {
          decline_code: result.decline_code,
          ...(result.processor_response ? { processor_response: result.processor_response } : {}),
        });
  }

  if (session.mode !== 'payment')
    await deps.processors
      .for(merchant)
      .void(result.processor_id, attempt.ref)
      .catch((err) => {
        // The check's authorisation lapses at the issuer on its own; it was never captured.
        deps.logger.warn({ session: session.id, error: (err as Error).name }, 'could not void the card check');
      });
  try {
    const done = await recordApproval(deps, merchant, session, attempt, result, card ? { ...card, holder: card.holder } : undefined, lease);
    if (card) await forwardFromConfirmation(deps, merchant, session, card);
    // Only when there is a count to clear: no write on the common payment.
    if (saved && card?.cvc !== undefined && (saved.cvc_failures ?? 0) > 0) await clearWrongCvcs(deps.db, saved.token);
    return {
      status: 'succeeded',
      session: session.id,
      ...(done.chargeId ? { charge: done.chargeId } : {}),
      card: done.card,
      saved: done.saved,
      ...(done.mandateId ? { mandate: done.mandateId } : {}),
    };
  } catch (err) {
    // The money was taken but not recorded: the session stays in `processing` with its reference,
    // and is settled from the processor's ledger, never reopened for a second charge.
    deps.logger.error({ session: session.id, error: (err as Error).message }, 'approved payment could not be recorded; it will be settled');
    throw new ApiError('internal', 'The payment is being settled; its outcome will show on the session shortly');
  }
}

/**
 * The customer is back from a provider's 3-D Secure page (the fields confirm again naming the
 * challenge): the provider's answer, taken when the issuer returned the customer to the vault, is
 * recorded under the attempt's own reference. Without one (the customer never finished), the
 * attempt is ended at the provider and the session reopens.
 */
async function resumeRedirect(
  deps: Deps,
  merchant: Merchant,
  session: SessionTable,
  attempt: Attempt,
  body: ConfirmInput,
  now: Date,
  lease?: CustomerLease,
): Promise<FrameConfirmResult> {
  const challenge = await findSessionChallenge(deps.db, session.id, attempt.challenge!);
  let result: AuthorizeResult | undefined = challenge?.result ? JSON.parse(challenge.result) : undefined;
  if (!isSettled(result)) {
    result = await deps.processors
      .for(merchant)
      .cancel(attempt.ref)
      .catch(() => {
        throw new ApiError('processor_unavailable', 'The payment processor could not complete the request; try again shortly');
      });
  }
  if (!isSettled(result)) {
    await releaseSession(deps, session, { failed: false });
    throw new ApiError('authentication_required', "The bank's verification was not completed");
  }
  // The card typed again (or chosen) must be the one the issuer verified: only then is it saved.
  let prepared: Prepared | undefined;
  try {
    const customer = session.customer ? await getCustomer(deps.db, session.group_id, session.customer) : undefined;
    prepared = await prepareCard(deps, merchant, session, customer, body, now);
    if (!deps.fingerprints.matches(challenge?.fingerprint, session.group_id, prepared.card.number)) prepared = undefined;
  } catch {
    prepared = undefined;
  }
  await assertLeaseHeld(lease, 'payment');
  // Still pending when the issuer's return never reached the vault: the provider's answer settles it.
  if (challenge) await settleChallenge(deps.db, challenge.id, result.outcome === 'approved' ? 'passed' : 'failed');
  return finish(deps, merchant, session, { ...attempt, save: attempt.save && Boolean(prepared) }, result, prepared, now, lease);
}
