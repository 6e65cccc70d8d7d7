// A refund as the API shows it: settled, so succeeded or failed (a pending one is never answered).
import type { RefundView } from '../../protocol/api.ts';
import type { RefundTable } from '../db/schema.ts';

export function toRefundView(row: RefundTable, currency: string): RefundView {
  const status = row.status === 'succeeded' ? 'succeeded' : 'failed';
  return { id: row.id, charge: row.charge_id, amount: row.amount, currency, status, created: row.created_at };
}
