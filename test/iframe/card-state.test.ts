import valid from 'card-validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsCardNumber } from '../../protocol/cards.ts';
import {
  brandOf,
  caretAfterDigits,
  changeSummary,
  checkCvc,
  checkExpiry,
  checkNumber,
  formatCvc,
  formatExpiry,
  formatNumber,
  maxNumberLength,
  parseExpiry,
  visibleError,
  type FieldCheck,
} from '../../iframe/card-state.ts';
import { initialForm, judgeForm, type FormState } from '../../iframe/form-state.ts';
import { CARDS } from '../helpers/test-vault.ts';

const NOW = new Date('2026-05-15T12:00:00Z');
const typing = { touched: false, focused: true, submitted: false };
const left = { touched: true, focused: false, submitted: false };
const back = { touched: true, focused: true, submitted: false };
const submitted = { touched: false, focused: false, submitted: true };

/** A Luhn-valid number of the given digits (the check digit appended). */
function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhn(body + d)) return body + d;
  throw new Error('unreachable');
}
function luhn(n: string): boolean {
  let sum = 0;
  for (let i = 0; i < n.length; i++) {
    let d = Number(n[n.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

describe('formatNumber', () => {
  it('spaces Visa, Mastercard and other 16-digit brands 4-4-4-4', () => {
    expect(formatNumber(CARDS.visa)).toBe('4242 4242 4242 4242');
    expect(formatNumber(CARDS.mastercard)).toBe('5555 5555 5555 4444');
  });

  it('spaces Amex 4-6-5', () => {
    expect(formatNumber(CARDS.amex)).toBe('3782 822463 10005');
    expect(formatNumber('3782822')).toBe('3782 822');
  });

  it('formats as typed, dropping anything but digits', () => {
    expect(formatNumber('4')).toBe('4');
    expect(formatNumber('42424')).toBe('4242 4');
    expect(formatNumber('4242-4242 x4242')).toBe('4242 4242 4242');
    expect(formatNumber('')).toBe('');
  });

  it("stops at the brand's longest number", () => {
    expect(formatNumber(`${CARDS.amex}99`)).toBe('3782 822463 10005');
    expect(formatNumber(`${CARDS.mastercard}1`)).toBe('5555 5555 5555 4444');
    expect(maxNumberLength(CARDS.amex)).toBe(15);
    expect(maxNumberLength(CARDS.visa)).toBe(19);
  });

  it('puts the caret back after the same digit', () => {
    expect(caretAfterDigits('4242 4242 42', 5)).toBe(6);
    expect(caretAfterDigits('4242 4242 42', 4)).toBe(4);
    expect(caretAfterDigits('4242', 0)).toBe(0);
    expect(caretAfterDigits('42', 9)).toBe(2);
  });
});

describe('brandOf', () => {
  it("names the brand in the contract's words", () => {
    expect(brandOf(CARDS.visa).brand).toBe('visa');
    expect(brandOf('5555').brand).toBe('mastercard');
    expect(brandOf('37').brand).toBe('amex');
    expect(brandOf('6011').brand).toBe('discover');
  });

  it('says unknown while the digits fit several brands or none', () => {
    expect(brandOf('').brand).toBe('unknown');
    expect(brandOf('9999').brand).toBe('unknown');
  });

  it('asks a four-digit security code for Amex, three for others, either while unknown', () => {
    expect(brandOf(CARDS.amex).cvcSizes).toEqual([4]);
    expect(brandOf(CARDS.visa).cvcSizes).toEqual([3]);
    expect(brandOf('').cvcSizes).toEqual([3, 4]);
  });
});

describe('checkCvc and formatCvc', () => {
  it("accepts exactly the brand's length", () => {
    expect(checkCvc('1234', [4])).toMatchObject({ valid: true });
    expect(checkCvc('123', [4])).toMatchObject({ valid: false, potential: true, code: 'invalid_cvc' });
    expect(checkCvc('123', [3])).toMatchObject({ valid: true });
    expect(checkCvc('1234', [3])).toMatchObject({ valid: false, potential: false });
    expect(checkCvc('12a', [3])).toMatchObject({ valid: false, potential: false });
  });

  it("keeps digits only, up to the brand's length", () => {
    expect(formatCvc('12345', [4])).toBe('1234');
    expect(formatCvc('1 2x3', [3])).toBe('123');
  });
});

describe('formatExpiry and parseExpiry', () => {
  it.each([
    ['1230', '12 / 30'],
    ['12/30', '12 / 30'],
    ['12 / 30', '12 / 30'],
    ['1/30', '01 / 30'],
    ['12/2030', '12 / 30'],
    ['122030', '12 / 30'],
    ['4', '04'],
    ['1', '1'],
    ['123', '12 / 3'],
    ['12 / ', '12'],
    ['', ''],
  ])('writes %j as %j', (typed, shown) => {
    expect(formatExpiry(typed)).toBe(shown);
  });

  it('reads a month and a four-digit year', () => {
    expect(parseExpiry('12/30')).toEqual({ month: 12, year: 2030 });
    expect(parseExpiry('1230')).toEqual({ month: 12, year: 2030 });
    expect(parseExpiry('12 / 3')).toBeUndefined();
  });
});

describe('checkExpiry', () => {
  it('accepts this month and later, up to 20 years ahead', () => {
    expect(checkExpiry('05 / 26', NOW)).toMatchObject({ valid: true });
    expect(checkExpiry('12 / 46', NOW)).toMatchObject({ valid: true });
  });

  it('calls a past date expired and never valid again', () => {
    expect(checkExpiry('04 / 26', NOW)).toEqual({ empty: false, valid: false, potential: false, code: 'expired_card' });
  });

  it('refuses month 13 and a year too far ahead', () => {
    expect(checkExpiry('13', NOW)).toMatchObject({ potential: false, code: 'invalid_expiry' });
    expect(checkExpiry('12 / 47', NOW)).toMatchObject({ potential: false, code: 'invalid_expiry' });
  });

  it('treats a half-typed date as possibly valid', () => {
    expect(checkExpiry('1', NOW)).toMatchObject({ valid: false, potential: true });
    expect(checkExpiry('12 / 3', NOW)).toMatchObject({ valid: false, potential: true, code: 'invalid_expiry' });
  });
});

describe('checkNumber', () => {
  it('accepts the test cards', () => {
    for (const number of Object.values(CARDS)) expect(checkNumber(number).valid).toBe(true);
  });

  it('calls a short number incomplete and a full one that fails Luhn invalid', () => {
    expect(checkNumber('4242 42')).toMatchObject({ valid: false, potential: true, code: 'incomplete_number' });
    expect(checkNumber('4242 4242 4242 4241')).toMatchObject({ valid: false, code: 'invalid_number' });
    expect(checkNumber('9999 9999')).toMatchObject({ potential: false, code: 'invalid_number' });
  });
});

describe('visibleError: an error shows once the field is left, never while a valid value may still be typed', () => {
  const incomplete = checkNumber('4242 42');
  const impossible = checkNumber('9999 9999');
  const empty = checkNumber('');

  it('shows nothing while the customer is first typing, even a value that cannot become valid', () => {
    expect(visibleError(incomplete, typing)).toBeUndefined();
    expect(visibleError(impossible, typing)).toBeUndefined();
  });

  it('shows the error when the field is left with a value that is not valid', () => {
    expect(visibleError(incomplete, left)).toBe('incomplete_number');
    expect(visibleError(impossible, left)).toBe('invalid_number');
  });

  it('hides it again while the customer fixes the value, unless it can no longer become valid', () => {
    expect(visibleError(incomplete, back)).toBeUndefined();
    expect(visibleError(impossible, back)).toBe('invalid_number');
  });

  it('after a submit, flags the focused field too, until the customer changes its value', () => {
    const mistyped = checkNumber('4242 4242 4242 4241');
    expect(mistyped).toMatchObject({ valid: false, potential: true, code: 'invalid_number' });
    expect(visibleError(mistyped, { ...back, submitted: true })).toBe('invalid_number');
    expect(visibleError(mistyped, { ...back, submitted: true, edited: true })).toBeUndefined();
  });

  it('flags an empty field only after a submit', () => {
    expect(visibleError(empty, left)).toBeUndefined();
    expect(visibleError(empty, submitted)).toBe('incomplete_number');
  });

  it('never flags a valid value', () => {
    const ok: FieldCheck = checkNumber(CARDS.visa);
    for (const at of [typing, left, back, submitted]) expect(visibleError(ok, at)).toBeUndefined();
  });
});

describe('the change summary', () => {
  const session = { save_card: 'off' as const, recurring: null };
  const form = (fields: Partial<FormState['fields']>, extra: Partial<FormState> = {}): FormState => ({
    ...initialForm({ cards: [] }),
    fields: { number: '', expiry: '', cvc: '', holder: '', ...fields },
    ...extra,
  });
  const summary = (s: FormState) => {
    const v = judgeForm(s, session, NOW);
    return changeSummary({ complete: v.complete, empty: v.empty, brand: v.brand, error: Object.values(v.errors)[0] }, (code) => `message for ${code}`);
  };

  it('says complete, empty and the brand', () => {
    expect(summary(form({}))).toEqual({ complete: false, empty: true, brand: 'unknown' });
    expect(summary(form({ number: formatNumber(CARDS.visa), expiry: '12 / 30', cvc: '123' }))).toEqual({ complete: true, empty: false, brand: 'visa' });
    expect(summary(form({ number: '3782' }))).toMatchObject({ complete: false, empty: false, brand: 'amex' });
  });

  it('carries the first shown error with its code and text', () => {
    expect(summary(form({ number: '4242 42' }, { touched: { number: true } }))).toMatchObject({
      error: { code: 'incomplete_number', message: 'message for incomplete_number' },
    });
  });

  it('never contains the card number, whatever was typed', () => {
    const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((a) => a.join(''));
    const cardNumber = fc.oneof(
      digits(11, 15).map((body) => withCheckDigit(`4${body}`)),
      digits(13, 13).map((body) => withCheckDigit(`37${body}`)),
      digits(14, 14).map((body) => withCheckDigit(`5${body}`)),
    );
    fc.assert(
      fc.property(cardNumber, fc.boolean(), fc.boolean(), fc.constantFrom('', '12 / 30', '13 / 99'), (number, spaced, touched, expiry) => {
        const s = form(
          { number: spaced ? formatNumber(number) : number, expiry, cvc: '123' },
          { touched: { number: touched, expiry: touched }, submitted: touched },
        );
        const json = JSON.stringify(summary(s));
        expect(json).not.toContain(number.slice(-8));
        expect(containsCardNumber(json, (d) => valid.number(d).isValid)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
