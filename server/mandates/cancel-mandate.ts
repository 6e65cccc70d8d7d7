// Cancelling a mandate (DELETE /v1/mandates/:id): no merchant-initiated charge succeeds on it again,
// the merchant hears of it in the same transaction, and the customer is told after the commit. The
// cancellation takes the customer's charge lease, as a charge does (customer-lease.ts): a charge under
// the mandate that is at the processor is recorded first, and only then is the cancellation answered.
import type { MandateConsent, MandateView } from '../../protocol/api.ts';
import { dayOf } from '../clock.ts';
import type { Deps } from '../context.ts';
import { emitEvent } from '../events/emit-event.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { betweenCustomerCharges } from '../payments/customer-lease.ts';
import { cancelMandateRow, mandateStatus } from './mandate-status.ts';
import { getMandate } from './mandate-store.ts';
import { toMandateView } from './mandate-view.ts';

/** A mandate of the merchant; one already cancelled or ended is answered as it is. */
export async function cancelMandate(deps: Deps, merchant: Merchant, id: string): Promise<MandateView> {
  const first = await getMandate(deps.db, merchant.id, id);
  const before = dayOf(deps.clock());
  if (mandateStatus(first, before) !== 'active') return toMandateView(first, before);
  // The clock is read once the customer's charges are out of the way: the cancellation follows them.
  const { row, cancelled, today } = await betweenCustomerCharges(deps, merchant.group_id, first.customer, () =>
    deps.db.transaction().execute(async (trx) => {
      const now = deps.clock();
      const today = dayOf(now);
      const found = await getMandate(trx, merchant.id, id);
      if (mandateStatus(found, today) !== 'active') return { row: found, cancelled: false, today };
      if (!(await cancelMandateRow(trx, id, now))) return { row: found, cancelled: false, today };
      await emitEvent(trx, {
        merchantId: merchant.id,
        groupId: merchant.group_id,
        type: 'mandate.cancelled',
        now,
        data: { mandate: id, customer: found.customer, card: found.card_token, by: 'merchant' },
      });
      return { row: { ...found, status: 'cancelled' as const, ended_at: now.toISOString() }, cancelled: true, today };
    }),
  );
  if (cancelled) {
    const consent = JSON.parse(row.consent) as MandateConsent;
    await deps.messenger
      .send({
        merchantId: merchant.id,
        groupId: merchant.group_id,
        customer: row.customer,
        template: 'agreement_cancelled',
        data: {
          mandate: row.id,
          merchant: merchant.name,
          last4: consent.last4,
          min_amount: row.min_amount,
          max_amount: row.max_amount,
          end_date: row.end_date,
        },
      })
      .catch((err: Error) => deps.logger.warn({ mandate: row.id, error: err.message }, 'agreement_cancelled message failed'));
  }
  return toMandateView(row, today);
}
