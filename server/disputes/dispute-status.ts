// A chargeback's stored status. A dispute opens, then closes won or lost, and a closed one may still
// turn: Adyen reverses a chargeback (won) and the issuer may then file a second one (lost), and
// pre-arbitration goes either way. It never reopens: an opening heard of after the closing changes
// nothing. A dispute is created closed when its opening was never heard of.
import type { Queryable } from '../db/database.ts';
import type { DisputeStatus } from '../db/schema.ts';
import { defineMachine, moveRows, type RowFilter, type Transitions } from '../db/state-machine.ts';

export type { DisputeStatus } from '../db/schema.ts';

const transitions = {
  open: ['won', 'lost'],
  won: ['lost'],
  lost: ['won'],
} as const satisfies Transitions<DisputeStatus>;

export const disputeMachine = defineMachine<DisputeStatus, typeof transitions>('dispute', ['open', 'won', 'lost'], transitions);

/**
 * open, or closed the other way → `outcome`: the provider closed the dispute so, at `at` if it said when.
 * False when it had that outcome already (the provider said it again under another notification), or
 * when its present outcome was reached later than `at` (notifications arrive out of order): nothing
 * changed.
 */
export async function closeDispute(q: Queryable, id: string, outcome: 'won' | 'lost', now: Date, at?: string): Promise<boolean> {
  const set = { updated_at: now.toISOString(), ...(at ? { outcome_at: at } : {}) };
  const also: RowFilter<'disputes'> | undefined = at ? (eb) => eb.or([eb('outcome_at', 'is', null), eb('outcome_at', '<=', at)]) : undefined;
  const moved =
    outcome === 'won'
      ? await moveRows(q, 'disputes', disputeMachine, { rows: id, from: ['open', 'lost'], to: 'won', set, also })
      : await moveRows(q, 'disputes', disputeMachine, { rows: id, from: ['open', 'won'], to: 'lost', set, also });
  return moved === 1;
}
