// Amounts typed on the dashboard in either convention: a decimal comma is a decimal, never a
// thousands separator that would make "12,50" into 1,250.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { readAmount } from '../../dashboard/amount-text.ts';
import { parseLimit } from '../../dashboard/customer/limits.ts';
import { toMinor } from '../../dashboard/payments/amounts.ts';

it('reads both conventions of writing an amount, and refuses what could mean two amounts', () => {
  const cases: [string, number, string | undefined][] = [
    ['12.50', 2, '12.50'],
    ['12,50', 2, '12.50'],
    ['12,5', 2, '12.5'],
    ['0.29', 2, '0.29'],
    ['1,250.00', 2, '1250.00'],
    ['1.250,00', 2, '1250.00'],
    ['1 250', 2, '1250'],
    ['1\u00a0250,75', 2, '1250.75'],
    ['1,250', 2, '1250'],
    ['1,250,000', 2, '1250000'],
    ['1.250.000,75', 2, '1250000.75'],
    ['500', 0, '500'],
    ['1,500', 0, '1500'],
    ['1,25', 3, '1.25'],
    // A dot then three digits: 1.25 to some, 1,250 to others.
    ['1.250', 2, undefined],
    ['12.345', 2, undefined],
    ['1.5', 0, undefined],
    ['1,2,3', 2, undefined],
    ['12,50.00', 2, undefined],
    [',50', 2, '0.50'],
    ['abc', 2, undefined],
    ['', 2, undefined],
    ['-5', 2, undefined],
  ];
  for (const [text, decimals, read] of cases) expect(readAmount(text, decimals), `${text} (${decimals} decimals)`).toBe(read);
});

it('reads any amount written with either decimal mark and either grouping as the same amount', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 99 }), (whole, cents) => {
      const grouped = (sep: string) => whole.toLocaleString('en').replace(/,/g, sep);
      const fraction = String(cents).padStart(2, '0');
      const want = `${whole}.${fraction}`;
      for (const text of [
        `${whole}.${fraction}`,
        `${whole},${fraction}`,
        `${grouped(',')}.${fraction}`,
        `${grouped('.')},${fraction}`,
        `${grouped(' ')},${fraction}`,
      ]) {
        expect(readAmount(text, 2)).toBe(want);
      }
    }),
  );
});

it('turns a typed refund, invoice or limit into the minor units the API takes, a decimal comma included', () => {
  expect(toMinor('12,50', 'USD')).toBe(1250);
  expect(toMinor('1.250,00', 'EUR')).toBe(125000);
  expect(toMinor('500', 'JPY')).toBe(500);
  expect(toMinor('5,5', 'JPY')).toBeUndefined();
  expect(toMinor('0', 'USD')).toBeUndefined();
  expect(parseLimit('12,50')).toEqual({ value: 1250 });
  expect(parseLimit('1,000.50')).toEqual({ value: 100050 });
  expect(parseLimit('')).toEqual({ value: null });
  expect(parseLimit('1.250')).toHaveProperty('error');
});
