// Records what the processor answered for a confirmation, and settles a confirmation whose vault died
// (or whose recording failed) by asking the processor what became of its reference: a session is
// never reopened over money that was taken, and never charged twice.
import type { MaskedCardView, Recurring } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { SessionTable } from '../db/schema.ts';
import { ensureCustomer, getCustomer, noteCardSaved } from '../customers/customer-store.ts';
import { queueEvent } from '../events/emit-event.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { countPayment, saveCard } from '../cards/card-store.ts';
import type { CheckedCard } from './card-checks.ts';
import { queueCharge } from '../charges/charge-store.ts';
import type { CustomerLease } from './customer-lease.ts';
import { createMandate } from '../mandates/mandate-store.ts';
import type { AuthorizeResult, ProcessorType } from './processor.ts';
import { binFacts } from './bin-facts.ts';
import { tellCardSaved, type SavedCard } from '../messages/card-saved.ts';
import { queueCompleteSession, queueReopenSession, reopenSession } from '../sessions/session-status.ts';
import { readSession } from '../sessions/session-store.ts';
import { atomically } from '../db/write-batch.ts';
import { useChallenge } from './challenges.ts';

/** A confirmation in flight, as stored on its session: masked, never the number or the CVC. */
export interface Attempt {
  ref: string;
  card: MaskedCardView;
  /** The saved card paid with, or null for a new card. */
  token: string | null;
  save: boolean;
  challenge: string | null;
  /** A recurring session's agreement the customer ticked: the vault's wording they saw and the embedding page. */
  consent?: { text: string; origin: string | null };
  /** The attempt waits for the customer at a provider's 3-D Secure page (its challenge names it). */
  redirect?: boolean;
}

/** After this long in `processing`, a confirmation is presumed dead and is settled. */
export const STALE_MS = 60_000;
/** A customer at the issuer's page may take this long before the attempt is ended at the provider. */
export const REDIRECT_STALE_MS = 15 * 60_000;

type Approved = Extract<AuthorizeResult, { outcome: 'approved' }>;
type Declined = Extract<AuthorizeResult, { outcome: 'declined' }>;

function chargeInput(session: SessionTable, attempt: Attempt, token: string | null, processor: ProcessorType, result: Approved | Declined, now: Date) {
  const { brand, bin, last4, exp_month, exp_year } = attempt.card;
  return {
    merchantId: session.merchant_id,
    groupId: session.group_id,
    customer: session.customer,
    cardToken: token,
    cardMasked: { brand, bin, last4, exp_month, exp_year },
    amount: session.amount!,
    currency: session.currency!,
    order: session.order_ref,
    initiator: 'customer' as const,
    mandateId: null,
    sessionId: session.id,
    processorRef: attempt.ref,
    processor,
    result,
    now,
  };
}

/**
 * The type of the processor that gave the answer being recorded: that of `merchant` as the caller read it
 * when it asked (the registry chooses by those settings alone), not of the shop's settings by the time it is recorded.
 */
const answeredBy = (deps: Deps, merchant: Merchant): ProcessorType => deps.processors.for(merchant).type;

/** Returns the session to `open` after an attempt that took no money. */
export async function releaseSession(deps: Deps, session: SessionTable, options: { failed: boolean }): Promise<void> {
  await reopenSession(deps.db, session.id, options);
}

/** The session was no longer processing this attempt when its decline came to be recorded: another request recorded it. */
export class DeclineRecordedElsewhere extends Error {
  constructor() {
    super('the session was no longer processing: its decline was recorded by another request');
    this.name = 'DeclineRecordedElsewhere';
  }
}

/**
 * A decline: the failed charge is recorded (payment mode), the attempt counts, the session reopens.
 * DeclineRecordedElsewhere, with nothing written, when the session was no longer processing.
 * `merchant` is the one whose processor gave `result` (as for recordApproval).
 */
export async function recordDecline(deps: Deps, merchant: Merchant, session: SessionTable, attempt: Attempt, result: Declined, lease?: CustomerLease) {
  const now = deps.clock();
  return atomically(deps.db, async (atomic) => {
    // Fenced: a holder whose lease was taken over records nothing; the session is settled later from the processor.
    lease?.releaseWith(atomic);
    // Only the request that reopens the session records the decline: the issuer's return and the fields'
    // resume may both hold the same answer, and a second record would be a second failed charge.
    queueReopenSession(atomic, session.id, { failed: true, expectOne: () => new DeclineRecordedElsewhere() });
    if (session.mode !== 'payment') return undefined;
    const row = queueCharge(atomic, chargeInput(session, attempt, attempt.token, answeredBy(deps, merchant), result, now));
    queueEvent(atomic, {
      merchantId: merchant.id,
      groupId: session.group_id,
      type: 'charge.failed',
      data: { charge: row.id, session: session.id, code: result.code, decline_code: result.decline_code },
      now,
    });
    return row;
  });
}

/**
 * An approval: saves the card when the customer consented (only possible while its number is at
 * hand), records the charge, and completes the session, all in one transaction. `merchant` is the one
 * whose processor gave `result`: the charge records that processor's type.
 */
