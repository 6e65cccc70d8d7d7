// What deleting a saved card ends, worked out the way the vault does it (server/cards/delete-card.ts):
// the card's active mandates end with it, and if it was the default, the newest remaining card becomes
// the default. Open auto-pay invoices are charged to the default card under an active mandate in their
// currency, so those this card could pay and the next default cannot are no longer paid automatically
// (one this card could not pay either was failing already, and deleting changes nothing for it).
import type { CardView, InvoiceView, MandateView } from './types.ts';

export interface DeletionEffects {
  mandates: MandateView[];
  isDefault: boolean;
  nextDefault?: CardView;
  unpaidInvoices: InvoiceView[];
}

export function deletionEffects(card: CardView, cards: CardView[], mandates: MandateView[], openInvoices: InvoiceView[]): DeletionEffects {
  const ending = mandates.filter((m) => m.card === card.token && m.status === 'active');
  if (!card.default) return { mandates: ending, isDefault: false, unpaidInvoices: [] };
  const nextDefault = cards
    .filter((c) => c.token !== card.token)
    .sort((a, b) => (a.created_at === b.created_at ? a.token.localeCompare(b.token) : a.created_at < b.created_at ? 1 : -1))[0];
  const pays = (card: CardView | undefined, currency: string) =>
    !!card && mandates.some((m) => m.card === card.token && m.status === 'active' && m.currency === currency);
  const unpaidInvoices = openInvoices.filter((i) => i.status === 'open' && i.auto_pay && pays(card, i.currency) && !pays(nextDefault, i.currency));
  return { mandates: ending, isDefault: true, nextDefault, unpaidInvoices };
}
