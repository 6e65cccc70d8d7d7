// The ledger of charges: recording a processor's answer, reading it back, and the customer limits.
import { DAY_MS, startOfDay } from '../clock.ts';
import type { Queryable } from '../db/database.ts';
import { columnsOf, prepared } from '../db/prepared-query.ts';
import { getOwned } from '../db/owned-rows.ts';
import type { ChargeTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Atomic } from '../db/write-batch.ts';
import type { AuthorizeResult, Initiator, ProcessorType } from '../payments/processor.ts';
import { amountUnderWay } from '../sessions/session-store.ts';
import { REDIRECT_STALE_MS } from '../payments/settle-attempt.ts';

export interface ChargeInput {
  merchantId: string;
  groupId: string;
  customer: string | null;
  cardToken: string | null;
  cardMasked: { brand: string; bin?: string; last4: string; exp_month: number; exp_year: number };
  amount: number;
  currency: string;
  order: string | null;
  initiator: Initiator;
  mandateId: string | null;
  sessionId: string | null;
  processorRef: string;
  /** The type of the processor that gave `result`: the charge's refunds go to that processor only. */
  processor: ProcessorType;
  result: Extract<AuthorizeResult, { outcome: 'approved' | 'declined' }>;
  now: Date;
}

/** Records a charge at once; without `processor`, one whose processor is not known (as before migration 0022). */
export async function recordCharge(q: Queryable, input: Omit<ChargeInput, 'processor'> & { processor?: ProcessorType }): Promise<ChargeTable> {
  const row = chargeRow(input);
  await insertCharge(q, row);
  return row;
}

/** The same, as one write of the caller's batch (write-batch.ts). */
export function queueCharge(atomic: Atomic, input: ChargeInput): ChargeTable {
  const row = chargeRow(input);
  atomic.write(insertCharge.compiled(atomic.db, row));
  return row;
}

function chargeRow(input: Omit<ChargeInput, 'processor'> & { processor?: ProcessorType }): ChargeTable {
  const approved = input.result.outcome === 'approved';
  return {
    id: newId('ch'),
    merchant_id: input.merchantId,
    group_id: input.groupId,
    customer: input.customer,
    card_token: input.cardToken,
    card_masked: JSON.stringify(input.cardMasked),
    amount: input.amount,
    currency: input.currency,
    order_ref: input.order,
    initiator: input.initiator,
    mandate_id: input.mandateId,
    session_id: input.sessionId,
    status: approved ? 'succeeded' : 'failed',
    network_transaction_id: input.result.outcome === 'approved' ? input.result.network_transaction_id : null,
    failure_code: input.result.outcome === 'declined' ? input.result.code : null,
    failure_message: input.result.outcome === 'declined' ? input.result.message : null,
    decline_code: input.result.outcome === 'declined' ? (input.result.decline_code ?? null) : null,
    amount_refunded: 0,
    processor_ref: input.processorRef,
    created_at: input.now.toISOString(),
    processor_id: input.result.processor_id,
    processor_response: input.result.outcome === 'declined' && input.result.processor_response ? JSON.stringify(input.result.processor_response) : null,
    processor: input.processor ?? null,
  };
}

const CHARGE_COLUMNS = [
  'id',
  'merchant_id',
  'group_id',
  'customer',
  'card_token',
  'card_masked',
  'amount',
  'currency',
  'order_ref',
  'initiator',
  'mandate_id',
  'session_id',
  'status',
  'network_transaction_id',
  'failure_code',
  'failure_message',
  'decline_code',
  'amount_refunded',
  'processor_ref',
  'created_at',
  'processor_id',
  'processor_response',
  'processor',
] as const satisfies readonly (keyof ChargeTable)[];
const insertCharge = prepared((q, row: ChargeTable) => q.insertInto('charges').values(columnsOf(row, CHARGE_COLUMNS)));

