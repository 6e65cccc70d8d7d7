// How many cards may be saved for one customer in a day. A sister shop sees a shared card's first six
// and last four digits, and saving the card's own number answers that card (its token, card.updated)
// where any other number makes a new one: with saves unlimited, trying the numbers in between (about
// 10^5 pass Luhn) would tell a shop the full number. Both ways of saving a number are held, for all the
// shops of the group together (sister shops cannot add up their guesses), counted in the database
// (every instance, and a merchant's own rate_limit 0, alike):
// - imports: at most IMPORTS_PER_CUSTOMER_PER_DAY in any 24 hours, matches included;
// - checkouts that save a new card: refused before the processor is asked once the customer has
//   NEW_CARDS_PER_CUSTOMER_PER_DAY cards saved in the last 24 hours, so that the refusal never depends
//   on whether the number typed is one of them.
import type { Queryable } from '../db/database.ts';
import { ApiError } from '../errors.ts';
import { newCardsSince, recentImports } from './card-store.ts';

/** Cards a group's shops may import for one customer in any 24 hours: a migration imports one to a few. */
export const IMPORTS_PER_CUSTOMER_PER_DAY = 10;
/** New cards a customer may have saved in any 24 hours before a checkout may save another. */
export const NEW_CARDS_PER_CUSTOMER_PER_DAY = 10;
const DAY_MS = 86_400_000;

function tooMany(what: string, earliest: string | null, now: Date): ApiError {
  const retry = Math.max(1, Math.ceil((Date.parse(earliest ?? now.toISOString()) + DAY_MS - now.getTime()) / 1000));
  return new ApiError('rate_limited', `${what} for this customer in the last 24 hours; try again later`, { headers: { 'Retry-After': String(retry) } });
}

/**
 * Refuses an import over the day's limit. Call it after the import is written and the customer's row
 * is held (an update of it in the same transaction): concurrent imports are then counted one after
 * another on PostgreSQL too, and a refused one leaves nothing.
 */
export async function assertImportWithinLimit(q: Queryable, groupId: string, customer: string, now: Date): Promise<void> {
  const recent = await recentImports(q, { groupId, customer, since: new Date(now.getTime() - DAY_MS).toISOString() });
  if (recent.count > IMPORTS_PER_CUSTOMER_PER_DAY) throw tooMany(`${IMPORTS_PER_CUSTOMER_PER_DAY} cards were imported`, recent.earliest, now);
}

/** Refuses a checkout that would save a card once the customer has the day's new cards. Call it under the customer's lease. */
export async function assertNewCardAllowed(q: Queryable, groupId: string, customer: string, now: Date): Promise<void> {
  const recent = await newCardsSince(q, { groupId, customer, since: new Date(now.getTime() - DAY_MS).toISOString() });
  if (recent.count >= NEW_CARDS_PER_CUSTOMER_PER_DAY) throw tooMany(`${NEW_CARDS_PER_CUSTOMER_PER_DAY} new cards were saved`, recent.earliest, now);
}
