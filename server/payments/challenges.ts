// 3-D Secure challenges: the customer types the issuer's code; three wrong codes fail the challenge.
// Each answer takes its try atomically, so concurrent guesses cannot exceed the three.
import { prepared } from '../db/prepared-query.ts';
import type { FrameChallengeResult } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { Queryable } from '../db/database.ts';
import type { ChallengeTable } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import { countFailedAttempt } from '../sessions/session-store.ts';
import { verifySimulatedChallenge } from './simulated-issuer.ts';

const MAX_TRIES = 3;

/** A challenge of this session (the fields' own), or 404. */
async function getSessionChallenge(q: Queryable, sessionId: string, id: string): Promise<ChallengeTable> {
  const row = await q.selectFrom('challenges').selectAll().where('id', '=', id).where('session_id', '=', sessionId).executeTakeFirst();
  if (!row) throw notFound('challenge', 'id');
  return row;
}

/**
 * Deletes the challenges older than `before`: sessions live at most a day, and each challenge holds a
 * card's fingerprint (a keyed hash that, with the charge's BIN and last four and the key ring, gives the number).
 */
export async function deleteChallengesBefore(q: Queryable, before: Date): Promise<void> {
  await q.deleteFrom('challenges').where('created_at', '<', before.toISOString()).execute();
}

/** The fields' answer to a challenge of their session; a challenge already used for a payment takes none. */
export async function answerSessionChallenge(deps: Deps, sessionId: string, id: string, code: string): Promise<FrameChallengeResult> {
  const row = await getSessionChallenge(deps.db, sessionId, id);
  if (row.status === 'used') throw new ApiError('parameter_invalid', 'This challenge was already used for a payment', { param: 'id' });
  return answerChallenge(deps, row, code);
}

export async function answerChallenge(deps: Deps, challenge: ChallengeTable, code: string): Promise<FrameChallengeResult> {
  // A provider's 3-D Secure is answered by the issuer itself, never by a code typed here.
  if (challenge.kind === 'redirect')
    return {
      challenge: challenge.id,
      status: challenge.status === 'passed' ? 'passed' : challenge.status === 'pending' ? 'pending' : 'failed',
      attempts_left: 0,
    };
  const taken = await deps.db
    .updateTable('challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', challenge.id)
    .where('status', '=', 'pending')
    .where('attempts', '<', MAX_TRIES)
    .returning('attempts')
    .executeTakeFirst();
  if (!taken) {
    const now = await deps.db.selectFrom('challenges').select('status').where('id', '=', challenge.id).executeTakeFirstOrThrow();
    return { challenge: challenge.id, status: now.status === 'pending' || now.status === 'failed' ? 'failed' : 'passed', attempts_left: 0 };
  }
  const passed = verifySimulatedChallenge(code);
  const status = passed ? 'passed' : taken.attempts >= MAX_TRIES ? 'failed' : 'pending';
  if (status !== 'pending') {
    await deps.db.updateTable('challenges').set({ status }).where('id', '=', challenge.id).where('status', '=', 'pending').execute();
  }
  if (status === 'failed') {
    await countFailedAttempt(deps.db, challenge.session_id);
  }
  return { challenge: challenge.id, status, attempts_left: status === 'pending' ? MAX_TRIES - taken.attempts : 0 };
}

/** The challenge is spent: the approval it let through is recorded (a write of that record's batch). */
export const useChallenge = prepared((q, a: { id: string }) => q.updateTable('challenges').set({ status: 'used' }).where('id', '=', a.id));
