// The contract's test cards, declared once for the tests, the benchmarks and the screenshot script.

export const CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  declined: '4000000000000002',
  insufficient: '4000000000009995',
  incorrectCvc: '4000000000000127',
  expired: '4000000000000069',
  processingError: '4000000000000119',
  challenge: '4000000000003220',
  declineAfterSave: '4000000000000341',
} as const;

export const newCard = (number: string, cvc = number.startsWith('37') ? '1234' : '123') => ({
  number,
  exp_month: 12,
  exp_year: new Date().getUTCFullYear() + 3,
  cvc,
});

/** `body` with the Luhn check digit that completes it. */
export function withCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/**
 * A fresh Visa number nobody else in the suite uses: what a scan of the storage must never find. It has
 * 4242 4242's first six and last four digits, as a test-mode shop takes test cards only; the six digits
 * between them leave about 100,000 valid numbers, handed out in turn from a random start so that no two
 * in one run are the same.
 */
let nextMiddle = Math.floor(Math.random() * 1e6);
export function freshVisa(): string {
  for (;;) {
    nextMiddle = (nextMiddle + 1) % 1e6;
    const candidate = withCheckDigit(`424242${String(nextMiddle).padStart(6, '0')}424`);
    if (candidate.endsWith('4242') && candidate !== '4242424242424242') return candidate;
  }
}

/** Numbers with this BIN and last four that pass Luhn, `except` left out: a sister shop's guesses at a shared card. */
export function guessesBetween(bin: string, last4: string, count: number, except: string): string[] {
  const out: string[] = [];
  for (let mid = 100_000; out.length < count; mid++) {
    const candidate = withCheckDigit(`${bin}${mid}${last4.slice(0, -1)}`);
    if (candidate.endsWith(last4) && candidate !== except) out.push(candidate);
  }
  return out;
}

/** A Visa number as a real card would have: a BIN and a last four that no test card has (refused in test mode). */
export const realLookingVisa = (length = 16) =>
  withCheckDigit(`4539${String(Math.floor(Math.random() * 1e15)).padStart(length - 5, '0')}`.slice(0, length - 1));

/** A valid number of `length` digits with `bin` and `last4` and another middle, from a random start. */
export function withEnds(bin: string, last4: string, length: number): string {
  const digits = length - bin.length - 4;
  for (let mid = Math.floor(Math.random() * 10 ** digits); ; mid = (mid + 1) % 10 ** digits) {
    const candidate = withCheckDigit(`${bin}${String(mid).padStart(digits, '0')}${last4.slice(0, 3)}`);
    if (candidate.endsWith(last4)) return candidate;
  }
}
