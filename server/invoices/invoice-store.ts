// Invoices: opened by the merchant, paid by the scheduler from the customer's default card before they
// are due (jobs/scheduler.ts), at most one attempt a day whatever the number of vault instances.
import type { z } from 'zod';
import type { InvoiceCreate } from '../../protocol/api.ts';
import { addDays, dayOf } from '../clock.ts';
import type { Db, Queryable } from '../db/database.ts';
import { listPage, type PageQuery } from '../db/list-page.ts';
import { getOwned } from '../db/owned-rows.ts';
import type { InvoiceTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Merchant } from '../merchants/merchant-store.ts';

/** Opens an invoice due on a date not in the past. */
export async function createInvoice(db: Db, merchant: Merchant, body: z.output<typeof InvoiceCreate>, now: Date): Promise<InvoiceTable> {
  if (body.due_date < dayOf(now)) throw new ApiError('parameter_invalid', 'due_date must not be in the past', { param: 'due_date' });
  const row: InvoiceTable = {
    id: newId('inv'),
    merchant_id: merchant.id,
    group_id: merchant.group_id,
    customer: body.customer,
    amount: body.amount,
    currency: body.currency,
    due_date: body.due_date,
    description: body.description ?? null,
    auto_pay: body.auto_pay ? 1 : 0,
    status: 'open',
    last_attempt_on: null,
    pending_ref: null,
    pending_card: null,
    pending_checked_on: null,
    attempts: 0,
    charge_id: null,
    failure_code: null,
    decline_code: null,
    created_at: now.toISOString(),
    paid_at: null,
  };
  await db.insertInto('invoices').values(row).execute();
  return row;
}

/** The merchant's invoice, or 404. */
export const getInvoice = (q: Queryable, merchantId: string, id: string) => getOwned(q, 'invoices', merchantId, id);

/** The merchant's invoices, newest first, optionally one customer's. */
export const listInvoices = (db: Db, merchantId: string, page: PageQuery & { customer?: string }) =>
  listPage(db, 'invoices', { merchantId, limit: page.limit, startingAfter: page.startingAfter, filter: { customer: page.customer } });

/** Open auto-pay invoices due within `horizonDays` that no pass has tried today (the merchant's own, or all), soonest first. */
export async function untriedAutoPayInvoices(q: Queryable, today: string, horizonDays: number, merchantId?: string): Promise<InvoiceTable[]> {
  let due = q
    .selectFrom('invoices')
    .selectAll()
    .where('status', '=', 'open')
    .where('auto_pay', '=', 1)
    .where('due_date', '>=', today)
    .where('due_date', '<=', addDays(today, horizonDays))
    .where((eb) => eb.or([eb('last_attempt_on', 'is', null), eb('last_attempt_on', '<', today)]));
  if (merchantId) due = due.where('merchant_id', '=', merchantId);
  return due.orderBy('due_date').orderBy('id').execute();
}

/** The merchant's open invoices due soonest, overdue ones first (the dashboard's upcoming payments). */
export function openInvoicesDueSoonest(q: Queryable, merchantId: string, limit: number): Promise<InvoiceTable[]> {
  return q
    .selectFrom('invoices')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'open')
    .orderBy('due_date')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The ids of the merchant's open invoices due before `today` (those a pass marks past due). */
export async function overdueInvoiceIds(q: Queryable, merchantId: string, today: string): Promise<string[]> {
  const rows = await q
    .selectFrom('invoices')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'open')
    .where('due_date', '<', today)
    .orderBy('id')
    .execute();
  return rows.map((i) => i.id);
}

/** A day's attempt at an invoice: the processor reference it charges under, and whether an earlier day's attempt left it. */
export interface InvoiceAttempt {
  /** The day claimed. */
  day: string;
  reference: string;
  /** The reference of an earlier attempt whose outcome was never recorded, taken up instead of a new one. */
  resumed: boolean;
  /** The card the attempt under `reference` charges (a resumed one: the card it charged then; null: not known). */
  card: string | null;
}

/**
 * Claims today's attempt at an open invoice in one conditional UPDATE: only the instance whose update
 * changed the row charges, so two schedulers never charge one invoice twice in a day. The attempt
 * charges under `fresh`, today's reference, unless an earlier attempt's outcome is still unrecorded
 * (it may be at the processor right now, for a pass that began before midnight, or its answer was
 * lost): then under that attempt's own reference, which the processor answers with that attempt's
 * result instead of charging again.
 */
export async function claimInvoiceDay(
  q: Queryable,
  id: string,
  today: string,
  fresh: { reference: string; card: string | null },
): Promise<InvoiceAttempt | undefined> {
  const claimed = await q
    .updateTable('invoices')
    .set((eb) => ({
      last_attempt_on: today,
      attempts: eb('attempts', '+', 1),
      failure_code: null,
      decline_code: null,
      pending_ref: eb.fn.coalesce('pending_ref', eb.val(fresh.reference)),
      pending_card: eb.case().when('pending_ref', 'is', null).then(eb.val(fresh.card)).else(eb.ref('pending_card')).end(),
    }))
    .where('id', '=', id)
    .where('status', '=', 'open')
    .where((eb) => eb.or([eb('last_attempt_on', 'is', null), eb('last_attempt_on', '<', today)]))
    .returning(['pending_ref', 'pending_card'])
    .executeTakeFirst();
  if (!claimed?.pending_ref) return undefined;
  return { day: today, reference: claimed.pending_ref, resumed: claimed.pending_ref !== fresh.reference, card: claimed.pending_card };
}

