// Checks a typed card before anything else sees it, with the contract's card_error codes.
import { brandFromValidator, type CardBrand } from '../../protocol/cards.ts';
import { ApiError } from '../errors.ts';
import { numberVerdict } from './card-number.ts';

export interface CheckedCard {
  number: string;
  brand: CardBrand;
  exp_month: number;
  exp_year: number;
}

/** Month index for comparing expiries: a card is good through the end of its expiry month. */
export const monthIndex = (year: number, month: number) => year * 12 + (month - 1);

export function isActive(exp: { exp_month: number; exp_year: number }, now: Date): boolean {
  return monthIndex(exp.exp_year, exp.exp_month) >= monthIndex(now.getUTCFullYear(), now.getUTCMonth() + 1);
}

/** True when the card expires before the end of next month (and has not expired yet). */
export function isExpiringSoon(exp: { exp_month: number; exp_year: number }, now: Date): boolean {
  return isActive(exp, now) && monthIndex(exp.exp_year, exp.exp_month) <= monthIndex(now.getUTCFullYear(), now.getUTCMonth() + 1) + 1;
}

/** `now` is the vault's clock (deps.clock), the one every other expiry check reads. */
export function checkCard(input: { number: string; exp_month: number; exp_year: number; cvc?: string }, now: Date, param = 'card'): CheckedCard {
  const number = input.number.replace(/[\s-]/g, '');
  const verdict = numberVerdict(number);
  if (!/^\d{12,19}$/.test(number) || !verdict.isValid) {
    throw new ApiError('invalid_number', 'The card number is not a valid card number', { param: `${param}.number` });
  }
  if (input.exp_month < 1 || input.exp_month > 12) {
    throw new ApiError('invalid_expiry_month', 'The expiry month must be from 1 to 12', { param: `${param}.exp_month` });
  }
  const year = input.exp_year < 100 ? 2000 + input.exp_year : input.exp_year;
  if (year < now.getUTCFullYear() || year > now.getUTCFullYear() + 20 || !isActive({ exp_month: input.exp_month, exp_year: year }, now)) {
    throw new ApiError('invalid_expiry_year', "The card's expiry is in the past or too far ahead", { param: `${param}.exp_year` });
  }
  if (input.cvc !== undefined) {
    const size = verdict.card?.code.size ?? 3;
    if (!new RegExp(`^\\d{${size}}$`).test(input.cvc)) {
      throw new ApiError('invalid_cvc', `The security code must be ${size} digits for this card`, { param: `${param}.cvc` });
    }
  }
  return { number, brand: brandFromValidator(verdict.card?.type), exp_month: input.exp_month, exp_year: year };
}
