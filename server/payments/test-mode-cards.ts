// A test-mode shop on the simulated processor takes test cards only, as a provider's test mode does:
// a real card typed into a test page (a demo, a developer's machine, a vault whose key lies in a file
// beside it) is refused before anything stores or charges it. A test card here is one of the table's
// numbers, or any valid number with a table number's first six and last four digits (the middle
// changed), which gives tests as many distinct cards as they need and no real cardholder's card but
// by a chance of about one in ten thousand within those few BINs.
import { maskedBin } from '../../protocol/cards.ts';
import { TEST_MODE_LIVE_CARD } from '../../protocol/errors.ts';
import { cardSecret, type LiveCard } from '../cards/card-store.ts';
import { ApiError } from '../errors.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { TEST_CARDS } from './simulated-processor.ts';

/** A number's first six (fewer for a short number) and last four, as the vault stores and shows them. */
const shownEnds = (bin: string, last4: string) => `${bin}:${last4}`;
const endsOf = (number: string) => shownEnds(maskedBin(number), number.slice(-4));

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
 * A saved card about to be forwarded: test mode's rule, and over plain http (which only a test-mode
 * shop's destination may use) test cards only whatever the processor, since no provider's test mode
 * stands between a forward and its destination, and a real number would cross the network in the clear.
 */
export function assertForwardable(merchant: Merchant, number: string, plainHttp: boolean): void {
  assertTestCardInTestMode(merchant, number, 'card');
  if (!plainHttp || isTestCardNumber(number)) return;
  throw new ApiError('card_declined', 'This destination is plain http, which carries test cards only (see Test cards); use an https destination', {
    param: 'card',
    decline_code: TEST_MODE_LIVE_CARD,
  });
}

/**
 * Whether charging the stored card would be refused by the rule, for the scheduler's verdict: the
 * number itself when its key is in the ring (a test card's shown ends at another length is refused too),
 * else what its shown digits tell (the charge would then wait for the key, not be refused).
 */
export function refusedInTestMode(ring: KeyRing, merchant: Merchant, card: LiveCard): boolean {
  if (!onSimulatedProcessor(merchant)) return false;
  if (!ring.get(card.key_version)) return hiddenInTestMode(merchant, card);
  return !isTestCardNumber(cardSecret(ring, card).number);
}

/**
 * Whether this shop would refuse the stored card when charged, as far as its shown digits and its
 * length tell: the fields do not offer it for one click (a card saved before the rule, or imported
 * while the shop was on a provider's test account). Those three are what makes a test card, so the
 * answer is the charge's own; a card saved before its length was kept (migration 0024) is judged by
 * its ends alone, and is still checked in full when it is charged.
 */
export function hiddenInTestMode(merchant: Merchant, card: { bin: string; last4: string; pan_length: number | null }): boolean {
  if (!onSimulatedProcessor(merchant)) return false;
  const ends = shownEnds(card.bin, card.last4);
  return card.pan_length === null ? !SHOWN_ENDS.has(ends) : !ENDS.has(`${ends}:${card.pan_length}`);
}
