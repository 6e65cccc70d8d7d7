// Mandates: the agreements under which a merchant may charge a saved card without the customer
// present. Created by a recurring checkout (or recorded for an agreement given elsewhere), cancelled
// by the merchant, ended by their end date or by the deletion of their card.
import type { Transaction } from 'kysely';
import type { MandateConsent, MandateView, Recurring } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { Db } from '../db/database.ts';
import type { Database, MandateStatus, MandateTable } from '../db/schema.ts';
import { notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { emitEvent } from '../jobs/events.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { cancelMandateRow, endMandates } from '../state/mandate-status.ts';

type Q = Db | Transaction<Database>;

/** The UTC calendar date of a time: end dates and frequencies count in days. */
export const dayOf = (time: Date | string) => (typeof time === 'string' ? time : time.toISOString()).slice(0, 10);

/** Whole calendar days from one date (YYYY-MM-DD or ISO time) to another. */
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${dayOf(to)}T00:00:00Z`) - Date.parse(`${dayOf(from)}T00:00:00Z`)) / 86_400_000);

export type { MandateStatus };

/** The status as it stands today: an active mandate past its end date, or on a deleted card, has ended. */
export function mandateStatus(row: Pick<MandateTable, 'status' | 'end_date'>, today: string, cardDeleted = false): MandateStatus {
  if (row.status !== 'active') return row.status;
  return today > row.end_date || cardDeleted ? 'ended' : 'active';
}

export function toMandateView(row: MandateTable, today: string, cardDeleted = false): MandateView {
  return {
    id: row.id,
    customer: row.customer,
    card: row.card_token,
    min_amount: row.min_amount,
    max_amount: row.max_amount,
    currency: row.currency,
    frequency_days: row.frequency_days,
    end_date: row.end_date,
    status: mandateStatus(row, today, cardDeleted),
    last_charge_at: row.last_charge_at,
    created_at: row.created_at,
    consent: JSON.parse(row.consent) as MandateConsent,
  };
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
export async function createMandate(q: Q, input: NewMandate): Promise<MandateTable> {
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
    merchantId: input.merchantId, groupId: input.groupId, type: 'mandate.created', now: input.now,
    data: { mandate: row.id, customer: row.customer, card: row.card_token, min_amount: row.min_amount, max_amount: row.max_amount, currency: row.currency, frequency_days: row.frequency_days, end_date: row.end_date, source: input.consent.source },
  });
  return row;
}

/** A customer's mandates with this merchant, newest first, with the status each has today. */
export async function listMandates(q: Q, merchantId: string, customer: string, today: string): Promise<MandateView[]> {
  const rows = await q.selectFrom('mandates')
    .leftJoin('cards', 'cards.token', 'mandates.card_token')
    .selectAll('mandates').select('cards.deleted_at as card_deleted_at')
    .where('mandates.merchant_id', '=', merchantId).where('mandates.customer', '=', customer)
    .orderBy('mandates.created_at', 'desc').orderBy('mandates.id', 'desc')
    .execute();
  return rows.map(({ card_deleted_at, ...row }) => toMandateView(row, today, card_deleted_at != null));
}

/**
 * Cancels a mandate of the merchant's group: no merchant-initiated charge succeeds on it again. A
 * mandate already cancelled or ended is answered as it is. The customer is told after the commit.
 */
export async function cancelMandate(deps: Deps, merchant: Merchant, id: string): Promise<MandateView> {
  const now = deps.clock();
  const today = dayOf(now);
  const { row, cancelled } = await deps.db.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('mandates').selectAll().where('id', '=', id).where('merchant_id', '=', merchant.id).executeTakeFirst();
    if (!found) throw notFound('mandate', 'id');
    if (mandateStatus(found, today) !== 'active') return { row: found, cancelled: false };
    if (!(await cancelMandateRow(trx, id, now))) return { row: found, cancelled: false };
    await emitEvent(trx, { merchantId: merchant.id, groupId: merchant.group_id, type: 'mandate.cancelled', now, data: { mandate: id, customer: found.customer, card: found.card_token, by: 'merchant' } });
    return { row: { ...found, status: 'cancelled' as const, ended_at: now.toISOString() }, cancelled: true };
  });
  if (cancelled) {
    const consent = JSON.parse(row.consent) as MandateConsent;
    await deps.messenger.send({
      merchantId: merchant.id, groupId: merchant.group_id, customer: row.customer, template: 'agreement_cancelled',
      data: { mandate: row.id, merchant: merchant.name, last4: consent.last4, min_amount: row.min_amount, max_amount: row.max_amount, end_date: row.end_date },
    }).catch((err: Error) => deps.logger.warn({ mandate: row.id, error: err.message }, 'agreement_cancelled message failed'));
  }
  return toMandateView(row, today);
}

/** Ends every active mandate on a card, in the transaction that deletes it. */
export async function endCardMandates(trx: Q, token: string, now: Date): Promise<number> {
  return endMandates(trx, (eb) => eb('card_token', '=', token), now);
}

/** Stores as ended the active mandates whose end date has passed (every merchant's, or one's). */
export async function endLapsedMandates(db: Db, now: Date, merchantId?: string): Promise<number> {
  return endMandates(db, (eb) => eb.and([eb('end_date', '<', dayOf(now)), ...(merchantId ? [eb('merchant_id', '=', merchantId)] : [])]), now);
}
