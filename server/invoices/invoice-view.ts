// An invoice as the API shows it, built field by field from its row.
import type { InvoiceView } from '../../protocol/api.ts';
import type { InvoiceTable } from '../db/schema.ts';

/** An open invoice past its due date reads as past_due even before the scheduler has stored it. */
export function toInvoiceView(row: InvoiceTable, today: string): InvoiceView {
  const status = row.status === 'open' && row.due_date < today ? 'past_due' : row.status;
  return {
    id: row.id,
    status,
    customer: row.customer,
    amount: row.amount,
    currency: row.currency,
    due_date: row.due_date,
    description: row.description,
    auto_pay: row.auto_pay === 1,
    charge: row.charge_id,
    created: row.created_at,
    paid_at: row.paid_at,
    attempts: row.attempts,
    last_attempt_on: row.last_attempt_on,
    failure_code: row.failure_code,
    decline_code: row.decline_code,
  };
}
