// A 3-D Secure challenge's stored status. It is created pending and settled once: passed or failed by
// the code typed on the vault's page (three wrong codes fail it), or by the provider's answer for a
// redirect to the issuer's page. The approval it let through spends it (used), and nothing moves it
// after. A redirect is spent while still pending when the customer's return never reached the vault
// and the provider's ledger, asked once the attempt went stale, says the payment was approved.
import type { FrameChallengeResult } from '../../protocol/api.ts';
import type { Queryable } from '../db/database.ts';
import { prepared } from '../db/prepared-query.ts';
import type { ChallengeStatus } from '../db/schema.ts';
import { defineMachine, moveRows, type Assert, type Equal, type Transitions } from '../db/state-machine.ts';

export type { ChallengeStatus } from '../db/schema.ts';

const transitions = {
  pending: ['passed', 'failed', 'used'],
  passed: ['used'],
  failed: [],
  used: [],
} as const satisfies Transitions<ChallengeStatus>;

export const challengeMachine = defineMachine<ChallengeStatus, typeof transitions>('challenge', ['pending'], transitions);

// The fields are told every stored status but used (a spent challenge is never answered again).
type _ApiStatus = Assert<Equal<FrameChallengeResult['status'], Exclude<ChallengeStatus, 'used'>>>;

/** pending → passed or failed: the code typed settled it, or the provider answered for a redirect. */
export async function settleChallenge(q: Queryable, id: string, to: 'passed' | 'failed'): Promise<boolean> {
  return (await moveRows(q, 'challenges', challengeMachine, { rows: id, from: 'pending', to })) === 1;
}

/**
 * The same with the provider's answer after the issuer sent the customer back, kept by the first
 * request that has one: a reload of the return page, or a second return, reads it instead of asking again.
 */
export async function settleWithIssuerAnswer(q: Queryable, id: string, to: 'passed' | 'failed', result: string): Promise<boolean> {
  const moved = await moveRows(q, 'challenges', challengeMachine, { rows: id, from: 'pending', to, set: { result }, also: (eb) => eb('result', 'is', null) });
  return moved === 1;
}

// A prepared query (the approval's batch is a hot path); the machine still checks each pair it makes.
challengeMachine.check(['passed', 'pending'], 'used');

/**
 * passed → used, as one write of the batch that records the approval the challenge let through (see
 * settle-attempt.ts): a used challenge is then refused by every later confirmation, which asks for a
 * passed one, and this write moves it no further. A redirect still pending moves too (pending → used,
 * above); a code challenge is spent only once passed. A challenge already gone (deleted with its card,
 * or a day old) moves nothing and stops nothing: the money was taken, and its record must be made.
 */
export const useChallenge = prepared((q, a: { id: string }) =>
  q
    .updateTable('challenges')
    .set({ status: 'used' })
    .where('id', '=', a.id)
    .where((eb) => eb.or([eb('status', '=', 'passed'), eb.and([eb('status', '=', 'pending'), eb('kind', '=', 'redirect')])])),
);
