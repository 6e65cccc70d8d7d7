// A refund is written pending before the processor is asked, then settled by its answer; a provider's
// later notification can still fail a refund it had accepted. The API never shows pending.
import type { RefundView } from '../../protocol/api.ts';
import type { Queryable } from '../db/database.ts';
import type { RefundStatus } from '../db/schema.ts';
import { defineMachine, moveRows, type Assert, type Equal, type Transitions } from '../db/state-machine.ts';

export type { RefundStatus } from '../db/schema.ts';

const transitions = {
  pending: ['succeeded', 'failed'],
  succeeded: ['failed'],
  failed: [],
} as const satisfies Transitions<RefundStatus>;

export const refundMachine = defineMachine<RefundStatus, typeof transitions>('refund', ['pending'], transitions);

type _ApiStatus = Assert<Equal<RefundView['status'], Exclude<RefundStatus, 'pending'>>>;

/** pending → succeeded: the processor took the refund. */
export async function succeedRefund(q: Queryable, id: string, processorId: string | null): Promise<boolean> {
  return (await moveRows(q, 'refunds', refundMachine, { rows: id, from: 'pending', to: 'succeeded', set: { processor_id: processorId } })) === 1;
}

/** pending → failed: the processor refused the refund. */
export async function failRefund(q: Queryable, id: string, processorId: string | null): Promise<boolean> {
  return (await moveRows(q, 'refunds', refundMachine, { rows: id, from: 'pending', to: 'failed', set: { processor_id: processorId } })) === 1;
}

/** succeeded → failed: the provider told the vault later that the money did not go back. */
export async function reverseRefund(q: Queryable, id: string, reason: string | null): Promise<boolean> {
  return (await moveRows(q, 'refunds', refundMachine, { rows: id, from: 'succeeded', to: 'failed', set: { failure_reason: reason } })) === 1;
}
