// Merchant-initiated charges of a saved card under a mandate: every check of the contract, the
// processor call flagged merchant-initiated with the mandate's network transaction id, and the record.
// Used by POST /v1/charges and by the scheduler's automatic invoice payments.
import { assertLeaseHeld, customerLeaseName, withCustomerLease, type CustomerLease } from './customer-lease.ts';
import type { Deps } from '../context.ts';
import type { ChargeTable, MandateTable } from '../db/schema.ts';
import { atomically, type Atomic } from '../db/write-batch.ts';
import { ApiError, notFound } from '../errors.ts';
import { queueEvent } from '../events/emit-event.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { cardExpiry, cardSecret, countPayment, findDeletedCard, type DeletedCard, type LiveCard } from '../cards/card-store.ts';
import { assertTestCardInTestMode } from './test-mode-cards.ts';
import { chargeParties } from './charge-parties.ts';
import { isActive } from './card-checks.ts';
import { checkLimits, findChargeByReference, queueCharge } from '../charges/charge-store.ts';
import { addDays, dayOf } from '../clock.ts';
import { mandateStatus } from '../mandates/mandate-status.ts';
import { getMandate, queueMandateCharged } from '../mandates/mandate-store.ts';
import { authorizeSettled } from './authorize.ts';
import { type AuthorizeRequest, isSettled, type ProcessorType, type SettledResult } from './processor.ts';
import { processorTakes } from './processor-takes.ts';

type Settled = SettledResult;

/** The card a charge is recorded on: live, or deleted after an attempt whose answer was lost. */
type RecordedCard = LiveCard | DeletedCard;

/**
 * The processor reference: a retry with the same one gets the first result, never a second charge.
 * POST /v1/charges names its Idempotency-Key in this life of it (`idempotencyRef`, idempotency.ts),
 * from which the reference is made here; the scheduler names its reference itself.
 */
type ChargeReference = { reference: string; idempotencyRef?: never } | { idempotencyRef: string; reference?: never };

export type MerchantChargeRequest = ChargeReference & ChargeDetails;

interface ChargeDetails {
  merchant: Merchant;
  customer: string;
  card: string;
  amount: number;
  currency: string;
  order: string | null;
  mandate: string | undefined;
  /**
   * The reference was named by this very request (a new idempotency claim): no earlier attempt can
   * have used it, so neither the ledger nor the processor is asked about it first.
   */
  fresh?: boolean;
  /**
   * The outcome of the reference's earlier attempt, already learnt from the processor (its cancel's
   * answer): only recorded, never charged again, whatever the checks would say now.
   */
  known?: Settled;
  /** Adds the caller's writes to the batch that records the charge, so that they commit with it. */
  onRecorded?: (atomic: Atomic, charge: ChargeTable) => Promise<void>;
}

/**
 * Charges a saved card under a mandate and returns the recorded charge, succeeded or failed (a
 * decline). A check that fails before the processor is asked records nothing and throws the
 * contract's 402 (`mandate_violation`, `expired_card`, `limit_exceeded`); an unreachable processor
 * throws 502 `processor_unavailable`. A reference that was charged already returns that charge.
 */
export async function merchantCharge(deps: Deps, request: MerchantChargeRequest): Promise<ChargeTable> {
  const req: Resolved = { ...request, reference: request.reference ?? `idem:${request.merchant.id}:${request.idempotencyRef}` };
  const earlier = req.fresh ? undefined : await chargeByReference(deps, req);
  if (earlier) return earlier;
  return withCustomerLease(deps, customerLeaseName(req.merchant.group_id, req.customer), async (lease) => {
    // Checked again under the lease: a concurrent request with this reference may have just finished.
    const recorded = req.fresh ? undefined : await chargeByReference(deps, req);
    if (recorded) return recorded;
    return chargeUnderLease(deps, req, lease);
  });
}

/** The request with its processor reference made. */
type Resolved = ChargeDetails & { reference: string };

