// 3-D Secure challenges as stored: created pending when the processor asks a confirmation to
// authenticate the card, read by the fields and the vault's challenge pages, and forgotten after a day.
// Their status moves only through challenge-status.ts.
import type { Queryable } from '../db/database.ts';
import type { ChallengeStatus, ChallengeTable } from '../db/schema.ts';

/** The challenge by its id alone: the vault's own pages are addressed so (the issuer returns the customer there). */
export async function findChallenge(q: Queryable, id: string): Promise<ChallengeTable | undefined> {
  return q.selectFrom('challenges').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A challenge of this session: what the fields may name. */
export async function findSessionChallenge(q: Queryable, sessionId: string, id: string): Promise<ChallengeTable | undefined> {
  return q.selectFrom('challenges').selectAll().where('id', '=', id).where('session_id', '=', sessionId).executeTakeFirst();
}

/** What a new challenge is given; it starts pending (the machine's one initial status) with no try taken. */
export type NewChallenge = Pick<ChallengeTable, 'id' | 'session_id' | 'fingerprint' | 'created_at'> &
  Partial<Pick<ChallengeTable, 'kind' | 'processor_ref' | 'processor_id' | 'action' | 'card_token'>>;

export async function insertChallenge(q: Queryable, row: NewChallenge): Promise<void> {
  await q
    .insertInto('challenges')
    .values({ ...row, kind: row.kind ?? 'code', status: 'pending', attempts: 0 })
    .execute();
}

/** Takes one try at a pending challenge's code atomically, so that concurrent guesses cannot exceed `max`: the tries taken, or undefined when none was left. */
export async function takeChallengeTry(q: Queryable, id: string, max: number): Promise<number | undefined> {
  const taken = await q
    .updateTable('challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('attempts', '<', max)
    .returning('attempts')
    .executeTakeFirst();
  return taken?.attempts;
}

/** The challenge's status as it stands now. */
export async function challengeStatusNow(q: Queryable, id: string): Promise<ChallengeStatus> {
  return (await q.selectFrom('challenges').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
}

/** The provider's answer kept on the challenge after the issuer's return, if any (JSON AuthorizeResult). */
export async function keptIssuerAnswer(q: Queryable, id: string): Promise<string | null> {
  return (await q.selectFrom('challenges').select('result').where('id', '=', id).executeTakeFirst())?.result ?? null;
}

/**
 * Keeps the provider's answer on a challenge already settled without it (the fields confirmed before the
 * issuer's return arrived): a reload of the return page reads it. Its status, settled, does not change.
 */
export async function keepLateIssuerAnswer(q: Queryable, id: string, result: string): Promise<boolean> {
  const kept = await q
    .updateTable('challenges')
    .set({ result })
    .where('id', '=', id)
    .where('result', 'is', null)
    .where('status', '!=', 'pending')
    .executeTakeFirst();
  return Number(kept.numUpdatedRows) === 1;
}

/**
 * Deletes the challenges older than `before`: sessions live at most a day, and each challenge holds a
 * card's fingerprint (a keyed hash that, with the charge's BIN and last four and the key ring, gives the number).
 */
export async function deleteChallengesBefore(q: Queryable, before: Date): Promise<void> {
  await q.deleteFrom('challenges').where('created_at', '<', before.toISOString()).execute();
}