/**
 * The customer's limits cap successful charges per calendar day (UTC) and per rolling 7 days, all
 * cards and initiators together, with the payments a checkout has under way counted as taken. They are
 * minor units of the charge's own currency: charges in other currencies are not added in (¥9,000 and
 * $20.00 are not 11,000 of anything), so each currency is capped at the limit on its own.
 */
export async function checkLimits(
  q: Queryable,
  customer: { group_id: string; customer: string; limit_daily: number | null; limit_weekly: number | null },
  amount: number,
  currency: string,
  now: Date,
): Promise<void> {
  if (customer.limit_daily == null && customer.limit_weekly == null) return;
  const dayStart = startOfDay(now).toISOString();
  const weekStart = new Date(now.getTime() - 7 * DAY_MS).toISOString();
  const sumSince = async (since: string) => {
    const r = await q
      .selectFrom('charges')
      .select((eb) => eb.fn.sum<number>('amount').as('total'))
      .where('group_id', '=', customer.group_id)
      .where('customer', '=', customer.customer)
      .where('status', '=', 'succeeded')
      .where('currency', '=', currency)
      .where('created_at', '>=', since)
      .executeTakeFirst();
    return Number(r?.total ?? 0);
  };
  // A checkout's payment still under way (at the processor, or paused at the issuer's 3-D Secure page,
  // where it can be taken when the customer returns, without the customer's lease) counts as charged,
  // in every window it may land in, for as long as that attempt is live.
  const held = await amountUnderWay(q, customer.group_id, customer.customer, currency, new Date(now.getTime() - REDIRECT_STALE_MS).toISOString());
  if (customer.limit_daily != null && (await sumSince(dayStart)) + held + amount > customer.limit_daily) {
    throw new ApiError('limit_exceeded', "This charge would exceed the customer's daily limit");
  }
  if (customer.limit_weekly != null && (await sumSince(weekStart)) + held + amount > customer.limit_weekly) {
    throw new ApiError('limit_exceeded', "This charge would exceed the customer's weekly limit");
  }
}

/** The merchant's charge, or 404. */
export const getCharge = (q: Queryable, merchantId: string, id: string) => getOwned(q, 'charges', merchantId, id);

/** The merchant's charge recorded under this processor reference: what a retry with the reference answers. */
export async function findChargeByReference(q: Queryable, merchantId: string, reference: string): Promise<ChargeTable | undefined> {
  return q.selectFrom('charges').selectAll().where('processor_ref', '=', reference).where('merchant_id', '=', merchantId).executeTakeFirst();
}

/** The merchant's charge that a provider knows by its own id (a notification names it so). */
export async function findChargeByProcessorId(q: Queryable, merchantId: string, processorId: string): Promise<ChargeTable | undefined> {
  return q.selectFrom('charges').selectAll().where('merchant_id', '=', merchantId).where('processor_id', '=', processorId).executeTakeFirst();
}

/**
 * Reserves `amount` of the charge for a refund, in one conditional UPDATE: concurrent refunds can never
 * together exceed the charge. False when what is left is less.
 */
export async function reserveRefund(q: Queryable, chargeId: string, amount: number): Promise<boolean> {
  const reserved = await q
    .updateTable('charges')
    .set((eb) => ({ amount_refunded: eb('amount_refunded', '+', amount) }))
    .where('id', '=', chargeId)
    .where((eb) => eb(eb('amount_refunded', '+', amount), '<=', eb.ref('amount')))
    .executeTakeFirst();
  return Number(reserved.numUpdatedRows) === 1;
}

/** Gives a refund's amount back to the charge: the refund failed, so the money may be refunded again. */
export async function releaseRefund(q: Queryable, chargeId: string, amount: number): Promise<void> {
  await q
    .updateTable('charges')
    .set((eb) => ({ amount_refunded: eb('amount_refunded', '-', amount) }))
    .where('id', '=', chargeId)
    .execute();
}

/** How much of the charge is refunded now. */
export async function amountRefunded(q: Queryable, chargeId: string): Promise<number> {
  return (await q.selectFrom('charges').select('amount_refunded').where('id', '=', chargeId).executeTakeFirstOrThrow()).amount_refunded;
}