export async function recordApproval(
  deps: Deps,
  merchant: Merchant,
  session: SessionTable,
  attempt: Attempt,
  result: Approved,
  newCard?: CheckedCard & { holder?: string },
  lease?: CustomerLease,
) {
  const now = deps.clock();
  const payment = session.mode === 'payment';
  let firstSaved: SavedCard | undefined;
  // One batch of writes (one statement on PostgreSQL); saving a card or recording a mandate also reads,
  // and then runs in the transaction the batch commits in.
  const done = await atomically(deps.db, async (atomic) => {
    // Fenced as above: the approval then stays on the session's attempt and is settled from the processor's ledger.
    // When a card is saved or a mandate recorded, the fence goes first in their transaction, as it did
    // before batches: a holder that was taken over writes no row (and no dead version of one) at all.
    const saving = Boolean(attempt.save && newCard && session.customer);
    if (saving || (session.recurring && session.customer && attempt.consent)) await lease?.releaseIn(await atomic.tx());
    else lease?.releaseWith(atomic);
    let token = attempt.token;
    let saved = false;
    if (saving && newCard && session.customer) {
      const trx = await atomic.tx();
      const owner = (await getCustomer(trx, session.group_id, session.customer)) ?? (await ensureCustomer(trx, session.group_id, session.customer, now));
      const { row, created } = await saveCard(trx, deps.ring, deps.fingerprints, {
        groupId: session.group_id,
        customer: session.customer,
        card: newCard,
        bin: binFacts(newCard.number.slice(0, 6), result.card),
        source: 'checkout',
        networkTransactionId: result.network_transaction_id,
        now,
      });
      token = row.token;
      saved = true;
      firstSaved = created ? { groupId: session.group_id, customer: session.customer, token: row.token, brand: row.brand, last4: row.last4 } : undefined;
      await noteCardSaved(trx, owner, row.token, now);
      queueEvent(atomic, {
        merchantId: merchant.id,
        groupId: session.group_id,
        type: created ? 'card.saved' : 'card.updated',
        data: { card: row.token, customer: session.customer, brand: row.brand, last4: row.last4 },
        now,
      });
    }
    const card: MaskedCardView = { ...attempt.card, ...(token ? { token } : {}) };
    let chargeId: string | null = null;
    if (payment) {
      const row = queueCharge(atomic, chargeInput(session, attempt, token, answeredBy(deps, merchant), result, now));
      chargeId = row.id;
      if (token) atomic.write(countPayment.compiled(deps.db, { token }));
      queueEvent(atomic, {
        merchantId: merchant.id,
        groupId: session.group_id,
        type: 'charge.succeeded',
        data: { charge: row.id, session: session.id, amount: row.amount, currency: row.currency, customer: row.customer },
        now,
      });
    }
    // A recurring session's consent (required to confirm it) becomes the mandate, on the card it saved
    // or paid with. Its network transaction id is this approval's: the charge, or the setup's check.
    let mandateId: string | null = null;
    if (session.recurring && session.customer && token && attempt.consent) {
      const terms = JSON.parse(session.recurring) as Recurring;
      const mandate = await createMandate(await atomic.tx(), {
        merchantId: session.merchant_id,
        groupId: session.group_id,
        customer: session.customer,
        cardToken: token,
        terms,
        currency: session.currency,
        networkTransactionId: result.network_transaction_id,
        consent: {
          text: attempt.consent.text,
          accepted_at: now.toISOString(),
          origin: attempt.consent.origin,
          last4: attempt.card.last4,
          network_transaction_id: result.network_transaction_id,
          source: 'checkout',
        },
        lastChargeAt: chargeId ? now.toISOString() : null,
        now,
      });
      mandateId = mandate.id;
    }
    if (attempt.challenge) atomic.write(useChallenge.compiled(deps.db, { id: attempt.challenge }));
    queueCompleteSession(
      atomic,
      session.id,
      {
        charge_id: chargeId,
        card_token: token,
        card_masked: JSON.stringify(card),
        saved: saved ? 1 : 0,
        completed_at: now.toISOString(),
        mandate_id: mandateId,
      },
      () => new Error('session was settled by another request'),
    );
    queueEvent(atomic, {
      merchantId: merchant.id,
      groupId: session.group_id,
      type: 'session.completed',
      data: { session: session.id, charge: chargeId, card: token, saved, order: session.order_ref, mandate: mandateId },
      now,
    });
    return { chargeId, card, saved, mandateId };
  });
  // After the commit: a card saved for the first time, never one paid with again or saved anew.
  if (firstSaved) await tellCardSaved(deps, merchant, firstSaved);
  return done;
}

/**
 * Settles a session left in `processing` for longer than STALE_MS: ends the attempt's reference at the
 * processor, which answers what became of it, and records that. A new card's consent to save cannot be honoured any
 * more (its number is gone); the payment itself is.
 */
export async function settleStaleAttempt(deps: Deps, session: SessionTable): Promise<SessionTable> {
  const now = deps.clock();
  if (session.status !== 'processing' || !session.processing_since) return session;
  const attempt: Attempt | null = session.attempt ? JSON.parse(session.attempt) : null;
  if (now.getTime() - Date.parse(session.processing_since) < (attempt?.redirect ? REDIRECT_STALE_MS : STALE_MS)) return session;
  const merchant = await deps.merchants.byId(session.merchant_id);
  try {
    // Ended at the processor before the session reopens: a call with this reference still in flight
    // (a processor slower than the confirmation's life, a paused instance) can then take no money.
    const result = attempt && merchant ? await deps.processors.for(merchant).cancel(attempt.ref) : undefined;
    if (merchant && attempt && result?.outcome === 'approved') await recordApproval(deps, merchant, session, { ...attempt, save: false }, result);
    else if (merchant && attempt && result?.outcome === 'declined') await recordDecline(deps, merchant, session, attempt, result);
    else await releaseSession(deps, session, { failed: false });
  } catch (err) {
    deps.logger.warn({ session: session.id, error: (err as Error).message }, 'could not settle a stale confirmation yet');
  }
  return await readSession(deps.db, session.id);
}
