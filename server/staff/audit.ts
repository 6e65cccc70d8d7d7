// The audit log: who did what, when. Called with the transaction of the change it records, so that a
// change is never kept without its line, nor a line without its change.
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
