// Amounts are integers in the currency's ISO 4217 minor units: 1999 USD is 19.99, 1999 JPY is ¥1,999,
// 100000 HUF is 1,000.00 forint (what Stripe and Adyen take too). Intl's own number of decimals differs
// for some currencies (none for HUF, IDR or COP, whose ISO minor unit is the hundredth), so dividing by
// Intl's would write a hundred times the sum. Plain code for every bundle: the fields, the dashboard and
// the server's messages and consent wording read it alike.

// The ISO 4217 minor units that are not 2.
const DIGITS: Record<string, number> = {};
for (const code of 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ')) DIGITS[code] = 0;
for (const code of 'BHD IQD JOD KWD LYD OMR TND'.split(' ')) DIGITS[code] = 3;
for (const code of 'CLF UYW'.split(' ')) DIGITS[code] = 4;

/** How many decimals the currency's minor unit is: 2 for USD and HUF, 0 for JPY, 3 for KWD. */
export const minorUnitDigits = (currency: string): number => DIGITS[currency.toUpperCase()] ?? 2;

/**
 * Minor units written as the locale writes the currency: a whole amount as Intl writes it ("HUF 1,000",
 * "$19.00"), anything else with the minor unit's decimals ("HUF 1,000.50"). Throws for a code Intl
 * does not take, as Intl.NumberFormat does.
 */
export function formatMinor(minor: number, currency: string, locale: string | undefined, options: Intl.NumberFormatOptions = {}): string {
  const digits = minorUnitDigits(currency);
  const unit = 10 ** digits;
  const fraction = minor % unit === 0 ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(locale, { style: 'currency', currency, ...options, ...fraction }).format(minor / unit);
}
