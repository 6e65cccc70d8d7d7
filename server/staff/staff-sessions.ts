// Dashboard sessions: a 256-bit token in the cookie, only its SHA-256 in the database; they end after
// 30 minutes without a request or 12 hours after sign-in, whichever comes first. The CSRF token is
// derived from the session's token (HMAC), so it needs no storage and dies with the session.
import crypto from 'node:crypto';
import type { Db, Queryable } from '../db/database.ts';
import type { StaffUserTable } from '../db/schema.ts';
import { sha256 } from '../ids.ts';

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;

export interface StaffSession {
  tokenHash: string;
  staff: StaffUserTable;
  merchantName: string;
  /** The token every form that changes something must carry. */
  csrf: string;
}

/** Starts a session for the staff user; returns the cookie's token (shown to no one else). */
export async function createStaffSession(q: Queryable, staffId: string, now: Date): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  await q
    .insertInto('staff_sessions')
    .values({ token_hash: sha256(token), staff_id: staffId, created_at: now.toISOString(), last_seen_at: now.toISOString() })
    .execute();
  return token;
}

export function csrfToken(sessionToken: string): string {
  return crypto.createHmac('sha256', sessionToken).update('dashboard csrf').digest('base64url');
}

/** The live session a token names, its last use moved to now; an expired one is deleted and not returned. */
export async function readStaffSession(db: Db, token: string, now: Date): Promise<StaffSession | undefined> {
  if (!token) return undefined;
  const tokenHash = sha256(token);
  const row = await db
    .selectFrom('staff_sessions as s')
    .innerJoin('staff_users as u', 'u.id', 's.staff_id')
    .innerJoin('merchants as m', 'm.id', 'u.merchant_id')
    .selectAll('u')
    .select(['s.created_at as session_created_at', 's.last_seen_at', 'm.name as merchant_name'])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const t = now.getTime();
  if (t - Date.parse(row.last_seen_at) > SESSION_IDLE_MS || t - Date.parse(row.session_created_at) > SESSION_ABSOLUTE_MS) {
    await deleteStaffSession(db, tokenHash);
    return undefined;
  }
  await db.updateTable('staff_sessions').set({ last_seen_at: now.toISOString() }).where('token_hash', '=', tokenHash).execute();
  const { session_created_at: _c, last_seen_at: _l, merchant_name, ...staff } = row;
  return { tokenHash, staff, merchantName: merchant_name, csrf: csrfToken(token) };
}

export async function deleteStaffSession(q: Queryable, tokenHash: string): Promise<void> {
  await q.deleteFrom('staff_sessions').where('token_hash', '=', tokenHash).execute();
}