function chargeByReference(deps: Deps, req: Resolved): Promise<ChargeTable | undefined> {
  return findChargeByReference(deps.db, req.merchant.id, req.reference);
}

async function chargeUnderLease(deps: Deps, req: Resolved, lease: CustomerLease): Promise<ChargeTable> {
  const { db } = deps;
  const processor = deps.processors.for(req.merchant);
  // Read once the customer's lease is held: the mandate's frequency and end, the limits and the ledger's
  // dates are those of the moment the money moves, not of when the caller began (a scheduler pass may
  // have begun before midnight).
  const now = deps.clock();
  const groupId = req.merchant.group_id;
  // A mandate is an agreement with one merchant: a sister shop of the group cannot charge under it.
  const { card, mandate, customer } = await chargeParties(db, {
    token: req.card,
    groupId,
    customer: req.customer,
    mandateId: req.mandate,
    merchantId: req.merchant.id,
  });
  if (!card) return settleOnDeletedCard(deps, req, lease);

  // A vault that died after the processor answered: record that answer, without checking again
  // what was already decided (the money has moved, or the decline happened).
  // Unanswered, the earlier attempt is charged again under its reference (the processor answers a
  // reference it knows with its first result) if the checks below pass.
  let unasked = false;
  const known =
    req.known ??
    (req.fresh
      ? undefined
      : await processor.lookup(req.reference).catch(() => {
          unasked = true;
          return undefined;
        }));
  if (isSettled(known)) return settle(deps, req, lease, card, mandate, processor.type, known, deps.clock());

  let live: MandateTable;
  let secret: ReturnType<typeof cardSecret>;
  try {
    processorTakes(processor, req.amount, req.currency);
    live = checkMandate(req, card, mandate, now);
    // A customer set to deny allows no saved card: the fields offer none in one click, and no merchant
    // charges one under an agreement either, until the status is set back to none.
    if (customer?.status === 'deny') throw new ApiError('customer_denied', 'This customer does not allow their saved cards to be charged');
    secret = cardSecret(deps.ring, card);
    // A card saved before test mode took test cards only (or by a sister shop on a provider's test account).
    assertTestCardInTestMode(req.merchant, secret.number, 'card');
    if (!isActive(secret, now)) throw new ApiError('expired_card', 'The saved card has expired');
    if (customer) await checkLimits(db, customer, req.amount, req.currency, now);
  } catch (err) {
    // A refusal would be stored under the key as the answer, while the earlier attempt may have taken
    // the money (a customer set to deny since, a limit reached since): 502, which is not stored, and the
    // retry asks again.
    if (unasked && err instanceof ApiError && err.status < 500) {
      throw new ApiError('processor_unavailable', 'The payment processor could not say what became of an earlier attempt; try again shortly');
    }
    throw err;
  }
  // The checks hold only if no other holder ran in between (this one stalled past its lease): then
  // nothing is charged, and the caller retries.
  await assertLeaseHeld(lease, 'charge');

  const request: AuthorizeRequest = {
    reference: req.reference,
    // No CVC: the customer is not present, and the vault never kept one.
    card: { number: secret.number, exp_month: secret.exp_month, exp_year: secret.exp_year, holder: secret.holder },
    amount: req.amount,
    currency: req.currency,
    initiator: 'merchant',
    stored_credential: true,
    capture: true,
    // The mandate's own id only: never that of a checkout the mandate did not come from.
    network_transaction_id: live.network_transaction_id ?? undefined,
    // Scheduled when the agreement has a frequency; card on file, charged when needed, when it has none.
    agreement: live.frequency_days > 0 ? 'scheduled' : 'unscheduled',
    order: req.order ?? undefined,
    merchant: req.merchant.id,
  };
  const result = await authorizeSettled(processor, request, (error) => deps.logger.error({ reference: req.reference, error }, 'processor call failed'));
  if (result.outcome === 'error') {
    // Above info: a provider account that is broken or revoked shows here first. Its message is not
    // logged (it could quote what it was sent).
    deps.logger.warn({ reference: req.reference, processor: processor.type }, 'the processor gave no answer to a merchant charge');
    throw new ApiError('processor_unavailable', 'The payment processor could not complete the request; retry with the same Idempotency-Key');
  }
  if (result.outcome === 'challenge' || result.outcome === 'redirect') {
    // The customer is not there to answer a challenge: nothing was charged.
    throw new ApiError('authentication_required', 'The issuer asks for the customer to authenticate; charge them in a checkout session');
  }
  // Dated when the processor answered: a charge that crossed midnight there counts on the day it was made.
  return settle(deps, req, lease, card, live, processor.type, result, deps.clock());
}

