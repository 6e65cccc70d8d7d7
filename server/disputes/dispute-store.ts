// Chargebacks a provider told the vault about, one row per provider dispute of a merchant (a unique
// index says so). Their status moves only through dispute-status.ts.
import type { Queryable } from '../db/database.ts';
import type { DisputeTable } from '../db/schema.ts';

/** The merchant's dispute the provider names by this id. */
export async function findDispute(q: Queryable, merchantId: string, processorDisputeId: string): Promise<DisputeTable | undefined> {
  return q.selectFrom('disputes').selectAll().where('merchant_id', '=', merchantId).where('processor_dispute_id', '=', processorDisputeId).executeTakeFirst();
}

/** A new dispute: open, or already closed when its opening was missed (any of the machine's initial statuses). */
export async function insertDispute(q: Queryable, row: DisputeTable): Promise<void> {
  await q.insertInto('disputes').values(row).execute();
}

/**
 * A dispute of the charge that stands in a refund's way: one still open (the issuer decides whether the
 * money goes back) or lost (the cardholder has it back already). A won one does not.
 */
export async function disputeBlockingRefunds(q: Queryable, chargeId: string): Promise<DisputeTable | undefined> {
  return q.selectFrom('disputes').selectAll().where('charge_id', '=', chargeId).where('status', 'in', ['open', 'lost']).executeTakeFirst();
}
