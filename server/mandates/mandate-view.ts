// A mandate as the API shows it, built field by field from its row.
import type { MandateConsent, MandateView } from '../../protocol/api.ts';
import type { MandateTable } from '../db/schema.ts';
import { mandateStatus } from './mandate-status.ts';

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
