// 3-D Secure challenges: the customer types the issuer's code; three wrong codes fail the challenge.
// Each answer takes its try atomically, so concurrent guesses cannot exceed the three.
import type { FrameChallengeResult } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { ChallengeTable } from '../db/schema.ts';
import { verifySimulatedChallenge } from './simulated-issuer.ts';

const MAX_TRIES = 3;

export async function answerChallenge(deps: Deps, challenge: ChallengeTable, code: string): Promise<FrameChallengeResult> {
  // A provider's 3-D Secure is answered by the issuer itself, never by a code typed here.
  if (challenge.kind === 'redirect') return { challenge: challenge.id, status: challenge.status === 'passed' ? 'passed' : challenge.status === 'pending' ? 'pending' : 'failed', attempts_left: 0 };
  const taken = await deps.db.updateTable('challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', challenge.id).where('status', '=', 'pending').where('attempts', '<', MAX_TRIES)
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
    await deps.db.updateTable('sessions').set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) })).where('id', '=', challenge.session_id).execute();
  }
  return { challenge: challenge.id, status, attempts_left: status === 'pending' ? MAX_TRIES - taken.attempts : 0 };
}
