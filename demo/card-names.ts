// How the shop names a saved card: brand, last four digits and expiry, the only card facts it ever gets.

const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  maestro: 'Maestro',
  mir: 'Mir',
};

export function brandName(brand: string): string {
  return BRANDS[brand] ?? (brand === 'unknown' || !brand ? 'Card' : brand.charAt(0).toUpperCase() + brand.slice(1));
}

const SHORT: Record<string, string> = { visa: 'VISA', mastercard: 'MC', amex: 'AMEX', discover: 'DISC', jcb: 'JCB', unionpay: 'UP', mir: 'MIR' };

/** The few letters on the little card icon of a saved card. */
export function brandShort(brand: string): string {
  return SHORT[brand] ?? 'CARD';
}

/** `Visa •••• 4242`: the only way this shop ever writes a card. */
export function maskedCard(card: { brand: string; last4: string }): string {
  return `${brandName(card.brand)} •••• ${card.last4}`;
}

/** `12/2029`, as the card itself shows it. */
export function formatExpiry(card: { exp_month: number; exp_year: number }): string {
  return `${String(card.exp_month).padStart(2, '0')}/${card.exp_year}`;
}