/**
 * No live card: 404, unless the card was deleted after an attempt on it whose answer was lost. The
 * processor's answer to that attempt (asked, or the attempt ended with cancel) is still recorded, on the
 * deleted card's shown digits (its expiry went with its key: 0/0), since the money moved; a processor
 * that cannot be reached answers 502, which is not stored under an Idempotency-Key, so a retry asks
 * again instead of being told the card is gone.
 */
async function settleOnDeletedCard(deps: Deps, req: Resolved, lease: CustomerLease): Promise<ChargeTable> {
  const gone = req.fresh ? undefined : await findDeletedCard(deps.db, req.merchant.group_id, req.customer, req.card);
  if (!gone) throw notFound('card', 'card');
  const processor = deps.processors.for(req.merchant);
  let known = req.known;
  if (!known) {
    const unavailable = () => new ApiError('processor_unavailable', 'The payment processor could not say what became of an earlier attempt; try again shortly');
    let asked = await processor.lookup(req.reference).catch(() => null);
    if (asked === null) throw unavailable();
    // A processor that cannot say without operating (Adyen) ends the attempt, answering what it had: the
    // card's number is gone, so the attempt can never be sent again.
    if (!isSettled(asked)) asked = await processor.cancel(req.reference).catch(() => null);
    if (asked === null) throw unavailable();
    if (isSettled(asked)) known = asked;
  }
  if (!known) throw notFound('card', 'card');
  const mandate = req.mandate ? await getMandate(deps.db, req.merchant.id, req.mandate) : undefined;
  return settle(deps, req, lease, gone, mandate, processor.type, known, deps.clock());
}

/**
 * Records the processor's answer (`processor`: the type of the one that gave it), or, when that fails (the
 * lease was taken over, the database failed), leaves it to a retry with the same reference, which finds it at the processor.
 */
async function settle(
  deps: Deps,
  req: Resolved,
  lease: CustomerLease,
  card: RecordedCard,
  mandate: MandateTable | undefined,
  processor: ProcessorType,
  result: Settled,
  now: Date,
): Promise<ChargeTable> {
  try {
    return await record(deps, req, lease, card, mandate, processor, result, now);
  } catch (err) {
    // The newer holder may have settled this very reference meanwhile: that record is the answer.
    const recorded = await chargeByReference(deps, req).catch(() => undefined);
    if (recorded) return recorded;
    deps.logger.error({ reference: req.reference, error: (err as Error).message }, 'merchant-initiated charge could not be recorded; a retry will settle it');
    throw new ApiError('internal', 'The charge is being settled; retry with the same Idempotency-Key to see its outcome');
  }
}

/** The amount lies outside what the customer agreed to. */
export const outsideRange = (mandate: MandateTable, amount: number) => amount < mandate.min_amount || amount > mandate.max_amount;

/** The first UTC day the mandate's frequency allows a charge on; null: any day. */
export function nextChargeDay(mandate: MandateTable): string | null {
  const last = mandate.last_charge_at;
  return mandate.frequency_days > 0 && last !== null ? addDays(dayOf(last), mandate.frequency_days) : null;
}

