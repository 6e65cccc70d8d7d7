// Chargebacks a provider told the vault about, one row per provider dispute of a merchant (a unique
// index says so). Their status moves only through dispute-status.ts.
import type { Queryable } from '../db/database.ts';
import type { DisputeTable } from '../db/schema.ts';

/** The merchant's dispute the provider names by this id. */
export async function findDispute(q: Queryable, merchantId: string, processorDisputeId: string): Promise<DisputeTable | undefined> {
  return q.selectFrom('disputes').selectAll().where('merchant_id', '=', merchantId).where('processor_dispute_id', '=', processorDisputeId).executeTakeFirst();
}

/**
 * A new dispute: open, or already closed when its opening was missed (any of the machine's initial statuses).
 * False when the provider's dispute is known already: another delivery about it recorded it meanwhile
 * (on PostgreSQL this waits for that delivery's commit rather than failing on the unique index).
 */
export async function insertDispute(q: Queryable, row: DisputeTable): Promise<boolean> {
  const done = await q
    .insertInto('disputes')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'processor_dispute_id']).doNothing())
    .executeTakeFirst();
  return Number(done.numInsertedOrUpdatedRows) === 1;
}

/**
 * A dispute of the charge that stands in a refund's way: one still open (the issuer decides whether the
 * money goes back) or lost (the cardholder has it back already). A won one does not.
 */
export async function disputeBlockingRefunds(q: Queryable, chargeId: string): Promise<DisputeTable | undefined> {
  return q.selectFrom('disputes').selectAll().where('charge_id', '=', chargeId).where('status', 'in', ['open', 'lost']).executeTakeFirst();
}
