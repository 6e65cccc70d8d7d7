// Upgrading recorded message failures to classes (migration 0018): a message that failed before the
// vault recorded classes kept the mail relay's words, its name, address and port, which a merchant
// reads in GET /v1/messages.
import { expect, it } from 'vitest';
import { classifyRecordedFailures } from '../../server/db/migrations.ts';
import type { MessageTable } from '../../server/db/schema.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { useMigratedDatabase } from '../helpers/migrated-database.ts';

const message = (id: string, status: MessageTable['status'], error: string | null): MessageTable => ({
  id,
  merchant_id: 'm_1',
  group_id: 'g_1',
  customer: 'c_1',
  channel: 'email',
  recipient: 'ada@example.com',
  template: 'payment_failed',
  locale: 'en',
  subject: 'Your payment',
  body: 'Hello',
  transport: 'smtp',
  status,
  error,
  created_at: '2031-01-01T00:00:00.000Z',
});

describeEachDb('recorded message failures after the upgrade', (target) => {
  const storage = useMigratedDatabase(target);

  it("replaces the relay's words with the class they show, keeps a reply code, and leaves classes and sent messages alone", async () => {
    const { db } = storage;
    // What the vault recorded before: nodemailer's message, or the socket's error.
    await db
      .insertInto('messages')
      .values([
        message('msg_refused', 'failed', 'connect ECONNREFUSED 10.20.30.40:2525'),
        message('msg_dns', 'failed', 'getaddrinfo ENOTFOUND relay.internal.example'),
        message('msg_login', 'failed', 'Invalid login: 535 5.7.8 Authentication failed for mailer@relay.internal.example'),
        message(
          'msg_rcpt',
          'failed',
          "Can't send mail - all recipients were rejected: 550 5.1.1 <ada@example.com>: Recipient address rejected: policy of relay.internal.example",
        ),
        message('msg_body', 'failed', 'Message failed: 554 5.7.1 Rejected by the content filter of relay.internal.example'),
        message('msg_greeting', 'failed', 'Greeting never received'),
        message('msg_other', 'failed', 'Something else at relay.internal.example:587'),
        message('msg_class', 'failed', 'smtp_recipient_rejected (550)'),
        message('msg_sent', 'sent', null),
      ])
      .execute();
    expect(await classifyRecordedFailures(db)).toBe(7);
    const rows = await db.selectFrom('messages').select(['id', 'status', 'error']).orderBy('id').execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.error]))).toEqual({
      msg_body: 'smtp_message_refused (554)',
      msg_class: 'smtp_recipient_rejected (550)',
      msg_dns: 'smtp_connection_failed',
      msg_greeting: 'smtp_timeout',
      msg_login: 'smtp_auth_failed',
      msg_other: 'send_failed',
      msg_rcpt: 'smtp_recipient_rejected (550)',
      msg_refused: 'smtp_connection_failed',
      msg_sent: null,
    });
    expect(rows.every((r) => r.status === (r.id === 'msg_sent' ? 'sent' : 'failed'))).toBe(true);
    // Run again (a second instance migrating at once): nothing left to change.
    expect(await classifyRecordedFailures(db)).toBe(0);
  });
});
