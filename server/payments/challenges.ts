// 3-D Secure challenges: the customer types the issuer's code; three wrong codes fail the challenge.
import type { FrameChallengeResult } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { ChallengeTable } from '../db/schema.ts';

const MAX_TRIES = 3;

export async function answerChallenge(deps: Deps, challenge: ChallengeTable, code: string): Promise<FrameChallengeResult> {
  if (challenge.status !== 'pending') {
    return { challenge: challenge.id, status: challenge.status === 'failed' ? 'failed' : 'passed', attempts_left: 0 };
  }
  const attempts = challenge.attempts + 1;
  const passed = deps.processor.verifyChallenge(code);
  const status = passed ? 'passed' : attempts >= MAX_TRIES ? 'failed' : 'pending';
  await deps.db.updateTable('challenges').set({ status, attempts }).where('id', '=', challenge.id).where('status', '=', 'pending').execute();
  if (status === 'failed') {
    await deps.db.updateTable('sessions').set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) })).where('id', '=', challenge.session_id).execute();
  }
  return { challenge: challenge.id, status, attempts_left: status === 'pending' ? MAX_TRIES - attempts : 0 };
}
