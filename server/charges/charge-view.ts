// A charge as the API shows it, built field by field from its ledger row, and the error a declined one answers with.
import type { ChargeView } from '../../protocol/api.ts';
import type { ChargeTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';

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
  if (row.failure_code)
    view.failure = { code: row.failure_code, message: row.failure_message ?? '', ...(row.decline_code ? { decline_code: row.decline_code } : {}) };
  // A real provider's own answer to a decline, beside the contract's code.
  if (row.processor_response) view.processor_response = JSON.parse(row.processor_response);
  return view;
}

/** The 402 a declined charge answers with, naming the recorded charge. */
export function declineError(row: ChargeTable): ApiError {
  return new ApiError(row.failure_code as any, row.failure_message ?? 'The card was declined', {
    decline_code: row.decline_code ?? undefined,
    charge: row.id,
    ...(row.processor_response ? { processor_response: JSON.parse(row.processor_response) } : {}),
  });
}
