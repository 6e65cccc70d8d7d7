// The audit log: who did what, when. Sign-in lines are written in the transaction of what they record;
// a dashboard change, which runs through /v1 in its own transactions, is written once it committed.
import type { AuditList } from '../../protocol/api.ts';
import type { Queryable } from '../db/database.ts';
import { randomSecret } from '../ids.ts';

export type AuditAction = 'sign_in' | 'sign_out' | 'password_set' | 'sign_in_locked' | (string & {});

export interface AuditEntry {
  merchantId: string;
  staffId: string;
  action: AuditAction;
  /** The id of what was acted on, when it is not the person themselves. */
  target?: string;
  /** What changed: never a secret (a password, a token, a card number). */
  details?: Record<string, unknown>;
  at: Date;
}

export async function recordAudit(q: Queryable, e: AuditEntry): Promise<void> {
  await q
    .insertInto('audit_log')
    .values({
      // Time first, so that ids sort in the order lines were written.
      id: `aud_${e.at.getTime().toString(36).padStart(9, '0')}${randomSecret(9)}`,
      merchant_id: e.merchantId,
      staff_id: e.staffId,
      action: e.action,
      target: e.target ?? null,
      details: JSON.stringify(e.details ?? {}),
      created_at: e.at.toISOString(),
    })
    .execute();
}

/** The merchant's audit log, newest first, a page at a time (lines as protocol/schemas/dashboard.ts shows them). */
export async function listAudit(q: Queryable, merchantId: string, o: { limit: number; starting_after?: string }): Promise<AuditList> {
  let query = q
    .selectFrom('audit_log as a')
    .leftJoin('staff_users as u', 'u.id', 'a.staff_id')
    .select(['a.id', 'a.action', 'a.target', 'a.details', 'a.created_at', 'u.email'])
    .where('a.merchant_id', '=', merchantId)
    .orderBy('a.id', 'desc')
    .limit(o.limit + 1);
  if (o.starting_after) query = query.where('a.id', '<', o.starting_after);
  const rows = await query.execute();
  return {
    data: rows.slice(0, o.limit).map((r) => ({
      id: r.id,
      staff_email: r.email ?? null,
      action: r.action,
      target: r.target,
      details: JSON.parse(r.details) as Record<string, unknown>,
      created: r.created_at,
    })),
    has_more: rows.length > o.limit,
  };
}
