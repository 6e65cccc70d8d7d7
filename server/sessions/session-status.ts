// A checkout session's stored status. A confirmation claims an open session (processing), which
// either completes or reopens for another try. `expired` is never stored: a session expires by its
// expires_at, and the API shows a session in processing as open.
import type { SessionView } from '../../protocol/api.ts';
import type { Queryable } from '../db/database.ts';
import type { Atomic } from '../db/write-batch.ts';
import type { SessionStatus, SessionTable } from '../db/schema.ts';
import { columnsOf, prepared } from '../db/prepared-query.ts';
import { defineMachine, type Assert, type Equal, type Transitions } from '../db/state-machine.ts';

export type { SessionStatus } from '../db/schema.ts';

const transitions = {
  open: ['processing'],
  processing: ['open', 'complete'],
  complete: [],
} as const satisfies Transitions<SessionStatus>;

export const sessionMachine = defineMachine<SessionStatus, typeof transitions>('session', ['open'], transitions);

// The API's session statuses are the stored ones but processing, and expired (past expires_at).
type _ApiStatus = Assert<Equal<SessionView['status'], Exclude<SessionStatus, 'processing'> | 'expired'>>;

/** What else an open session must be to be claimed: fewer failed attempts than `maxFailed`, not expired at `now`. */
export interface ClaimLimits {
  maxFailed: number;
  now: string;
}

// The payment path's two moves are prepared queries (compiled once); the machine still checks each pair.
sessionMachine.check('open', 'processing');
sessionMachine.check('processing', 'complete');

const claim = prepared((q, a: { id: string; attempt: string; processing_since: string } & ClaimLimits) =>
  q
    .updateTable('sessions')
    .set({ attempt: a.attempt, processing_since: a.processing_since, status: 'processing' })
    .where('id', '=', a.id)
    .where('status', '=', 'open')
    .where('failed_attempts', '<', a.maxFailed)
    .where('expires_at', '>', a.now),
);

/** open → processing: one confirmation takes the session, if it also meets `limits`. */
export async function claimSession(q: Queryable, id: string, set: { attempt: string; processing_since: string }, limits?: ClaimLimits): Promise<boolean> {
  // Without limits: any number of failures, and every ISO date is after ''.
  const moved = await claim(q, { id, ...set, ...(limits ?? { maxFailed: 2 ** 31 - 1, now: '' }) });
  return Number(moved.numAffectedRows) === 1;
}

/** processing → open: the attempt took no money; a failed one counts against card testing. */
export async function reopenSession(q: Queryable, id: string, options: { failed: boolean }): Promise<boolean> {
  return Number((await (options.failed ? reopenFailed : reopenUnused)(q, { id })).numAffectedRows) === 1;
}

/** The same, as one write of the caller's batch; `expectOne`: the error that undoes the batch when the session was not processing. */
export function queueReopenSession(atomic: Atomic, id: string, options: { failed: boolean; expectOne?: () => Error }): void {
  atomic.write((options.failed ? reopenFailed : reopenUnused).compiled(atomic.db, { id }), options.expectOne ? { expectOne: options.expectOne } : {});
}

sessionMachine.check('processing', 'open');
const reopenUnused = prepared((q, a: { id: string }) =>
  q.updateTable('sessions').set({ attempt: null, processing_since: null, status: 'open' }).where('id', '=', a.id).where('status', '=', 'processing'),
);
const reopenFailed = prepared((q, a: { id: string }) =>
  q
    .updateTable('sessions')
    .set((eb) => ({ attempt: null, processing_since: null, failed_attempts: eb('failed_attempts', '+', 1), status: 'open' }))
    .where('id', '=', a.id)
    .where('status', '=', 'processing'),
);

const pause = prepared((q, a: { id: string; attempt: string }) =>
  q
    .updateTable('sessions')
    .set((eb) => ({ attempt: a.attempt, failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', a.id)
    .where('status', '=', 'processing'),
);

/**
 * A claimed session waits for the customer at a provider's 3-D Secure page: it stays in processing,
 * its attempt now naming the challenge, and the attempt counts against card testing.
 */
export async function pauseForRedirect(q: Queryable, id: string, attempt: string): Promise<boolean> {
  return Number((await pause(q, { id, attempt })).numAffectedRows) === 1;
}

type Completion = Pick<SessionTable, 'charge_id' | 'card_token' | 'card_masked' | 'saved' | 'completed_at' | 'mandate_id'>;

const complete = prepared((q, a: Completion & { id: string }) =>
  q
    .updateTable('sessions')
    .set({
      ...columnsOf(a, ['charge_id', 'card_token', 'card_masked', 'saved', 'completed_at', 'mandate_id']),
      attempt: null,
      processing_since: null,
      status: 'complete',
    })
    .where('id', '=', a.id)
    .where('status', '=', 'processing'),
);

/** processing → complete: the approval is recorded on the session, and its attempt is over. */
export async function completeSession(q: Queryable, id: string, set: Completion): Promise<boolean> {
  return Number((await complete(q, { ...set, id })).numAffectedRows) === 1;
}

/** The same, as one write of the caller's batch: the batch keeps nothing and throws `lost()` when the session had moved on. */
export function queueCompleteSession(atomic: Atomic, id: string, set: Completion, lost: () => Error): void {
  atomic.write(complete.compiled(atomic.db, { ...set, id }), { expectOne: lost });
}

/** open, complete or expired as the merchant sees it; a session mid-confirmation still reads as open. */
export function sessionStatus(row: SessionTable, now: Date): SessionView['status'] {
  if (row.status === 'complete') return 'complete';
  if (row.expires_at <= now.toISOString()) return 'expired';
  return 'open';
}
