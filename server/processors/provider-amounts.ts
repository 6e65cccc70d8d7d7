// Amounts as each provider reads them. The vault keeps every amount in ISO 4217 minor units (protocol/
// money.ts); a few currencies have another number of decimals at a provider, so an amount is shifted on
// its way out (and a provider's amount on its way in), or refused when the provider cannot take it.
import { minorUnitDigits } from '../../protocol/money.ts';

export interface AmountRules {
  /** The provider's name, for the refusal's message. */
  name: string;
  /** The currencies whose decimals at this provider differ from ISO 4217's. */
  digits: Readonly<Record<string, number>>;
  /** The step a provider amount must keep in this currency (1 when any integer will do). */
  step?: (currency: string) => number;
}

export const STRIPE_AMOUNTS: AmountRules = {
  name: 'Stripe',
  // https://docs.stripe.com/currencies#zero-decimal: MGA is zero-decimal at Stripe (two in ISO 4217).
  // https://support.stripe.com/questions/deprecation-of-fractional-isk-charges-and-refunds: ISK stays
  // two-decimal in Stripe's API ("an ISK amount of 100 … represents 1 króna"), in multiples of 100.
  digits: { ISK: 2, MGA: 0 },
  // https://docs.stripe.com/currencies#three-decimal: the last digit of a three-decimal amount must be 0.
  step: (currency) => (minorUnitDigits(currency) === 3 ? 10 : 1),
};

export const ADYEN_AMOUNTS: AmountRules = {
  name: 'Adyen',
  // https://docs.adyen.com/development-resources/currency-codes: "differs from standard" for these four.
  digits: { CLP: 2, CVE: 0, IDR: 0, ISK: 2 },
};

const shiftOf = (rules: AmountRules, currency: string) => {
  const code = currency.toUpperCase();
  return (rules.digits[code] ?? minorUnitDigits(code)) - minorUnitDigits(code);
};

/** Why the provider cannot take this amount (ISO minor units) in this currency; undefined when it can. */
export function amountProblem(rules: AmountRules, amount: number, currency: string): string | undefined {
  const code = currency.toUpperCase();
  const shift = shiftOf(rules, code);
  // In the vault's units: the provider's step, or a whole unit of the provider's coarser minor unit.
  const multiple = Math.max(shift < 0 ? 10 ** -shift : 1, (rules.step?.(code) ?? 1) / 10 ** Math.max(0, shift));
  return amount % multiple === 0
    ? undefined
    : `${rules.name} cannot take ${code} amounts finer than ${multiple} minor units: amount must be a multiple of ${multiple}`;
}

/**
 * The amount in the provider's units. Throws when the provider cannot take it: the API refuses such an
 * amount first (a 400 naming it); one that reaches here (the shop changed provider since) is never sent.
 */
export function toProviderUnits(rules: AmountRules, amount: number, currency: string): number {
  const problem = amountProblem(rules, amount, currency);
  if (problem) throw new Error(problem);
  const shift = shiftOf(rules, currency);
  return shift >= 0 ? amount * 10 ** shift : amount / 10 ** -shift;
}

/** A provider's amount (a dispute's) in ISO minor units: not rounded, so one that is not whole is refused as it came. */
export function fromProviderUnits(rules: AmountRules, amount: number, currency: string): number {
  const shift = shiftOf(rules, currency);
  return shift >= 0 ? amount / 10 ** shift : amount * 10 ** -shift;
}
