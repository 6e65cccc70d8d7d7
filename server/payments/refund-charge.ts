// Refunds: the amount is reserved and a pending refund written in one transaction before the
// processor is asked, so concurrent refunds never exceed the charge and an unknown outcome is
// settled by asking again under the same reference, never by guessing.
import { amountRefunded, getCharge, releaseRefund, reserveRefund } from '../charges/charge-store.ts';
import type { Deps } from '../context.ts';
import type { ChargeTable, RefundTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import { disputeBlockingRefunds } from '../disputes/dispute-store.ts';
import { emitEvent } from '../events/emit-event.ts';
import { failRefund, succeedRefund } from '../refunds/refund-status.ts';
import { abandonedRefunds, claimRefundCheck, findRefund, findRefundByReference, insertRefund } from '../refunds/refund-store.ts';
import type { Processor } from './processor.ts';
import { processorTakes } from './processor-takes.ts';

/** Refused while the charge's dispute is open or lost: a refund beside a chargeback would pay the cardholder twice. */
async function refuseIfDisputed(deps: Deps, charge: ChargeTable): Promise<void> {
  const disputed = await disputeBlockingRefunds(deps.db, charge.id);
  if (disputed)
    throw new ApiError(
      'parameter_invalid',
      disputed.status === 'open'
        ? 'This charge is disputed: the issuer decides whether the money goes back, and it cannot be refunded meanwhile'
        : 'This charge is disputed and the dispute was lost: the cardholder has the money back already',
      { param: 'id' },
    );
}

/**
 * The shop's processor, when it is the one that took the charge: a refund is never sent to a provider
 * that did not take the payment, and after a change of processor it is refused with nothing written or
 * sent. A charge recorded before charges kept their processor (null) goes to the processor of the moment.
 */
async function chargeProcessor(deps: Deps, charge: ChargeTable): Promise<Processor> {
  const merchant = await deps.merchants.byId(charge.merchant_id);
  if (!merchant) throw new Error('merchant gone');
  const processor = deps.processors.for(merchant);
  if (charge.processor !== null && charge.processor !== processor.type) {
    const name = (type: string) => (type === 'simulated' ? 'the simulated processor' : type);
    const where = charge.processor === 'simulated' ? `${processor.type} cannot refund it (no money moved)` : `refund it in ${charge.processor}'s dashboard`;
    throw new ApiError('parameter_invalid', `This charge was taken through ${name(charge.processor)}; the shop now uses ${name(processor.type)}: ${where}`, {
      param: 'id',
    });
  }
  return processor;
}

async function settle(deps: Deps, charge: ChargeTable, refund: RefundTable): Promise<RefundTable> {
  // Asked again too (a retry, a pass): a refund that never reached the provider would be made now.
  await refuseIfDisputed(deps, charge);
  let outcome: 'succeeded' | 'failed';
  let processorId: string | null = null;
  try {
    // A refund left pending before the shop changed processor is not sent to the new one either.
    const answer = await (await chargeProcessor(deps, charge)).refund({
      reference: refund.processor_ref!,
      processor_id: charge.processor_id ?? charge.processor_ref,
      amount: refund.amount,
      currency: charge.currency,
    });
    outcome = answer.outcome;
    processorId = answer.processor_id ?? null;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    deps.logger.error({ refund: refund.id, error: (err as Error).name }, 'processor refund call failed; the refund stays pending');
    throw new ApiError('processor_unavailable', 'The processor could not be reached; retry with the same Idempotency-Key');
  }
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const moved = await (outcome === 'succeeded' ? succeedRefund : failRefund)(trx, refund.id, processorId);
    // The answer is the row as stored: a request that lost the race to settle it reports the outcome
    // that was recorded, not the one it heard, and either way the answer carries the provider's id.
    const stored = async () => (await findRefund(trx, refund.id)) ?? refund;
    if (!moved) return stored();
    if (outcome === 'failed') {
      await releaseRefund(trx, charge.id, refund.amount);
    } else {
      const refunded = await amountRefunded(trx, charge.id);
      await emitEvent(trx, {
        merchantId: charge.merchant_id,
        groupId: charge.group_id,
        type: 'charge.refunded',
        data: { charge: charge.id, refund: refund.id, amount: refund.amount, amount_refunded: refunded },
        now,
      });
    }
    return stored();
  });
}

