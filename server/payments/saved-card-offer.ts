// Which saved cards a session offers: the fields' list and the confirmation both ask here, so the
// fields never show a card the vault would refuse, nor hide one it would take.
import type { CardTable, CustomerTable, SessionTable } from '../db/schema.ts';
import type { Merchant } from '../merchants/merchant-store.ts';

type SessionTerms = Pick<SessionTable, 'mode' | 'recurring'>;

/** A payment may be paid with a saved card, and an agreement given on one; a setup session without an agreement adds a new card. */
export function offersSavedCards(session: SessionTerms): boolean {
  return session.mode === 'payment' || Boolean(session.recurring);
}

/**
 * Why this saved card does not serve this session (its expiry aside), or undefined when it does. An
 * imported card serves merchant-initiated charges only. `one_click_after` holds back a card saved
 * without (enough) payments from one-click payments; an agreement always asks for the card's CVC
 * (card-proof.ts), checked by the processor, so there the card the customer holds is not held back.
 */
export function savedCardRefusal(
  merchant: Pick<Merchant, 'one_click_after'>,
  session: SessionTerms,
  card: Pick<CardTable, 'source' | 'successful_payments'>,
  customer: Pick<CustomerTable, 'status'> | undefined,
): string | undefined {
  if (!offersSavedCards(session)) return 'A setup session without an agreement adds a new card: send card';
  // A customer set to deny is offered no saved card, so none is taken either.
  if (customer?.status === 'deny') return 'This customer does not allow saved cards';
  if (card.source !== 'checkout') return 'An imported card serves merchant-initiated charges only';
  if (!session.recurring && card.successful_payments < merchant.one_click_after) return 'This card is not offered for one-click payment yet';
  return undefined;
}
