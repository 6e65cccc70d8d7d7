// Messages that failed before the vault recorded a class of failure (smtp_connection_failed, …) kept
// the mail relay's own words or the socket's error: the relay's name, address and port, its policies.
// A merchant reads them in GET /v1/messages. Each is replaced with the class its words show, and the
// mail server's reply code where they carry one; the operator's log of that time keeps the whole reason.
// The rules are written here, as they stand today, so that this migration never changes.
import type { Kysely } from 'kysely';

/** What the vault records since: a class, and at most a reply code. */
const CLASS = /^(smtp_auth_failed|smtp_timeout|smtp_connection_failed|(smtp_recipient_rejected|smtp_message_refused|send_failed)( \([2-5]\d\d\))?)$/;

/** nodemailer's messages of each kind, then a socket's error. */
const KINDS: [RegExp, string, boolean][] = [
  [/^Invalid login\b/i, 'smtp_auth_failed', false],
  [/recipients were rejected|recipient address rejected/i, 'smtp_recipient_rejected', true],
  [/^Message failed\b/i, 'smtp_message_refused', true],
  [/timeout|ETIMEDOUT|Greeting never received/i, 'smtp_timeout', false],
  [/ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|socket|TLS|certificate|Connection closed/i, 'smtp_connection_failed', false],
];

/** The class of one recorded reason (exported for its test). */
export function classOf(reason: string): string {
  for (const [pattern, name, withReply] of KINDS) {
    if (!pattern.test(reason)) continue;
    const reply = withReply ? /:\s*([2-5]\d\d)\b/.exec(reason)?.[1] : undefined;
    return reply ? `${name} (${reply})` : name;
  }
  return 'send_failed';
}

export async function up(db: Kysely<any>): Promise<void> {
  await classifyRecordedFailures(db);
}

/** Rewrites every recorded reason that is not already a class, a page of messages at a time (a vault may hold millions). */
export async function classifyRecordedFailures(db: Kysely<any>): Promise<number> {
  let changed = 0;
  for (let after = ''; ; ) {
    const rows: { id: string; error: string }[] = await db
      .selectFrom('messages')
      .select(['id', 'error'])
      .where('error', 'is not', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute();
    if (rows.length === 0) return changed;
    for (const row of rows) {
      if (CLASS.test(row.error)) continue;
      await db
        .updateTable('messages')
        .set({ error: classOf(row.error) })
        .where('id', '=', row.id)
        .execute();
      changed++;
    }
    after = rows[rows.length - 1].id;
  }
}
