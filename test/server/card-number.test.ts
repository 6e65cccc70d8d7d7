// The server's card-number verdict keeps each brand by a number's leading digits: it must give
// card-validator's own verdict (brand, its CVC size and lengths, valid or not) for every number,
// whatever the brand, the length, the checksum, or what was asked before.
import valid from 'card-validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberVerdict } from '../../server/payments/card-number.ts';
import { TEST_CARDS } from '../../server/payments/simulated-processor.ts';
import { withCheckDigit } from '../helpers/test-cards.ts';

const types = valid.creditCardType;
/** Every pattern's ends, as digit strings: where a brand starts and stops is where a shortcut would go wrong. */
const PATTERN_ENDS = Object.values(types.types).flatMap((type) =>
  types
    .getTypeInfo(type)
    .patterns.flatMap((p: number | number[]) => (Array.isArray(p) ? [p[0], p[1], p[0] - 1, p[1] + 1] : [p]))
    .map(String),
);

/** The number with its last digit set so that it passes Luhn. */
const luhnValid = (number: string) => withCheckDigit(number.slice(0, -1));

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const numbers = fc
  .record({
    head: fc.oneof(fc.constantFrom(...PATTERN_ENDS), digits(1, 8)),
    length: fc.integer({ min: 12, max: 19 }),
    rest: digits(19, 19),
    luhn: fc.boolean(),
  })
  .map(({ head, length, rest, luhn }) => {
    const body = (head + rest).slice(0, length);
    return luhn ? luhnValid(body) : body;
  });

function expectSameVerdict(number: string): void {
  const theirs = valid.number(number);
  const ours = numberVerdict(number);
  expect({ number, isValid: ours.isValid, card: ours.card }).toEqual({ number, isValid: theirs.isValid, card: theirs.card });
}

describe("the server's card-number verdict", () => {
  it("is card-validator's for numbers at every brand's edges, of every length, with and without a good checksum", () => {
    fc.assert(
      fc.property(numbers, (n) => expectSameVerdict(n)),
      { numRuns: 20_000 },
    );
  });

  it("is card-validator's for the same leading digits asked again with other endings (the kept brand)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATTERN_ENDS), digits(16, 16), digits(16, 16), fc.integer({ min: 16, max: 19 }), (head, a, b, length) => {
        for (const rest of [a, b]) {
          const body = (head + rest).slice(0, length);
          expectSameVerdict(body);
          expectSameVerdict(luhnValid(body));
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes every test card and refuses a typo in each, as card-validator does', () => {
    for (const { number } of TEST_CARDS) {
      expect(numberVerdict(number).isValid, number).toBe(true);
      const typo = number.slice(0, -1) + ((Number(number.at(-1)) + 1) % 10);
      expect(numberVerdict(typo).isValid, typo).toBe(false);
      expectSameVerdict(number);
      expectSameVerdict(typo);
    }
  });

  it('hands out a brand nobody can change for the next number of that brand', () => {
    const first = numberVerdict('4242424242424242').card!;
    expect(() => {
      (first.code as { size: number }).size = 4;
    }).toThrow(TypeError);
    expect(() => (first.lengths as number[]).push(12)).toThrow(TypeError);
    expect(numberVerdict('4000056655665556').card?.code.size).toBe(3);
    expect(numberVerdict('424242424242').isValid).toBe(false);
  });

  it('gives the same verdict after a flood of made-up leading digits has filled what it keeps', () => {
    for (let i = 0; i < 10_000; i++) numberVerdict(`${String(10_000_000 + i * 7919).slice(0, 8)}12345678`);
    for (const { number } of TEST_CARDS) expectSameVerdict(number);
    expectSameVerdict('6508370012345678');
    expectSameVerdict('6373742312345678');
  });
});
