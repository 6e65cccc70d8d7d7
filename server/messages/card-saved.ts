// The customer hears that a card was saved for them: after the commit that saved it, like every
// customer message, naming the card by brand and last four digits only.
import type { Deps } from '../context.ts';
import type { Merchant } from '../merchants/merchant-store.ts';

export interface SavedCard {
  groupId: string;
  customer: string;
  token: string;
  brand: string;
  last4: string;
}

/** Never throws: the card is saved whatever becomes of its message. */
export async function tellCardSaved(deps: Pick<Deps, 'messenger' | 'logger'>, merchant: Merchant, card: SavedCard): Promise<void> {
  await deps.messenger
    .send({
      merchantId: merchant.id,
      groupId: card.groupId,
      customer: card.customer,
      template: 'card_saved',
      data: { merchant: merchant.name, card: card.token, brand: card.brand, last4: card.last4 },
    })
    .catch((err: Error) => deps.logger.warn({ card: card.token, error: err.message }, 'card_saved message failed'));
}
