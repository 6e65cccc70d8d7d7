// The card brand as a small text badge: no image requests, nothing the page's CSP must allow, a few
// bytes. Beside a saved card it names the brand as customers know it ("American Express"); inside the
// number being typed, the contract's short name set in capitals as a mark (AMEX).
import { cardNumber } from 'card-validator/dist/card-number.js';
import { brandFromValidator } from '../../protocol/cards.ts';

/**
 * The brand's name as customers know it, card-validator's own ("Visa", "Mastercard", "American
 * Express"), when the card's first digits are that brand's; else the contract's name, or none.
 */
export function brandName(brand: string, bin = ''): string {
  const card = cardNumber(bin).card;
  return card && brandFromValidator(card.type) === brand ? card.niceType : brand === 'unknown' ? '' : brand;
}

export function BrandBadge({ brand, name = brand, hidden }: { brand: string; name?: string; hidden?: boolean }) {
  const known = brand && brand !== 'unknown';
  return (
    <span class={`cv-brand cv-brand--${known ? brand : 'unknown'}`} aria-hidden={hidden || !known ? 'true' : undefined}>
      {known ? name : ''}
    </span>
  );
}