/**
 * Settles refunds left pending (refund-store.ts, abandonedRefunds) by asking again under their own
 * reference, as a retry would: otherwise their amount stays reserved, they are never listed and never
 * told. One charge's, before its next refund; or, from the scheduler's pass, one merchant's or every
 * merchant's. Each look is claimed first (one instance at a time); a refund the processor still does
 * not answer, or whose charge is disputed, waits for a later look. Answers how many were settled.
 *
 * `perMerchant` and `budgetMs` bound a scheduler pass: a processor that hangs costs up to
 * PROCESSOR_TIMEOUT_MS a refund, and the pass's next run (invoices included) waits for this one.
 */
export async function settleAbandonedRefunds(
  deps: Deps,
  of: { chargeId?: string; merchantId?: string } = {},
  bounds: { perMerchant?: number; budgetMs?: number } = {},
): Promise<number> {
  const until = bounds.budgetMs === undefined ? Infinity : Date.now() + bounds.budgetMs;
  let settled = 0;
  for (const refund of await abandonedRefunds(deps.db, deps.clock(), of, { perMerchant: bounds.perMerchant })) {
    // The rest wait for the next pass, unclaimed.
    if (Date.now() >= until) break;
    if (!(await claimRefundCheck(deps.db, refund.id, deps.clock()))) continue;
    try {
      await settle(deps, await getCharge(deps.db, refund.merchant_id, refund.charge_id), refund);
      settled++;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  return settled;
}

export async function refundCharge(deps: Deps, given: ChargeTable, amount: number | undefined, idempotencyKey: string | undefined): Promise<RefundTable> {
  const reference = idempotencyKey ? `refund:${given.merchant_id}:${idempotencyKey}` : newId('re');
  if (idempotencyKey) {
    // A retry of a refund whose outcome was unknown: ask again under the same reference.
    const earlier = await findRefundByReference(deps.db, reference);
    // Within the key's 24 hours, which began before the provider first heard the reference.
    if (earlier) return earlier.status === 'pending' ? settle(deps, given, earlier) : earlier;
  }
  // Taken through another processor than the shop's now: refused before anything is written or sent.
  const processor = await chargeProcessor(deps, given);
  // What is left to refund counts the refunds abandoned pending only once they are settled.
  const charge = (await settleAbandonedRefunds(deps, { chargeId: given.id })) > 0 ? await getCharge(deps.db, given.merchant_id, given.id) : given;
  if (charge.status !== 'succeeded') throw new ApiError('parameter_invalid', 'Only a succeeded charge can be refunded', { param: 'id' });
  // Before anything is reserved. Stripe and Adyen refuse such a refund themselves; the simulated
  // processor or a forwarding provider might not.
  await refuseIfDisputed(deps, charge);
  const rest = charge.amount - charge.amount_refunded;
  const value = amount ?? rest;
  if (rest === 0) throw new ApiError('parameter_invalid', 'This charge is already fully refunded', { param: 'amount' });
  if (value > rest) throw new ApiError('parameter_invalid', `amount must not exceed what is left to refund (${rest})`, { param: 'amount' });
  processorTakes(processor, value, charge.currency);
  const refund: RefundTable = {
    id: newId('re'),
    charge_id: charge.id,
    merchant_id: charge.merchant_id,
    amount: value,
    status: 'pending',
    processor_ref: reference,
    created_at: deps.clock().toISOString(),
    processor_id: null,
    failure_reason: null,
    checked_at: null,
  };
  await deps.db.transaction().execute(async (trx) => {
    // The amount is reserved atomically: concurrent refunds cannot exceed the charge.
    if (!(await reserveRefund(trx, charge.id, value))) throw new ApiError('parameter_invalid', 'amount exceeds what is left to refund', { param: 'amount' });
    await insertRefund(trx, refund);
  });
  return settle(deps, charge, refund);
}