/**
 * Every mandate rule of the contract; the first one broken answers 402 mandate_violation. Days are
 * UTC calendar days: a monthly charge may run on day 30 at any hour, not only after the same minute.
 */
function checkMandate(req: Resolved, card: LiveCard, mandate: MandateTable | undefined, now: Date): MandateTable {
  const violation = (message: string, param = 'mandate') => new ApiError('mandate_violation', message, { param });
  if (!req.mandate) throw violation('A merchant-initiated charge needs a live mandate');
  if (!mandate || mandate.customer !== req.customer || mandate.card_token !== card.token) throw violation('No such live mandate for this customer and card');
  const status = mandateStatus(mandate, dayOf(now));
  if (status !== 'active') throw violation(`The mandate is ${status}`);
  // The customer agreed to amounts in one currency: the same minor units in another are another sum.
  if (!mandate.currency) {
    throw violation(
      'The mandate records no currency, so it allows no charge: ' +
        'record the agreement again with its currency (POST /v1/customers/{customer}/mandates) ' +
        'or have the customer agree in a recurring checkout',
      'mandate',
    );
  }
  if (req.currency !== mandate.currency) {
    throw violation(`The mandate is for charges in ${mandate.currency}; this charge is in ${req.currency}`, 'currency');
  }
  if (outsideRange(mandate, req.amount)) {
    throw violation(`amount must lie within the mandate's ${mandate.min_amount} to ${mandate.max_amount}`, 'amount');
  }
  const next = nextChargeDay(mandate);
  if (next !== null && dayOf(now) < next) {
    throw violation(`The mandate allows one charge every ${mandate.frequency_days} days; the last was on ${dayOf(mandate.last_charge_at as string)}`);
  }
  return mandate;
}

/** Records the processor's answer with its event; a success also dates the mandate and counts for the card. */
async function record(
  deps: Deps,
  req: Resolved,
  lease: CustomerLease,
  card: RecordedCard,
  mandate: MandateTable | undefined,
  processor: ProcessorType,
  result: Settled,
  now: Date,
): Promise<ChargeTable> {
  // Only the expiry, from the cached metadata: the number was opened once already, for the processor.
  const exp = card.key_version === null ? { exp_month: 0, exp_year: 0 } : cardExpiry(deps.ring, card);
  // Every write below is one batch: one statement on PostgreSQL, committed durably with the ledger row.
  return atomically(deps.db, async (atomic) => {
    // Fenced: a holder whose lease was taken over records nothing over the newer holder's decisions.
    lease.releaseWith(atomic);
    const row = queueCharge(atomic, {
      merchantId: req.merchant.id,
      groupId: req.merchant.group_id,
      customer: req.customer,
      cardToken: card.token,
      cardMasked: { brand: card.brand, bin: card.bin, last4: card.last4, exp_month: exp.exp_month, exp_year: exp.exp_year },
      amount: req.amount,
      currency: req.currency,
      order: req.order,
      initiator: 'merchant',
      mandateId: mandate?.id ?? null,
      sessionId: null,
      processorRef: req.reference,
      processor,
      result,
      now,
    });
    const base = { merchantId: req.merchant.id, groupId: req.merchant.group_id, now };
    if (result.outcome === 'approved') {
      if (mandate) queueMandateCharged(atomic, mandate.id, now);
      atomic.write(countPayment.compiled(deps.db, { token: card.token }));
      queueEvent(atomic, {
        ...base,
        type: 'charge.succeeded',
        data: {
          charge: row.id,
          amount: row.amount,
          currency: row.currency,
          customer: row.customer,
          mandate: row.mandate_id,
          order: row.order_ref,
          initiator: 'merchant',
        },
      });
    } else {
      queueEvent(atomic, {
        ...base,
        type: 'charge.failed',
        data: { charge: row.id, customer: row.customer, mandate: row.mandate_id, code: result.code, decline_code: result.decline_code, initiator: 'merchant' },
      });
    }
    await req.onRecorded?.(atomic, row);
    return row;
  });
}
