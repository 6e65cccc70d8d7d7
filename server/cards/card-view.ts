// A saved card as the merchant's list shows it: masked, never the number, its expiry opened from the
// sealed metadata.
import type { CardView } from '../../protocol/api.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import { isActive, isExpiringSoon } from '../payments/card-checks.ts';
import { cardExpiry, type ListedCard } from './card-store.ts';

/**
 * A card as the merchant's list shows it. One whose key version left the ring is still listed, with
 * `key_unavailable: true`, expiry 0/0 and `active: false`, instead of failing the whole list.
 */
export function toCardView(ring: KeyRing, row: ListedCard, opts: { now: Date; needCvc: boolean }): CardView & { key_unavailable?: true } {
  const { exp_month, exp_year } = cardExpiry(ring, row);
  return {
    token: row.token,
    bin: row.bin,
    last4: row.last4,
    brand: row.brand,
    issuer: row.issuer,
    country: row.country,
    exp_month,
    exp_year,
    active: isActive({ exp_month, exp_year }, opts.now),
    expiring_soon: isExpiringSoon({ exp_month, exp_year }, opts.now),
    need_cvc: opts.needCvc,
    default: row.is_default,
    successful_payments: row.successful_payments,
    source: row.source as CardView['source'],
    created_at: row.created_at,
    ...(ring.get(row.key_version) ? {} : { key_unavailable: true as const }),
  };
}
