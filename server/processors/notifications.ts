// What a provider's own notification changes: a refund that failed after it was accepted gives the
// amount back to the charge, a chargeback opens or closes a dispute. Each notification is handled once
// (its provider id is remembered in the same transaction as its effect) and raises the vault's event.
import { findChargeByProcessorId, releaseRefund } from '../charges/charge-store.ts';
import type { Deps } from '../context.ts';
import type { DisputeTable } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { emitEvent } from '../events/emit-event.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import type { ProcessorNotification } from '../payments/processor.ts';
import { reverseRefund } from '../refunds/refund-status.ts';
import { refundsForFailure } from '../refunds/refund-store.ts';
import { closeDispute } from '../disputes/dispute-status.ts';
import { findDispute, insertDispute } from '../disputes/dispute-store.ts';

/** Thrown inside the transaction so that it rolls back: the notification is not remembered as handled. */
class NotYet extends Error {}

/**
 * `not_yet`: the notification cannot be matched yet and is not remembered, so the caller refuses it and
 * the provider delivers it again later.
 */
export async function applyNotification(
  deps: Deps,
  merchant: Merchant,
  n: ProcessorNotification,
): Promise<'applied' | 'duplicate' | 'unknown_payment' | 'not_yet'> {
  try {
    return await apply(deps, merchant, n);
  } catch (err) {
    if (err instanceof NotYet) return 'not_yet';
    throw err;
  }
}

async function apply(deps: Deps, merchant: Merchant, n: ProcessorNotification): Promise<'applied' | 'duplicate' | 'unknown_payment'> {
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const fresh = await trx
      .insertInto('processor_notifications')
      .values({ merchant_id: merchant.id, id: n.id, received_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['merchant_id', 'id']).doNothing())
      .executeTakeFirst();
    if (Number(fresh.numInsertedOrUpdatedRows) !== 1) return 'duplicate';
    // Only this merchant's own charges: a notification names a payment, never another shop's.
    const charge = await findChargeByProcessorId(trx, merchant.id, n.payment);
    if (!charge) return 'unknown_payment';
    const base = { merchantId: merchant.id, groupId: charge.group_id, now };

    if (n.kind === 'refund_failed') {
      const { succeeded: refund, settling } = await refundsForFailure(trx, charge.id, n.refund, now);
      if (!refund) {
        // A refund of this charge still pending may be the one that failed: its answer was lost (or is
        // being recorded), so the vault does not know its provider id yet, and a retry will settle it
        // succeeded from the provider's replayed first answer (or the scheduler's pass will). Remembered
        // now, this failure would be lost and the merchant told the money went back: it is refused, and
        // delivered again later.
        if (settling) throw new NotYet();
        return 'unknown_payment';
      }
      if (!(await reverseRefund(trx, refund.id, n.reason ?? null))) return 'duplicate';
      // The money did not go back: it may be refunded again.
      await releaseRefund(trx, charge.id, refund.amount);
      await emitEvent(trx, {
        ...base,
        type: 'charge.refund_failed',
        data: { charge: charge.id, refund: refund.id, amount: refund.amount, reason: n.reason ?? null },
      });
      return 'applied';
    }

    if (n.kind === 'dispute_opened') {
      // Known already, open or closed: a dispute never reopens. Recorded by another delivery at the same
      // moment (the provider's notice and its chargeback): the insert finds it and records nothing.
      if (await findDispute(trx, merchant.id, n.dispute)) return 'duplicate';
      const id = newId('dp');
      const recorded = await insertDispute(trx, {
        id,
        merchant_id: merchant.id,
        charge_id: charge.id,
        processor_dispute_id: n.dispute,
        status: 'open',
        amount: n.amount,
        currency: n.currency.toUpperCase(),
        reason: n.reason ?? null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        outcome_at: null,
      });
      if (!recorded) return 'duplicate';
      await emitEvent(trx, {
        ...base,
        type: 'charge.dispute.created',
        data: { charge: charge.id, dispute: id, amount: n.amount, currency: n.currency.toUpperCase(), reason: n.reason ?? null },
      });
      return 'applied';
    }

    // A dispute closed: known from its opening, or first heard of now (the opening was missed, or is
    // being recorded by another delivery at this moment: then it is closed as if it had come first).
    let dispute = await findDispute(trx, merchant.id, n.dispute);
    const missed: DisputeTable | undefined = dispute
      ? undefined
      : {
          id: newId('dp'),
          merchant_id: merchant.id,
          charge_id: charge.id,
          processor_dispute_id: n.dispute,
          status: n.outcome,
          amount: charge.amount,
          currency: charge.currency,
          reason: n.reason ?? null,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
          outcome_at: n.at ?? null,
        };
    if (missed && (await insertDispute(trx, missed))) dispute = missed;
    else {
      dispute ??= await findDispute(trx, merchant.id, n.dispute);
      // A closing names the dispute's own payment: one naming another charge of the shop changes nothing.
      if (!dispute || dispute.charge_id !== charge.id) return 'unknown_payment';
      if (!(await closeDispute(trx, dispute.id, n.outcome, now, n.at))) {
        // It had this outcome already (the provider said so again under another id), or a later closing
        // was applied before this one arrived: the merchant was told what stands.
        return 'duplicate';
      }
    }
    await emitEvent(trx, { ...base, type: 'charge.dispute.closed', data: { charge: charge.id, dispute: dispute.id, status: n.outcome } });
    return 'applied';
  });
}
