// Deleting a saved card, by the merchant or by the customer in the fields: the key is destroyed, its
// mandates end, the default moves to the next card, and the merchant hears of it. Once that commits,
// the database's storage is scrubbed of what the deletion left behind (within the contract's 10 s).
import { scheduleScrub, type Db, type ScrubTable } from '../db/database.ts';
import type { SessionTable } from '../db/schema.ts';
import { notFound } from '../errors.ts';
import { emitEvent } from '../events/emit-event.ts';
import { endCardMandates } from '../mandates/mandate-store.ts';
import { destroyCard, findCard, listCards, type LiveCard } from './card-store.ts';
import { getCustomer, updateCustomer } from '../customers/customer-store.ts';
import { assertSessionOpen } from '../payments/confirm-session.ts';

export async function deleteCard(
  db: Db,
  input: { merchantId: string; groupId: string; customer: string; token: string; by: 'merchant' | 'customer'; now: Date; allow?: (row: LiveCard) => boolean },
): Promise<void> {
  const { groupId, customer, token, now } = input;
  let touched: ScrubTable[] = [];
  await db.transaction().execute(async (trx) => {
    const row = await findCard(trx, groupId, customer, token);
    if (!row || (input.allow && !input.allow(row))) throw notFound('card', 'token');
    touched = await destroyCard(trx, row, now);
    // The contract: mandates on the card end with it, in the same transaction.
    await endCardMandates(trx, token, now);
    const owner = await getCustomer(trx, groupId, customer);
    if (owner?.default_card === token) {
      const next = (await listCards(trx, groupId, customer))[0];
      await updateCustomer(trx, groupId, customer, { default_card: next?.token ?? null }, now);
    }
    await emitEvent(trx, { merchantId: input.merchantId, groupId, type: 'card.deleted', data: { card: token, customer, by: input.by }, now });
  });
  scheduleScrub(db, touched);
}

/** The customer, in the fields of an open session: only a card saved through the fields, never an imported one. */
export async function deleteCardInFields(db: Db, input: { merchantId: string; session: SessionTable; token: string; now: Date }): Promise<void> {
  const { session, now } = input;
  assertSessionOpen(session, now);
  if (!session.customer) throw notFound('card', 'token');
  await deleteCard(db, {
    merchantId: input.merchantId,
    groupId: session.group_id,
    customer: session.customer,
    token: input.token,
    by: 'customer',
    now,
    allow: (row) => row.source === 'checkout',
  });
}
