// Mandates: the agreements under which a merchant may charge a saved card without the customer
// present. Created by a recurring checkout (or recorded for an agreement given elsewhere), cancelled
// by the merchant, ended by their end date or by the deletion of their card.
import type { MandateConsent, Recurring } from '../../protocol/api.ts';
import { dayOf } from '../clock.ts';
import type { Db, Queryable } from '../db/database.ts';
import { getOwned } from '../db/owned-rows.ts';
import { prepared } from '../db/prepared-query.ts';
import type { Atomic } from '../db/write-batch.ts';
import type { MandateTable } from '../db/schema.ts';
import type { RowFilter } from '../db/state-machine.ts';
import { emitEvent } from '../events/emit-event.ts';
import { newId } from '../ids.ts';
import { endMandates, endMandatesNamed } from './mandate-status.ts';

// mandateStatus's date rule, as the queries below write it: a mandate stored active is live through its
// end date, and has lapsed (the API shows it ended) from the day after.
function liveOn(today: string): RowFilter<'mandates'> {
  return (eb) => eb.and([eb('status', '=', 'active'), eb('end_date', '>=', today)]);
}
function lapsedBy(today: string): RowFilter<'mandates'> {
  return (eb) => eb.and([eb('status', '=', 'active'), eb('end_date', '<', today)]);
}

export interface NewMandate {
  merchantId: string;
  groupId: string;
  customer: string;
  cardToken: string;
  terms: Recurring;
  /**
   * The currency the customer agreed to: the only one the mandate may be charged in. Null only from a
   * recurring session opened before sessions required one: that mandate allows no charge.
   */
  currency: string | null;
  networkTransactionId: string | null;
  consent: MandateConsent;
  /** The customer-initiated charge that began it counts toward `frequency_days`; a setup does not. */
  lastChargeAt: string | null;
  now: Date;
}

/** Inserts an active mandate and its `mandate.created` event, in the caller's transaction. */
export async function createMandate(q: Queryable, input: NewMandate): Promise<MandateTable> {
  const row: MandateTable = {
    id: newId('mdt'),
    merchant_id: input.merchantId,
    group_id: input.groupId,
    customer: input.customer,
    card_token: input.cardToken,
    min_amount: input.terms.min_amount,
    max_amount: input.terms.max_amount,
    currency: input.currency,
    frequency_days: input.terms.frequency_days,
    end_date: input.terms.end_date,
    status: 'active',
    network_transaction_id: input.networkTransactionId,
    consent: JSON.stringify(input.consent),
    last_charge_at: input.lastChargeAt,
    created_at: input.now.toISOString(),
    ended_at: null,
  };
  await q.insertInto('mandates').values(row).execute();
  await emitEvent(q, {
    merchantId: input.merchantId,
    groupId: input.groupId,
    type: 'mandate.created',
    now: input.now,
    data: {
      mandate: row.id,
      customer: row.customer,
      card: row.card_token,
      min_amount: row.min_amount,
      max_amount: row.max_amount,
      currency: row.currency,
      frequency_days: row.frequency_days,
      end_date: row.end_date,
      source: input.consent.source,
    },
  });
  return row;
}

/**
 * Dates the mandate with its charge, only while the mandate is still active. A cancellation or a card's
 * deletion waits for the customer's charge in flight (they take its lease), but not for ever: past the
 * lease's wait (a charge stuck at the processor), or before the retry that records the charge of a
 * holder that died or lost its lease after the processor answered, one may land between the checks and
 * this record. The charge is then recorded all the same, as succeeded under the mandate it was checked
 * against: the money has moved, and the record is the only trace of it. Refusing the batch instead
 * (expectOne) would keep nothing of it (the charge, its event, the idempotent answer), and every retry
 * with the reference would find the approval at the processor and be refused the same way, for ever.
 * Only the date is left out, so that a cancelled or ended mandate is not shown charged after its end;
 * it allows no charge any more anyway. No row updated is then the expected outcome, not an error.
 */
