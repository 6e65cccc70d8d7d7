// The messages sent to customers (the outbox the messenger writes): recorded queued, settled once by
// their transport, and listed for the merchant's API.
import type { Db, Queryable } from '../db/database.ts';
import { listPage, type PageQuery } from '../db/list-page.ts';
import type { MessageTable } from '../db/schema.ts';
import { moveRows } from '../db/state-machine.ts';
import { newId } from '../ids.ts';
import { messageMachine } from './message-status.ts';

/** What a new message is given; it is recorded queued, the machine's one initial status. */
export type NewMessage = Omit<MessageTable, 'id' | 'status' | 'created_at'>;

/** Records the message as queued; answers its id. */
export async function recordMessage(q: Queryable, row: NewMessage, now: Date): Promise<string> {
  const id = newId('msg');
  await q
    .insertInto('messages')
    .values({ ...row, id, status: messageMachine.initial[0], created_at: now.toISOString() })
    .execute();
  return id;
}

/** queued → sent, or failed with its reason: what the transport did. False when it was settled already. */
export async function markMessage(q: Queryable, id: string, to: 'sent' | 'failed', error: string | null): Promise<boolean> {
  return (await moveRows(q, 'messages', messageMachine, { rows: id, from: 'queued', to, set: { error } })) === 1;
}

/** The merchant's own messages, newest first, optionally one customer's. */
export const listMessages = (db: Db, merchantId: string, page: PageQuery & { customer?: string }) =>
  listPage(db, 'messages', { merchantId, limit: page.limit, startingAfter: page.startingAfter, filter: { customer: page.customer } });
