// A checkout session as the merchant's server reads it, built field by field from its row.
import type { SessionView } from '../../protocol/api.ts';
import type { SessionTable } from '../db/schema.ts';
import { sessionStatus } from './session-status.ts';

export function toSessionView(row: SessionTable, now: Date): SessionView {
  return {
    id: row.id,
    status: sessionStatus(row, now),
    mode: row.mode as SessionView['mode'],
    amount: row.amount,
    currency: row.currency,
    customer: row.customer,
    order: row.order_ref,
    save_card: row.save_card as SessionView['save_card'],
    recurring: row.recurring ? JSON.parse(row.recurring) : null,
    expires_at: row.expires_at,
    created: row.created_at,
    charge: row.charge_id,
    card: row.card_masked ? JSON.parse(row.card_masked) : null,
    saved: row.saved === 1,
    mandate: row.mandate_id,
    ...(row.forward_result ? { forward_result: JSON.parse(row.forward_result) } : {}),
  };
}
