// A mandate is created active and ends for good: cancelled by the merchant, or ended by its end date
// or by the deletion of its card. The API shows an active mandate past its end date as ended already.
import type { MandateView } from '../../protocol/api.ts';
import type { Queryable } from '../db/database.ts';
import type { MandateStatus, MandateTable } from '../db/schema.ts';
import { defineMachine, movedRows, moveRows, type Assert, type Equal, type RowFilter, type Transitions } from '../db/state-machine.ts';

export type { MandateStatus } from '../db/schema.ts';

const transitions = {
  active: ['cancelled', 'ended'],
  cancelled: [],
  ended: [],
} as const satisfies Transitions<MandateStatus>;

export const mandateMachine = defineMachine<MandateStatus, typeof transitions>('mandate', ['active'], transitions);

type _ApiStatus = Assert<Equal<MandateView['status'], MandateStatus>>;

/** active → cancelled, by the merchant. */
export async function cancelMandateRow(q: Queryable, id: string, now: Date): Promise<boolean> {
  return (await moveRows(q, 'mandates', mandateMachine, { rows: id, from: 'active', to: 'cancelled', set: { ended_at: now.toISOString() } })) === 1;
}

/** active → ended: one mandate, or every one a filter picks (those past their end date); how many moved. */
export async function endMandates(q: Queryable, rows: string | RowFilter<'mandates'>, now: Date): Promise<number> {
  return moveRows(q, 'mandates', mandateMachine, { rows, from: 'active', to: 'ended', set: { ended_at: now.toISOString() } });
}

/** active → ended for every mandate a filter picks (those on a deleted card), answering which, with their merchant. */
export async function endMandatesNamed(q: Queryable, rows: RowFilter<'mandates'>, now: Date): Promise<Pick<MandateTable, 'id' | 'merchant_id'>[]> {
  return movedRows(q, 'mandates', mandateMachine, { rows, from: 'active', to: 'ended', set: { ended_at: now.toISOString() } }, ['merchant_id']);
}

/** The status as it stands today: an active mandate past its end date, or on a deleted card, has ended. */
export function mandateStatus(row: Pick<MandateTable, 'status' | 'end_date'>, today: string, cardDeleted = false): MandateStatus {
  if (row.status !== 'active') return row.status;
  return today > row.end_date || cardDeleted ? 'ended' : 'active';
}
