// An invoice is created open, becomes past_due once its due date passes unpaid, and paid when its
// charge succeeds. A past_due invoice is never charged again, but a pass that claimed the invoice
// before midnight can record its payment after another pass has marked it past due.
import type { InvoiceView } from '../../protocol/api.ts';
import type { Queryable } from '../db/database.ts';
import type { InvoiceStatus } from '../db/schema.ts';
import { defineMachine, moveRows, type Assert, type Equal, type RowFilter, type Transitions } from '../db/state-machine.ts';

export type { InvoiceStatus } from '../db/schema.ts';

const transitions = {
  open: ['paid', 'past_due'],
  past_due: ['paid'],
  paid: [],
} as const satisfies Transitions<InvoiceStatus>;

export const invoiceMachine = defineMachine<InvoiceStatus, typeof transitions>('invoice', ['open'], transitions);

type _ApiStatus = Assert<Equal<InvoiceView['status'], InvoiceStatus>>;

/** open → past_due, for every invoice the filter picks (those due before today); how many moved. */
export async function markPastDue(q: Queryable, rows: RowFilter<'invoices'>): Promise<number> {
  return moveRows(q, 'invoices', invoiceMachine, { rows, from: 'open', to: 'past_due' });
}

/** open → paid and past_due → paid: the invoice's charge succeeded, and no attempt at it is pending any more. False when it was paid already. */
export async function markInvoicePaid(q: Queryable, id: string, set: { charge_id: string; paid_at: string }): Promise<boolean> {
  const moved = await moveRows(q, 'invoices', invoiceMachine, {
    rows: id,
    from: ['open', 'past_due'],
    to: 'paid',
    set: { ...set, failure_code: null, decline_code: null, pending_ref: null },
  });
  return moved === 1;
}
