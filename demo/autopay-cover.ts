// Whether the vault will pay a customer's invoices automatically, told before anyone hits its
// `mandate_violation`: the vault charges the default card, and only under a live card-on-file
// agreement (frequency_days 0, the one /autopay gives) on that card in the invoice's currency.
import type { CardView, MandateView } from '../protocol/api.ts';

export type AutopayCover =
  /** Invoices within the agreement's amounts are paid from the default card. */
  | { kind: 'covered'; card: CardView; mandate: MandateView }
  /** No saved card at all: nothing can be charged. */
  | { kind: 'no_card' }
  /** A default card, but no agreement for invoices on any card. */
  | { kind: 'no_agreement'; card: CardView }
  /** The agreement is on a card that is not the default one, which is the card invoices charge. */
  | { kind: 'other_card'; card: CardView; mandate: MandateView; agreedCard: CardView | undefined };

export function autopayCover(cards: readonly CardView[], mandates: readonly MandateView[], currency: string): AutopayCover {
  const card = cards.find((c) => c.default);
  if (!card) return { kind: 'no_card' };
  const live = mandates.filter((m) => m.status === 'active' && m.frequency_days === 0 && m.currency === currency);
  const onDefault = live.find((m) => m.card === card.token);
  if (onDefault) return { kind: 'covered', card, mandate: onDefault };
  const elsewhere = live[0];
  if (elsewhere) return { kind: 'other_card', card, mandate: elsewhere, agreedCard: cards.find((c) => c.token === elsewhere.card) };
  return { kind: 'no_agreement', card };
}

/** The amount is within the agreement's range: otherwise the vault refuses the charge too. */
export function amountCovered(mandate: Pick<MandateView, 'min_amount' | 'max_amount'>, amount: number): boolean {
  return amount >= mandate.min_amount && amount <= mandate.max_amount;
}
