// Reading the messages sent to customers (the outbox the messenger writes), for the merchant's API.
import type { Db } from '../db/database.ts';
import { listPage, type PageQuery } from '../db/list-page.ts';

/** The merchant's own messages, newest first, optionally one customer's. */
export const listMessages = (db: Db, merchantId: string, page: PageQuery & { customer?: string }) =>
  listPage(db, 'messages', { merchantId, limit: page.limit, startingAfter: page.startingAfter, filter: { customer: page.customer } });
