// Proof that the customer holds a saved card: its CVC, asked whenever the merchant's own setting may
// not waive it (a recurring agreement, a card the customer never used at this shop), and guarded
// against guessing across sessions, since a merchant can open as many sessions as it likes.
import { countWrongCvc } from '../cards/card-store.ts';
import { DAY_MS } from '../clock.ts';
import type { Queryable } from '../db/database.ts';
import type { CardTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { cardsCompletedBy } from '../sessions/session-store.ts';

/** Wrong CVCs a saved card may collect, in every session and shop of its group, before one-click stops. */
export const MAX_CVC_FAILURES = 3;
const CVC_WINDOW_MS = DAY_MS;

/**
 * The saved cards whose CVC this confirmation may skip: none when the merchant asks for it (need_cvc)
 * or the session makes an agreement (a recurring session), else those the customer used at this shop:
 * a session of its own completed with them. A card saved at a sister shop must first be proven at this
 * one, or a shop's server could charge it one-click with nobody there. The fields' list and the
 * confirmation both ask here, so they never disagree.
 */
export async function cvcWaivedFor(
  db: Queryable,
  merchant: { id: string; need_cvc: boolean },
  session: { customer: string | null; recurring: string | null },
  tokens: string[],
): Promise<Set<string>> {
  if (merchant.need_cvc || session.recurring || !session.customer) return new Set();
  return cardsCompletedBy(db, merchant.id, session.customer, tokens);
}

/** Refuses a saved card whose CVC was typed wrong too often in the last 24 hours. */
export function assertCvcNotLocked(card: Pick<CardTable, 'cvc_failures' | 'cvc_failed_at'>, now: Date): void {
  const since = card.cvc_failed_at ? Date.parse(card.cvc_failed_at) : NaN;
  if ((card.cvc_failures ?? 0) < MAX_CVC_FAILURES || !(now.getTime() - since < CVC_WINDOW_MS)) return;
  const retry = Math.max(1, Math.ceil((since + CVC_WINDOW_MS - now.getTime()) / 1000));
  throw new ApiError('rate_limited', 'The security code of this saved card was wrong too many times; type the card in full or try again later', {
    headers: { 'Retry-After': String(retry) },
  });
}

/** Counts a wrong CVC on a saved card; the count starts again once its window has passed. (A right CVC clears it: card-store's `clearWrongCvcs`.) */
export async function noteWrongCvc(db: Queryable, token: string, now: Date): Promise<void> {
  await countWrongCvc(db, token, now, CVC_WINDOW_MS);
}
