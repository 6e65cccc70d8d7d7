// The ledger of charges: recording a processor's answer, reading it back, and the customer limits.
import type { Transaction } from 'kysely';
import type { ChargeView } from '../../protocol/api.ts';
import type { Db } from '../db/database.ts';
import type { ChargeTable, Database } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { AuthorizeResult, Initiator } from './processor.ts';

type Q = Db | Transaction<Database>;

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
  result: Extract<AuthorizeResult, { outcome: 'approved' | 'declined' }>;
  now: Date;
}

export async function recordCharge(q: Q, input: ChargeInput): Promise<ChargeTable> {
  const approved = input.result.outcome === 'approved';
  const row: ChargeTable = {
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
    decline_code: input.result.outcome === 'declined' ? input.result.decline_code ?? null : null,
    amount_refunded: 0,
    processor_ref: input.processorRef,
    created_at: input.now.toISOString(),
    processor_id: input.result.processor_id,
    processor_response: input.result.outcome === 'declined' && input.result.processor_response ? JSON.stringify(input.result.processor_response) : null,
  };
  await q.insertInto('charges').values(row).execute();
  return row;
}

export function toChargeView(row: ChargeTable): ChargeView {
  const view: ChargeView = {
    id: row.id,
    status: row.status,
    amount: row.amount,
    amount_refunded: row.amount_refunded,
    currency: row.currency,
    customer: row.customer,
    card: row.card_token,
    card_details: JSON.parse(row.card_masked),
    order: row.order_ref,
    initiator: row.initiator as ChargeView['initiator'],
    mandate: row.mandate_id,
    session: row.session_id,
    network_transaction_id: row.network_transaction_id,
    created: row.created_at,
  };
  if (row.failure_code) view.failure = { code: row.failure_code, message: row.failure_message ?? '', ...(row.decline_code ? { decline_code: row.decline_code } : {}) };
  // A real provider's own answer to a decline, beside the contract's code.
  if (row.processor_response) view.processor_response = JSON.parse(row.processor_response);
  return view;
}

/** The 402 a declined charge answers with, naming the recorded charge. */
export function declineError(row: ChargeTable): ApiError {
  return new ApiError(row.failure_code as any, row.failure_message ?? 'The card was declined', {
    decline_code: row.decline_code ?? undefined, charge: row.id,
    ...(row.processor_response ? { processor_response: JSON.parse(row.processor_response) } : {}),
  });
}

/**
 * The customer's limits cap successful charges per calendar day (UTC) and per rolling 7 days, all
 * cards and initiators together. Run it inside the transaction that records the charge.
 */
export async function checkLimits(q: Q, customer: { group_id: string; customer: string; limit_daily: number | null; limit_weekly: number | null }, amount: number, now: Date): Promise<void> {
  if (customer.limit_daily == null && customer.limit_weekly == null) return;
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
  const weekStart = new Date(now.getTime() - 7 * 24 * 3600 * 1000).toISOString();
  const sumSince = async (since: string) => {
    const r = await q.selectFrom('charges').select((eb) => eb.fn.sum<number>('amount').as('total'))
      .where('group_id', '=', customer.group_id).where('customer', '=', customer.customer)
      .where('status', '=', 'succeeded').where('created_at', '>=', since)
      .executeTakeFirst();
    return Number(r?.total ?? 0);
  };
  if (customer.limit_daily != null && (await sumSince(dayStart)) + amount > customer.limit_daily) {
    throw new ApiError('limit_exceeded', 'This charge would exceed the customer\'s daily limit');
  }
  if (customer.limit_weekly != null && (await sumSince(weekStart)) + amount > customer.limit_weekly) {
    throw new ApiError('limit_exceeded', 'This charge would exceed the customer\'s weekly limit');
  }
}
