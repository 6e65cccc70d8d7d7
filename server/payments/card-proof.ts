// Proof that the customer holds a saved card: its CVC, asked whenever the merchant's own setting may
// not waive it (a recurring agreement, a card the customer never used at this shop), and guarded
// against guessing across sessions, since a merchant can open as many sessions as it likes.
import { DAY_MS } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { CardTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';

/** Wrong CVCs a saved card may collect, in every session and shop of its group, before one-click stops. */
export const MAX_CVC_FAILURES = 3;
const CVC_WINDOW_MS = DAY_MS;

/**
 * The saved cards of a customer that this merchant has seen used: a session of its own completed with
 * them. `need_cvc: false` waives the CVC for those only: a card saved at a sister shop must first be
 * proven at this one, or a shop's server could charge it one-click with nobody there.
 */
async function cardsUsedBy(db: Db, merchantId: string, customer: string, tokens: string[]): Promise<Set<string>> {
  if (tokens.length === 0) return new Set();
  const rows = await db
    .selectFrom('sessions')
    .select('card_token')
    .distinct()
    .where('merchant_id', '=', merchantId)
    .where('customer', '=', customer)
    .where('status', '=', 'complete')
    .where('card_token', 'in', tokens)
    .execute();
  return new Set(rows.map((r) => r.card_token!));
}

/**
 * The saved cards whose CVC this confirmation may skip: none when the merchant asks for it (need_cvc)
 * or the session makes an agreement (a recurring session), else those the customer used at this shop.
 * The fields' list and the confirmation both ask here, so they never disagree.
 */
export async function cvcWaivedFor(
  db: Db,
  merchant: { id: string; need_cvc: boolean },
  session: { customer: string | null; recurring: string | null },
  tokens: string[],
): Promise<Set<string>> {
  if (merchant.need_cvc || session.recurring || !session.customer) return new Set();
  return cardsUsedBy(db, merchant.id, session.customer, tokens);
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

/** Counts a wrong CVC on a saved card; the count starts again once its window has passed. */
export async function noteWrongCvc(db: Db, token: string, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - CVC_WINDOW_MS).toISOString();
  await db
    .updateTable('cards')
    .set((eb) => ({
      cvc_failures: eb
        .case()
        .when('cvc_failed_at', '>', windowStart)
        .then(eb('cvc_failures', '+', 1))
        .else(1)
        .end(),
      cvc_failed_at: eb.case().when('cvc_failed_at', '>', windowStart).then(eb.ref('cvc_failed_at')).else(now.toISOString()).end(),
    }))
    .where('token', '=', token)
    .execute();
}

/** A right CVC clears the count. */
export async function clearWrongCvcs(db: Db, token: string): Promise<void> {
  await db.updateTable('cards').set({ cvc_failures: 0, cvc_failed_at: null }).where('token', '=', token).where('cvc_failures', '>', 0).execute();
}