const dateMandate = prepared((q, a: { id: string; at: string }) =>
  q.updateTable('mandates').set({ last_charge_at: a.at }).where('id', '=', a.id).where('status', '=', 'active'),
);

/** A merchant-initiated charge under the mandate succeeded at `now`: dated as above, one write of the charge's batch (write-batch.ts). */
export function queueMandateCharged(atomic: Atomic, id: string, now: Date): void {
  atomic.write(dateMandate.compiled(atomic.db, { id, at: now.toISOString() }));
}

/** The merchant's mandate, or 404. */
export const getMandate = (q: Queryable, merchantId: string, id: string) => getOwned(q, 'mandates', merchantId, id);

/** A customer's mandates with this merchant, newest first, each with when its card was deleted (null: it was not). */
export async function listMandates(q: Queryable, merchantId: string, customer: string): Promise<(MandateTable & { card_deleted_at: string | null })[]> {
  return q
    .selectFrom('mandates')
    .leftJoin('cards', 'cards.token', 'mandates.card_token')
    .selectAll('mandates')
    .select('cards.deleted_at as card_deleted_at')
    .where('mandates.merchant_id', '=', merchantId)
    .where('mandates.customer', '=', customer)
    .orderBy('mandates.created_at', 'desc')
    .orderBy('mandates.id', 'desc')
    .execute();
}

/** The merchant's stored-active mandates on a card in one currency, newest first (the caller checks their end dates). */
export async function activeMandatesOnCard(
  q: Queryable,
  input: { merchantId: string; customer: string; cardToken: string; currency: string },
): Promise<MandateTable[]> {
  return q
    .selectFrom('mandates')
    .selectAll()
    .where('merchant_id', '=', input.merchantId)
    .where('customer', '=', input.customer)
    .where('card_token', '=', input.cardToken)
    .where('status', '=', 'active')
    .where('currency', '=', input.currency)
    .orderBy('created_at', 'desc')
    .execute();
}

/** The ids of the merchant's mandates stored active whose end date is before `today`. */
export async function lapsedMandateIds(q: Queryable, merchantId: string, today: string): Promise<string[]> {
  const rows = await q.selectFrom('mandates').select('id').where('merchant_id', '=', merchantId).where(lapsedBy(today)).orderBy('id').execute();
  return rows.map((m) => m.id);
}

/**
 * Ends the mandates on a card that are live on the day of its deletion, in the transaction that deletes
 * it, and answers those it ended, each with its merchant (whichever of the group holds it), so that
 * each is told. A mandate that had lapsed by its end date is not ended by the deletion: it
 * keeps the lapse's own treatment (the scheduler's sweep stores it ended), and no one is told of it
 * here. The rows are those this UPDATE moved, so a mandate ended by another path is never among them.
 */
export async function endCardMandates(trx: Queryable, token: string, now: Date): Promise<Pick<MandateTable, 'id' | 'merchant_id'>[]> {
  return endMandatesNamed(trx, (eb) => eb.and([eb('card_token', '=', token), liveOn(dayOf(now))(eb)]), now);
}

/** Which of these cards carry a live mandate (of any merchant of the group): deleting one ends it. */
export async function cardsWithLiveMandates(q: Queryable, tokens: string[], today: string): Promise<Set<string>> {
  if (!tokens.length) return new Set();
  const rows = await q.selectFrom('mandates').select('card_token').where('card_token', 'in', tokens).where(liveOn(today)).execute();
  return new Set(rows.map((row) => row.card_token));
}

/** Stores as ended the active mandates whose end date has passed (every merchant's, or one's). */
export async function endLapsedMandates(db: Db, now: Date, merchantId?: string): Promise<number> {
  return endMandates(db, (eb) => eb.and([lapsedBy(dayOf(now))(eb), ...(merchantId ? [eb('merchant_id', '=', merchantId)] : [])]), now);
}
