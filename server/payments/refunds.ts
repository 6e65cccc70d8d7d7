// Refunds: the amount is reserved and a pending refund written in one transaction before the
// processor is asked, so concurrent refunds never exceed the charge and an unknown outcome is
// settled by asking again under the same reference, never by guessing.
import type { RefundView } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { ChargeTable, RefundTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import { emitEvent } from '../jobs/events.ts';
import { failRefund, succeedRefund } from '../state/refund-status.ts';

export function toRefundView(row: RefundTable, currency: string): RefundView {
  return { id: row.id, charge: row.charge_id, amount: row.amount, currency, status: row.status === 'succeeded' ? 'succeeded' : 'failed', created: row.created_at };
}

async function settle(deps: Deps, charge: ChargeTable, refund: RefundTable): Promise<RefundTable> {
  let outcome: 'succeeded' | 'failed';
  let processorId: string | null = null;
  try {
    const merchant = await deps.merchants.byId(charge.merchant_id);
    if (!merchant) throw new Error('merchant gone');
    const answer = await deps.processors.for(merchant).refund({
      reference: refund.processor_ref!, processor_id: charge.processor_id ?? charge.processor_ref, amount: refund.amount, currency: charge.currency,
    });
    outcome = answer.outcome;
    processorId = answer.processor_id ?? null;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    deps.logger.error({ refund: refund.id, error: (err as Error).name }, 'processor refund call failed; the refund stays pending');
    throw new ApiError('processor_unavailable', 'The processor could not be reached; retry with the same Idempotency-Key');
  }
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const moved = await (outcome === 'succeeded' ? succeedRefund : failRefund)(trx, refund.id, processorId);
    if (!moved) return;
    if (outcome === 'failed') {
      await trx.updateTable('charges').set((eb) => ({ amount_refunded: eb('amount_refunded', '-', refund.amount) })).where('id', '=', charge.id).execute();
    } else {
      const after = await trx.selectFrom('charges').select('amount_refunded').where('id', '=', charge.id).executeTakeFirstOrThrow();
      await emitEvent(trx, { merchantId: charge.merchant_id, groupId: charge.group_id, type: 'charge.refunded', data: { charge: charge.id, refund: refund.id, amount: refund.amount, amount_refunded: after.amount_refunded }, now });
    }
  });
  return { ...refund, status: outcome };
}

export async function refundCharge(deps: Deps, charge: ChargeTable, amount: number | undefined, idempotencyKey: string | undefined): Promise<RefundTable> {
  const reference = idempotencyKey ? `refund:${charge.merchant_id}:${idempotencyKey}` : newId('re');
  if (idempotencyKey) {
    // A retry of a refund whose outcome was unknown: ask again under the same reference.
    const earlier = await deps.db.selectFrom('refunds').selectAll().where('processor_ref', '=', reference).executeTakeFirst();
    if (earlier) return earlier.status === 'pending' ? settle(deps, charge, earlier) : earlier;
  }
  if (charge.status !== 'succeeded') throw new ApiError('parameter_invalid', 'Only a succeeded charge can be refunded', { param: 'id' });
  const rest = charge.amount - charge.amount_refunded;
  const value = amount ?? rest;
  if (rest === 0) throw new ApiError('parameter_invalid', 'This charge is already fully refunded', { param: 'amount' });
  if (value > rest) throw new ApiError('parameter_invalid', `amount must not exceed what is left to refund (${rest})`, { param: 'amount' });
  const refund: RefundTable = { id: newId('re'), charge_id: charge.id, merchant_id: charge.merchant_id, amount: value, status: 'pending', processor_ref: reference, created_at: deps.clock().toISOString() };
  await deps.db.transaction().execute(async (trx) => {
    // The conditional update reserves the amount atomically: concurrent refunds cannot exceed the charge.
    const reserved = await trx.updateTable('charges').set((eb) => ({ amount_refunded: eb('amount_refunded', '+', value) }))
      .where('id', '=', charge.id).where((eb) => eb(eb('amount_refunded', '+', value), '<=', eb.ref('amount'))).executeTakeFirst();
    if (Number(reserved.numUpdatedRows) !== 1) throw new ApiError('parameter_invalid', 'amount exceeds what is left to refund', { param: 'amount' });
    await trx.insertInto('refunds').values(refund).execute();
  });
  return settle(deps, charge, refund);
}
