// Refunds of a charge: written pending before the processor is asked (under a reference a retry
// reuses), then settled through refund-status.ts.
import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import type { RefundTable } from '../db/schema.ts';

/** The refund written under this processor reference: a retry of one whose outcome was unknown. */
export async function findRefundByReference(q: Queryable, reference: string): Promise<RefundTable | undefined> {
  return q.selectFrom('refunds').selectAll().where('processor_ref', '=', reference).executeTakeFirst();
}

/** The refund as it is stored now. */
export async function findRefund(q: Queryable, id: string): Promise<RefundTable | undefined> {
  return q.selectFrom('refunds').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertRefund(q: Queryable, row: RefundTable): Promise<void> {
  await q.insertInto('refunds').values(row).execute();
}

/** The charge's settled refunds, oldest first (a pending one is still being asked of the processor). */
export async function listRefunds(q: Queryable, chargeId: string): Promise<RefundTable[]> {
  return q.selectFrom('refunds').selectAll().where('charge_id', '=', chargeId).where('status', '!=', 'pending').orderBy('created_at').orderBy('id').execute();
}

/**
 * How long a pending refund may be asked about again under its reference. Past it the provider may have
 * forgotten the reference (Stripe keeps an idempotency key 24 hours): asked again, it could refund a
 * second time, so such a refund is left as it is.
 */
export const REASK_MS = 23 * 60 * 60_000;

/** Refunds still pending that were written within [since, before): one charge's, one merchant's or all; oldest first. */
export async function listPendingRefunds(
  q: Queryable,
  since: string,
  before: string,
  of: { chargeId?: string; merchantId?: string } = {},
  limit = 100,
): Promise<RefundTable[]> {
  return (
    q
      .selectFrom('refunds')
      .selectAll()
      // Written out, not a parameter: so SQLite may read the index of pending refunds (0019-refund-lookups.ts).
      .where('status', '=', sql<'pending'>`'pending'`)
      .where('created_at', '>=', since)
      .where('created_at', '<', before)
      .$if(of.chargeId !== undefined, (qb) => qb.where('charge_id', '=', of.chargeId!))
      .$if(of.merchantId !== undefined, (qb) => qb.where('merchant_id', '=', of.merchantId!))
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute()
  );
}

/**
 * Whether a refund of the charge is still waiting for the processor's answer (so its provider id is not
 * known yet) and will be settled: one within REASK_MS of `now`.
 */
export async function hasSettleablePendingRefund(q: Queryable, chargeId: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - REASK_MS).toISOString();
  const row = await q
    .selectFrom('refunds')
    .select('id')
    .where('charge_id', '=', chargeId)
    .where('status', '=', 'pending')
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return row !== undefined;
}

/** A succeeded refund of the charge: the one the provider names, else the newest. */
export async function findSucceededRefund(q: Queryable, chargeId: string, processorId: string | undefined): Promise<RefundTable | undefined> {
  const refunds = q.selectFrom('refunds').selectAll().where('charge_id', '=', chargeId).where('status', '=', 'succeeded');
  return (processorId ? refunds.where('processor_id', '=', processorId) : refunds.orderBy('created_at', 'desc')).executeTakeFirst();
}
