// The customer's browser is back from a provider's issuer page: the provider is asked to finish the
// payment the redirect paused, and its answer is kept on the challenge until the fields confirm again
// (or, if they never do, until the stale attempt is settled from the provider); a decline is recorded
// at once, reopening the session. Asked once: a reload of the return page reads the kept answer.
import type { Deps } from '../context.ts';
import type { ChallengeTable } from '../db/schema.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { type AuthorizeResult, isSettled } from './processor.ts';
import { DeclineRecordedElsewhere, recordDecline, REDIRECT_STALE_MS, type Attempt } from './settle-attempt.ts';
import { keepLateIssuerAnswer, keptIssuerAnswer } from '../challenges/challenge-store.ts';
import { settleWithIssuerAnswer } from '../challenges/challenge-status.ts';
import { findSession } from '../sessions/session-store.ts';

const MAX_PARAMS = 20;
const MAX_VALUE = 4096;

/** What the issuer put on the return address, bounded: the connector takes the fields it knows. */
export function returnParams(source: Record<string, unknown>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(source).slice(0, MAX_PARAMS)) {
    if (typeof v === 'string' && k.length <= 64 && v.length <= MAX_VALUE) params[k] = v;
  }
  return params;
}

export async function completeIssuerReturn(
  deps: Deps,
  merchant: Merchant,
  challenge: ChallengeTable,
  params: Record<string, string>,
): Promise<AuthorizeResult> {
  if (challenge.result) return JSON.parse(challenge.result) as AuthorizeResult;
  const processor = deps.processors.for(merchant);
  // A return later than the attempt's life: the customer's limits no longer hold its amount (and the
  // vault settles such an attempt from the provider), so it is ended, not finished. A payment the
  // provider finished by itself meanwhile is its answer.
  const late = deps.clock().getTime() - Date.parse(challenge.created_at) >= REDIRECT_STALE_MS;
  let result: AuthorizeResult;
  try {
    result = late
      ? ((await processor.cancel(challenge.processor_ref!)) ?? { outcome: 'error', message: 'The verification took too long' })
      : await processor.completeRedirect({ reference: challenge.processor_ref!, processor_id: challenge.processor_id!, params });
  } catch (err) {
    deps.logger.error({ challenge: challenge.id, error: (err as Error).name }, 'the provider could not finish a 3-D Secure payment');
    result = { outcome: 'error', message: 'processor unreachable' };
  }
  // Only a settled answer is kept; an unknown one is asked about again when the fields confirm.
  if (isSettled(result)) {
    const answer = JSON.stringify(result);
    // The answer settles a pending challenge; one the fields' confirmation settled first keeps its status, and the answer beside it.
    const stored =
      (await settleWithIssuerAnswer(deps.db, challenge.id, result.outcome === 'approved' ? 'passed' : 'failed', answer)) ||
      (await keepLateIssuerAnswer(deps.db, challenge.id, answer));
    if (result.outcome === 'declined' && stored) await reopenAfterDecline(deps, merchant, challenge, result);
    const kept = await keptIssuerAnswer(deps.db, challenge.id);
    if (kept) return JSON.parse(kept) as AuthorizeResult;
  }
  return result;
}

/**
 * The fields, told the bank said no, go back to the form without confirming again: the decline is
 * recorded here, by the request that kept it, so the session reopens for another card at once rather
 * than staying claimed until the stale attempt is settled. Nothing is needed from the card for a
 * decline (an approval still waits for the fields, which may save the card with its number).
 */
async function reopenAfterDecline(
  deps: Deps,
  merchant: Merchant,
  challenge: ChallengeTable,
  result: Extract<AuthorizeResult, { outcome: 'declined' }>,
): Promise<void> {
  const session = await findSession(deps.db, challenge.session_id);
  const attempt: Attempt | null = session?.attempt ? JSON.parse(session.attempt) : null;
  if (session?.status !== 'processing' || !attempt?.redirect || attempt.challenge !== challenge.id) return;
  // The fields' resume may have recorded it meanwhile: then there is nothing left to do here.
  await recordDecline(deps, merchant, session, attempt, result).catch((err) => {
    if (!(err instanceof DeclineRecordedElsewhere)) throw err;
  });
}
