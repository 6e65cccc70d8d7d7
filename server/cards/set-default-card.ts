// Making a saved card the customer's default: the card must be live, and the answer is the card as
// the list shows it, now flagged default.
import type { Queryable } from '../db/database.ts';
import { updateCustomer } from '../customers/customer-store.ts';
import { notFound } from '../errors.ts';
import { findCard, findListedCard, type ListedCard } from './card-store.ts';

export async function setDefaultCard(q: Queryable, groupId: string, customer: string, token: string, now: Date): Promise<ListedCard> {
  const row = await findCard(q, groupId, customer, token);
  if (!row) throw notFound('card', 'token');
  await updateCustomer(q, groupId, customer, { default_card: token }, now);
  // Deleted in between: the same answer as a card that was never there.
  const listed = await findListedCard(q, groupId, customer, token);
  if (!listed) throw notFound('card', 'token');
  return listed;
}
