// Deleting a saved card, by the merchant or by the customer in the fields: the key is destroyed, its
// mandates end, the default moves to the next card, and the merchant hears of it. Once that commits,
// the database's storage is scrubbed of what the deletion left behind (within the contract's 10 s).
import { scheduleScrub, type Db, type ScrubTable } from '../db/database.ts';
import { notFound } from '../errors.ts';
import { emitEvent } from '../jobs/events.ts';
import { endCardMandates } from '../payments/mandates.ts';
import { destroyCard, findCard, listCards, type LiveCard } from '../vault/card-store.ts';
import { getCustomer } from './customer-store.ts';

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
      await trx.updateTable('customers').set({ default_card: next?.token ?? null, updated_at: now.toISOString() })
        .where('group_id', '=', groupId).where('customer', '=', customer).execute();
    }
    await emitEvent(trx, { merchantId: input.merchantId, groupId, type: 'card.deleted', data: { card: token, customer, by: input.by }, now });
  });
  scheduleScrub(db, touched);
}
