// The fields' bundle takes credit-card-type's matching from iframe/card-type-matcher.cjs: it must
// answer every number exactly as the library does, or a customer's card would be named, sized or
// refused differently from what card-validator promises.
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const library = require('credit-card-type') as (n: string) => unknown[];
const matcher = require('../../iframe/card-type-matcher.cjs') as ((n: string) => unknown[]) & { types: Record<string, string> };

describe("the fields' card type matcher", () => {
  it('names the same brands as credit-card-type for any prefix of any number', () => {
    // Prefixes of the brands' own ranges, and any digits at all.
    const starts = [
      '4',
      '51',
      '2221',
      '34',
      '37',
      '36',
      '6011',
      '65',
      '9792',
      '3528',
      '62',
      '6220',
      '50',
      '6',
      '2200',
      '637095',
      '606282',
      '589562',
      '506099',
      '401178',
      '',
    ];
    const digits = fc.stringMatching(/^\d{0,19}$/);
    fc.assert(
      fc.property(fc.constantFrom(...starts), digits, (start, rest) => {
        const number = (start + rest).slice(0, 19);
        expect(matcher(number)).toEqual(library(number));
      }),
      { numRuns: 3000 },
    );
  });

  it('answers non-strings and the empty number as the library does', () => {
    for (const input of ['', 42, null, undefined, {}]) expect(matcher(input as never)).toEqual(library(input as never));
  });

  it('keeps the one type name card-validator reads from it', () => {
    expect(matcher.types.UNIONPAY).toBe((library as unknown as { types: Record<string, string> }).types.UNIONPAY);
  });
});