/**
 * Gives today's claim back (no charge started): the invoice reads as it did before the claim. A
 * reference taken up from an earlier day stays pending; today's own is forgotten, as nothing was sent.
 */
export async function releaseInvoiceDay(q: Queryable, invoice: InvoiceTable, today: string, attempt: InvoiceAttempt): Promise<void> {
  await q
    .updateTable('invoices')
    .set((eb) => ({
      last_attempt_on: invoice.last_attempt_on,
      attempts: eb('attempts', '-', 1),
      failure_code: invoice.failure_code,
      decline_code: invoice.decline_code,
      ...(attempt.resumed ? {} : { pending_ref: null }),
    }))
    .where('id', '=', invoice.id)
    .where('status', '=', 'open')
    .where('last_attempt_on', '=', today)
    .execute();
}

/**
 * Records why an attempt failed (its code, and a decline's own code), on an invoice not paid meanwhile; `settled` names a reference whose
 * outcome is now known (a charge recorded under it, or one never sent), which is no longer pending.
 * With `claimedOn`, only while that day's claim is still the invoice's last: a pass after midnight may
 * have taken the reference up since, and be charging under it. False when nothing was noted: then
 * there is no failure to announce.
 */
export async function noteInvoiceFailure(
  q: Queryable,
  id: string,
  failure: { code: string | null; declineCode: string | null },
  settled?: string,
  claimedOn?: string,
): Promise<boolean> {
  const noted = await q
    .updateTable('invoices')
    .set((eb) => ({
      failure_code: failure.code,
      decline_code: failure.declineCode,
      ...(settled ? { pending_ref: eb.case().when('pending_ref', '=', settled).then(null).else(eb.ref('pending_ref')).end() } : {}),
    }))
    .where('id', '=', id)
    .where('status', '!=', 'paid')
    .where((eb) => (claimedOn ? eb('last_attempt_on', '=', claimedOn) : eb.lit(true)))
    .executeTakeFirst();
  return Number(noted.numUpdatedRows) === 1;
}

/**
 * Past-due invoices whose last attempt's outcome was never recorded (pending_ref), not looked at today:
 * a pass no longer charges them, but asks the processor what became of that attempt.
 */
export async function pastDueWithPendingRef(q: Queryable, today: string, merchantId?: string): Promise<InvoiceTable[]> {
  let rows = q
    .selectFrom('invoices')
    .selectAll()
    .where('status', '=', 'past_due')
    .where('pending_ref', 'is not', null)
    .where((eb) => eb.or([eb('pending_checked_on', 'is', null), eb('pending_checked_on', '<', today)]));
  if (merchantId) rows = rows.where('merchant_id', '=', merchantId);
  return rows.orderBy('due_date').orderBy('id').execute();
}

/**
 * Claims today's look at a past-due invoice's pending reference (one instance a day); the reference and
 * the card its attempt charged, or undefined. A look is not a payment attempt: last_attempt_on keeps the day of the attempt it asks about.
 */
export async function claimPendingDay(q: Queryable, id: string, today: string): Promise<{ reference: string; card: string | null } | undefined> {
  const claimed = await q
    .updateTable('invoices')
    .set({ pending_checked_on: today })
    .where('id', '=', id)
    .where('status', '=', 'past_due')
    .where('pending_ref', 'is not', null)
    .where((eb) => eb.or([eb('pending_checked_on', 'is', null), eb('pending_checked_on', '<', today)]))
    .returning(['pending_ref', 'pending_card'])
    .executeTakeFirst();
  return claimed?.pending_ref ? { reference: claimed.pending_ref, card: claimed.pending_card } : undefined;
}

/**
 * Today's claimed attempt took up an earlier reference that the processor has now ended having taken
 * nothing: today's attempt charges under its own reference and card instead. Undefined when the invoice
 * moved on meanwhile (another pass, a payment).
 */
export async function restartInvoiceAttempt(
  q: Queryable,
  id: string,
  attempt: InvoiceAttempt,
  fresh: { reference: string; card: string | null },
): Promise<InvoiceAttempt | undefined> {
  const moved = await q
    .updateTable('invoices')
    .set({ pending_ref: fresh.reference, pending_card: fresh.card })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .where('pending_ref', '=', attempt.reference)
    .where('last_attempt_on', '=', attempt.day)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1 ? { day: attempt.day, reference: fresh.reference, resumed: false, card: fresh.card } : undefined;
}

/** The processor ended the attempt under `reference` having taken nothing: it is no longer pending. */
export async function forgetPendingRef(q: Queryable, id: string, reference: string): Promise<void> {
  await q.updateTable('invoices').set({ pending_ref: null }).where('id', '=', id).where('pending_ref', '=', reference).execute();
}
