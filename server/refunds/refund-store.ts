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

/** A refund still pending this long was left by its request (longer than PROCESSOR_TIMEOUT_MS: a request still asking is not raced). */
export const STALE_MS = 60_000;
/** A pending refund asked about in vain (the processor unreachable, or refusing) is asked again this much later at the soonest. */
export const RECHECK_MS = 5 * 60_000;
/**
 * How long a pending refund may be asked about again under its reference. Past it the provider may have
 * forgotten the reference (Stripe keeps an idempotency key 24 hours): asked again, it could refund a
 * second time, so such a refund is left as it is.
 */
export const REASK_MS = 23 * 60 * 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Refunds left pending (STALE_MS to REASK_MS old) and not asked about in the last RECHECK_MS: one
 * charge's, one merchant's or every merchant's, at most `limit`, and at most `perMerchant` of each
 * merchant. Each merchant's oldest first and the merchants taking turns, so that one merchant's pile of
 * refunds its processor refuses to answer never keeps another's out of a pass.
 */
export async function abandonedRefunds(
  q: Queryable,
  now: Date,
  of: { chargeId?: string; merchantId?: string } = {},
  { limit = 100, perMerchant }: { limit?: number; perMerchant?: number } = {},
): Promise<RefundTable[]> {
  const t = now.getTime();
  const ranked = q
    .selectFrom('refunds')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<number>('row_number')
        .over((ob) => ob.partitionBy('merchant_id').orderBy('created_at').orderBy('id'))
        .as('turn'),
    )
    // Written out, not a parameter: so SQLite may read the index of pending refunds (0019-refund-lookups.ts).
    .where('status', '=', sql<'pending'>`'pending'`)
    .where('created_at', '>=', iso(t - REASK_MS))
    .where('created_at', '<', iso(t - STALE_MS))
    .where((eb) => eb.or([eb('checked_at', 'is', null), eb('checked_at', '<', iso(t - RECHECK_MS))]))
    .$if(of.chargeId !== undefined, (qb) => qb.where('charge_id', '=', of.chargeId!))
    .$if(of.merchantId !== undefined, (qb) => qb.where('merchant_id', '=', of.merchantId!));
  const rows = await q
    .selectFrom(ranked.as('abandoned'))
    .selectAll()
    .$if(perMerchant !== undefined, (qb) => qb.where('turn', '<=', perMerchant!))
    .orderBy('turn')
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(({ turn: _, ...refund }) => refund as RefundTable);
}

/**
 * Takes the question about a pending refund for this look (one instance, one pass or one request at a
 * time): true when this caller may ask the processor. A look that gets no answer leaves it for RECHECK_MS.
 */
export async function claimRefundCheck(q: Queryable, id: string, now: Date): Promise<boolean> {
  const claimed = await q
    .updateTable('refunds')
    .set({ checked_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('checked_at', 'is', null), eb('checked_at', '<', iso(now.getTime() - RECHECK_MS))]))
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}

/**
 * What a provider's "refund failed" finds among the charge's refunds, in one statement (one snapshot on
 * PostgreSQL, so that a refund settled meanwhile is seen either pending or succeeded, never neither): the
 * succeeded refund the provider names (else the newest), and whether one is still pending and will be
 * settled (within REASK_MS of `now`), its provider id not known yet.
 */
export async function refundsForFailure(
  q: Queryable,
  chargeId: string,
  processorId: string | undefined,
  now: Date,
): Promise<{ succeeded: RefundTable | undefined; settling: boolean }> {
  const rows = await q
    .selectFrom('refunds')
    .selectAll()
    .where('charge_id', '=', chargeId)
    .where((eb) => eb.or([eb('status', '=', 'succeeded'), eb.and([eb('status', '=', 'pending'), eb('created_at', '>=', iso(now.getTime() - REASK_MS))])]))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const succeeded = rows.filter((r) => r.status === 'succeeded');
  return {
    succeeded: processorId ? succeeded.find((r) => r.processor_id === processorId) : succeeded[0],
    settling: rows.some((r) => r.status === 'pending'),
  };
}
