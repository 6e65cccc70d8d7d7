// A test-mode shop on the simulated processor takes test cards only, as a provider's test mode does:
// a real card typed into a test page (a demo, a developer's machine, a vault whose key lies in a file
// beside it) is refused before anything stores or charges it. A test card here is one of the table's
// numbers, or any valid number with a table number's first six and last four digits (the middle
// changed), which gives tests as many distinct cards as they need and no real cardholder's card but
// by a chance of about one in ten thousand within those few BINs.
import { TEST_MODE_LIVE_CARD } from '../../protocol/errors.ts';
import { ApiError } from '../errors.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { TEST_CARDS } from './simulated-processor.ts';

/** A number's first six and last four, as the vault stores and shows them. */
const shownEnds = (bin: string, last4: string) => `${bin}:${last4}`;
const endsOf = (number: string) => shownEnds(number.slice(0, 6), number.slice(-4));

/** The test cards' shown ends; with their length, the ends a typed or opened number must have. */
const SHOWN_ENDS = new Set(TEST_CARDS.map((card) => endsOf(card.number)));
const ENDS = new Set(TEST_CARDS.map((card) => `${endsOf(card.number)}:${card.number.length}`));

export function isTestCardNumber(number: string): boolean {
  return ENDS.has(`${endsOf(number)}:${number.length}`);
}

/** Whether this merchant's cards go to the simulated processor in test mode (null: the simulated one). */
const onSimulatedProcessor = (merchant: Merchant) => !merchant.livemode && (merchant.processor?.type ?? 'simulated') === 'simulated';

/** Refuses a number that is not a test card, for a test-mode shop on the simulated processor; `number` is checked (digits only). */
export function assertTestCardInTestMode(merchant: Merchant, number: string, param: string): void {
  if (!onSimulatedProcessor(merchant) || isTestCardNumber(number)) return;
  throw new ApiError('card_declined', 'This shop is in test mode and takes test cards only (see Test cards); a real card is never taken in test mode', {
    param,
    decline_code: TEST_MODE_LIVE_CARD,
  });
}

/**
 * Whether this shop would refuse the stored card when charged, as far as its shown digits tell: the
 * fields do not offer it for one click (a card saved before the rule, or imported while the shop was on
 * a provider's test account). A card that passes here is still checked in full when it is charged.
 */
export function hiddenInTestMode(merchant: Merchant, card: { bin: string; last4: string }): boolean {
  return onSimulatedProcessor(merchant) && !SHOWN_ENDS.has(shownEnds(card.bin, card.last4));
}
