// An event's webhook delivery: the events table's `delivery` column, the outbox's status. An event is
// written pending (the column NULL until the worker first settles it, which reads as pending) or, when
// its merchant has no webhook URL, none. A delivery pass settles a pending event: delivered on a 2xx,
// pending again with the next attempt's time after a failure, failed once the retry window has closed,
// none when the URL was removed since. A redelivery that succeeds (POST /v1/events/{id}/redeliver)
// delivers an event that had failed or had nowhere to go; nothing moves a delivered one.
import type { Expression, ExpressionBuilder, SqlBool, UpdateObject } from 'kysely';
import type { Delivery } from '../../protocol/api.ts';
import type { Queryable } from '../db/database.ts';
import type { Database, DeliveryStatus } from '../db/schema.ts';
import { defineMachine, type Assert, type Equal, type Targets, type Transitions } from '../db/state-machine.ts';

export type { DeliveryStatus } from '../db/schema.ts';

const transitions = {
  pending: ['pending', 'delivered', 'failed', 'none'],
  delivered: [],
  failed: ['delivered'],
  none: ['delivered'],
} as const satisfies Transitions<DeliveryStatus>;

export const deliveryMachine = defineMachine<DeliveryStatus, typeof transitions>('delivery', ['pending', 'none'], transitions);

type _ApiStatus = Assert<Equal<Delivery['status'], DeliveryStatus>>;

type EventFilter = (eb: ExpressionBuilder<Database, 'events'>) => Expression<SqlBool>;

/** The events whose delivery is one of `statuses`: a NULL is pending. */
export function deliveryIn(eb: ExpressionBuilder<Database, 'events'>, statuses: readonly DeliveryStatus[]): Expression<SqlBool> {
  const stored = eb('delivery', 'in', statuses);
  return statuses.includes('pending') ? eb.or([eb('delivery', 'is', null), stored]) : stored;
}

/**
 * What `moveRows` (db/state-machine.ts) is to a `status` column: moves the events named from `from`
 * to `to` in one conditional UPDATE, writing `set` with it, if they also meet `also`. Returns how many
 * moved: 0 when none was (still) in `from`.
 */
export async function moveDelivery<F extends DeliveryStatus>(
  q: Queryable,
  ids: string | readonly string[],
  move: { from: F | readonly F[]; to: Targets<typeof transitions, F>; set?: UpdateObject<Database, 'events'>; also?: EventFilter },
): Promise<number> {
  const { from, to, set, also } = move;
  deliveryMachine.check(from, to);
  const froms: readonly DeliveryStatus[] = typeof from === 'string' ? [from] : from;
  let update = q
    .updateTable('events')
    .set({ ...set, delivery: to })
    .where('id', 'in', typeof ids === 'string' ? [ids] : ids)
    .where((eb) => deliveryIn(eb, froms));
  if (also) update = update.where(also);
  return Number((await update.executeTakeFirst()).numUpdatedRows);
}
