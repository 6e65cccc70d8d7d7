// 3-D Secure challenges: the customer types the issuer's code; three wrong codes fail the challenge.
// Each answer takes its try atomically, so concurrent guesses cannot exceed the three.
import type { FrameChallengeResult } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { ChallengeTable, SessionTable } from '../db/schema.ts';
import { assertSessionOpen } from './confirm-session.ts';
import { ApiError, notFound } from '../errors.ts';
import { countFailedAttempt } from '../sessions/session-store.ts';
import { challengeStatusNow, findSessionChallenge, takeChallengeTry } from '../challenges/challenge-store.ts';
import { settleChallenge } from '../challenges/challenge-status.ts';
import { verifySimulatedChallenge } from './simulated-issuer.ts';

// Where the scheduler and the approval's batch import them from; the queries live in server/challenges/.
export { deleteChallengesBefore } from '../challenges/challenge-store.ts';
export { useChallenge } from '../challenges/challenge-status.ts';

const MAX_TRIES = 3;

/**
 * The fields' answer to a challenge of their session; a challenge already used for a payment takes none,
 * and neither does one of a session that is complete, expired or closed by failures (it answers as the
 * session's other endpoints do): its guesses would count towards nothing but the code.
 */
export async function answerSessionChallenge(deps: Deps, session: SessionTable, id: string, code: string): Promise<FrameChallengeResult> {
  // A closed session answers as its other endpoints do (410, 429), before anything about the challenge,
  // an id it never had included.
  assertSessionOpen(session, deps.clock());
  const row = await findSessionChallenge(deps.db, session.id, id);
  if (!row) throw notFound('challenge', 'id');
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
  const taken = await takeChallengeTry(deps.db, challenge.id, MAX_TRIES);
  if (taken === undefined) {
    const now = await challengeStatusNow(deps.db, challenge.id);
    return { challenge: challenge.id, status: now === 'pending' || now === 'failed' ? 'failed' : 'passed', attempts_left: 0 };
  }
  const passed = verifySimulatedChallenge(code);
  const status = passed ? 'passed' : taken >= MAX_TRIES ? 'failed' : 'pending';
  if (status !== 'pending') await settleChallenge(deps.db, challenge.id, status);
  if (status === 'failed') {
    await countFailedAttempt(deps.db, challenge.session_id);
  }
  return { challenge: challenge.id, status, attempts_left: status === 'pending' ? MAX_TRIES - taken : 0 };
}
