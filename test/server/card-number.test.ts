// The server's card-number verdict (server/payments/card-number.ts) keeps each brand by a number's
// leading digits. It must give exactly card-validator's verdict for any input, in any order of
// questions, with what it keeps full or cleared, whatever a caller does to what it was handed; keep
// no more than a number's first six digits (eight under a Troy or Hiper head); and the paths that use
// it must answer as before: the test-mode rule, invalid numbers, a card number in an Idempotency-Key,
// the CVC size of a saved card. (Written as an attack review, then joined with the first tests.)
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import valid from 'card-validator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberVerdict } from '../../server/payments/card-number.ts';
import { TEST_CARDS } from '../../server/payments/simulated-processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { everyRow } from '../helpers/storage-scan.ts';
import { withCheckDigit } from '../helpers/test-cards.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const types = valid.creditCardType;
type Pattern = number | [number, number];
const ALL_PATTERNS: Pattern[] = Object.values(types.types).flatMap((type) => types.getTypeInfo(type).patterns as Pattern[]);
/** Every pattern's ends and their neighbours, as digit strings. */
const PATTERN_ENDS = [...new Set(ALL_PATTERNS.flatMap((p) => (Array.isArray(p) ? [p[0], p[1], p[0] - 1, p[1] + 1] : [p, p - 1, p + 1])).map(String))];
/** The six-digit heads of the patterns longer than six digits (Troy, Hiper): where eight digits are kept. */
const LONG_HEADS = [
  ...new Set(
    ALL_PATTERNS.flatMap((p) => {
      const [low, high] = Array.isArray(p) ? p : [p, p];
      const n = String(low).length;
      if (n <= 6) return [];
      const scale = 10 ** (n - 6);
      const heads: string[] = [];
      for (let h = Math.floor(low / scale); h <= Math.floor(high / scale); h++) heads.push(String(h));
      return heads;
    }),
  ),
];

const verdictOf = (number: string) => {
  const v = valid.number(number);
  return { isValid: v.isValid, card: v.card };
};
function expectSame(number: string): void {
  const ours = numberVerdict(number);
  expect({ number, isValid: ours.isValid, card: ours.card }, JSON.stringify(number)).toEqual({ number, ...verdictOf(number) });
}

const DIGITS = '0123456789';
const randomDigits = (n: number) => Array.from({ length: n }, () => DIGITS[crypto.randomInt(10)]).join('');
const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...DIGITS), minLength: min, maxLength: max });
/** A number of `length` digits that starts with `head` and passes Luhn (or, with `luhn` false, fails it). */
function numberFrom(head: string, length: number, luhn = true): string {
  const good = withCheckDigit((head + randomDigits(length)).slice(0, length - 1));
  return luhn ? good : good.slice(0, -1) + ((Number(good.at(-1)) + 1) % 10);
}

describe('numberVerdict against card-validator', () => {
  it('gives the same verdict for any string a caller may pass: unicode digits, separators, signs, lengths 0 to 40', () => {
    const odd = ['٠', '٣', '０', '９', '𝟒', '߁', '²', '⁴', ' ', '\u00a0', '\u3000', '\n', '\t', '-', '–', '+', '.', 'e', 'x', '\u200b', '\0'];
    const unit = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...DIGITS) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('', ...PATTERN_ENDS), digits(0, 8)), fc.string({ unit, minLength: 0, maxLength: 40 }), (head, rest) => {
        expectSame(head + rest);
        expectSame((head + rest).slice(0, 16));
        expectSame((head + rest).slice(0, 19));
      }),
      { numRuns: 4000 },
    );
  });

  it('takes every test card and refuses a typo in each, as card-validator does', () => {
    for (const { number } of TEST_CARDS) {
      expect(numberVerdict(number).isValid, number).toBe(true);
      const typo = number.slice(0, -1) + ((Number(number.at(-1)) + 1) % 10);
      expect(numberVerdict(typo).isValid, typo).toBe(false);
      expectSame(number);
      expectSame(typo);
    }
  });

  it('gives the same verdict with leading zeros, all-zero, all-nine and 12 to 15 or 20+ digit numbers', () => {
    for (const n of [
      '0000000000000000',
      '9999999999999999',
      `0${CARDS.visa}`,
      `00${CARDS.visa}`,
      `000${CARDS.visa}`,
      `${CARDS.visa}0`,
      `${CARDS.visa}000`,
      CARDS.visa.slice(0, 12),
      CARDS.visa.slice(0, 13),
      withCheckDigit('424242424242'),
      withCheckDigit('42424242424242'),
      CARDS.amex,
      '4'.repeat(20),
      '4'.repeat(10_000),
      withCheckDigit('4'.repeat(19)),
    ]) {
      expectSame(n);
    }
  });

  it('gives the same verdict whatever was asked before under the same leading digits (short then long, invalid then valid, every length)', () => {
    const heads = [...PATTERN_ENDS.filter((h) => h.length <= 8), ...LONG_HEADS];
    fc.assert(
      fc.property(
        fc.constantFrom(...heads),
        fc.array(fc.record({ length: fc.integer({ min: 12, max: 19 }), luhn: fc.boolean(), tail: digits(8, 8) }), { minLength: 2, maxLength: 8 }),
        (head, asks) => {
          for (const { length, luhn, tail } of asks) {
            // For a long head, the seventh and eighth digits vary: Troy's 65083700 and Discover's 65083799 share 650837.
            const start = head.length === 6 && LONG_HEADS.includes(head) ? head + tail.slice(0, 2) : head;
            expectSame(numberFrom(start, length, luhn));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('gives the same verdict for every seventh and eighth digit under each Troy/Hiper head, in both orders', () => {
    for (const order of [1, -1]) {
      for (const head of LONG_HEADS) {
        const tails = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
        if (order < 0) tails.reverse();
        for (const tail of tails) {
          expectSame(numberFrom(head + tail, 16));
          expectSame(numberFrom(head + tail, 19, false));
        }
      }
    }
  });

  it('gives the same verdict across the clearing of what it keeps, at and after 4096 leading digits', () => {
    const probes = [...TEST_CARDS.map((c) => c.number), numberFrom('65083700', 16), numberFrom('63737423', 16), numberFrom('65083799', 16)];
    for (let i = 0; i < 3 * 4096 + 7; i++) {
      // Distinct six- and eight-digit heads, a Troy head every so often: the clearing lands on every kind.
      const head = i % 5 === 0 ? `${LONG_HEADS[i % LONG_HEADS.length]}${String(i % 100).padStart(2, '0')}` : String(100_000 + i * 37);
      numberVerdict(numberFrom(head, 16, i % 2 === 0));
      if (i % 1021 === 0 || (i >= 4090 && i <= 4100)) for (const n of probes) expectSame(n);
    }
    for (const n of probes) expectSame(n);
  });

  it('cannot be turned by a caller that mutates the brand it was handed (a Visa number failing Luhn stays invalid)', () => {
    const card = numberVerdict(CARDS.visa).card as any;
    expect(card?.type).toBe('visa');
    const attempts: [string, () => unknown][] = [
      ['type', () => (card.type = 'unionpay')],
      ['lengths.push', () => card.lengths.push(17)],
      ['lengths[0]', () => (card.lengths[0] = 17)],
      ['lengths.length', () => (card.lengths.length = 0)],
      ['code.size', () => (card.code.size = 4)],
      ['code replaced', () => (card.code = { name: 'CVV', size: 4 })],
      ['new property', () => (card.extra = true)],
      ['delete', () => delete card.lengths],
      ['defineProperty', () => Object.defineProperty(card, 'type', { value: 'unionpay' })],
      ['setPrototypeOf', () => Object.setPrototypeOf(card, { lengths: [17] })],
      ['patterns.pop', () => card.patterns.pop()],
      ['gaps.splice', () => card.gaps.splice(0)],
    ];
    for (const [name, attempt] of attempts) expect(attempt, name).toThrow(TypeError);
    const typo = `${CARDS.visa.slice(0, -1)}3`;
    expect(numberVerdict(typo).isValid).toBe(false);
    expect(numberVerdict(`${CARDS.visa}0`).isValid).toBe(false);
    expect(numberVerdict(freshish('424242', 16)).card?.code.size).toBe(3);
    for (const n of [CARDS.visa, typo, numberFrom('424242', 17), numberFrom('424242', 19)]) expectSame(n);
    // What an uncached (15-digit) answer hands out is the caller's own: changing it changes nothing later.
    const amex = numberVerdict(CARDS.amex).card as any;
    amex.code.size = 3;
    amex.lengths.push(16);
    expect(numberVerdict(CARDS.amex).card?.code.size).toBe(4);
    expectSame(numberFrom('378282', 16));
  });

  it('keeps no more than the first six digits of a number it was asked about, eight under a Troy/Hiper head (heap snapshot)', () => {
    // A child process asks, lets go of the numbers, and searches its heap; the numbers are held only as
    // digit arrays, so a string found in the heap was made by the code under test. A number the script
    // keeps on purpose must be found, or the search proves nothing.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'card-number-heap-'));
    const script = path.join(dir, 'probe.ts');
    const module = path.resolve(import.meta.dirname, '../../server/payments/card-number.ts');
    fs.writeFileSync(
      script,
      `import fs from 'node:fs';
import v8 from 'node:v8';
import { numberVerdict } from ${JSON.stringify(module)};
const spec = ${JSON.stringify([
        ['4', 16],
        ['5', 16],
        ['4', 19],
        ['65083700', 16],
        ['63737423', 16],
        ['650837', 16],
        ['4', 15],
        ['4', 13],
      ])};
const asked = [];
// In a function that returns: a running frame would keep its last number in a register.
function askAll() {
  for (const [head, length] of spec) for (let i = 0; i < 3; i++) {
    const d = [...head].map(Number);
    while (d.length < length) d.push(Math.floor(Math.random() * 10));
    numberVerdict(d.join(''));
    asked.push(d);
  }
}
askAll();
const control = [4, 5, 3, 9, 7, 1, 8, 2, 6, 4, 0, 3, 5, 7, 9, 1];
globalThis.kept = control.join('');
// A successful match: the last one's subject (RegExp.input) would otherwise still hold a number.
/y/.test('y');
globalThis.gc();
const file = v8.writeHeapSnapshot(${JSON.stringify(path.join(dir, 'h.heapsnapshot'))});
const strings = JSON.parse(fs.readFileSync(file, 'utf8')).strings;
fs.rmSync(file);
const all = new Set(strings);
const within = (s) => strings.some((x) => x.includes(s));
const cut = (d, a, b) => d.slice(a, b).join('');
console.log(JSON.stringify({
  control: within(cut(control, 4, 13)),
  asked: asked.map((d) => ({
    length: d.length,
    head: cut(d, 0, 8),
    six: all.has(cut(d, 0, 6)),
    kept: [7, 8, 9, 10, 11, 12].filter((n) => n < d.length && all.has(cut(d, 0, n))),
    // Nine digits in a row from past the first four, and the last nine: what no cached head holds.
    middle: within(cut(d, 4, 13)) || within(cut(d, d.length - 9)),
  })),
}));
`,
    );
    try {
      const run = spawnSync(path.resolve(import.meta.dirname, '../../node_modules/.bin/tsx'), ['--expose-gc', script], { encoding: 'utf8', timeout: 15_000 });
      expect(run.status, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
        control: boolean;
        asked: { length: number; head: string; six: boolean; kept: number[]; middle: boolean }[];
      };
      expect(out.control).toBe(true);
      for (const a of out.asked) {
        const long = a.length >= 16 && LONG_HEADS.includes(a.head.slice(0, 6));
        expect(a, a.head).toMatchObject({ middle: false, kept: long ? [8] : [] });
        // The cache does hold the first six of a 16-19 digit number (else this test would not look at it).
        if (a.length >= 16 && !long) expect(a.six, a.head).toBe(true);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A valid number with `head`, not a test card's last four (a real-looking number). */
function freshish(head: string, length: number): string {
  for (;;) {
    const n = numberFrom(head, length);
    if (!TEST_CARDS.some((c) => c.number.slice(-4) === n.slice(-4))) return n;
  }
}

describeEachDb('the cached verdict through the app', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await v.api('POST', '/v1/merchant', { body: { frame_limit_per_address: 0, rate_limit: 0 } });
  });
  afterAll(() => v.close());

  let n = 0;
  const uniq = (p: string) => `${p}-${target.slice(0, 2)}-${++n}`;
  const exp = { exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 };
  const importCard = (customer: string, number: string, headers?: Record<string, string>) =>
    v.api('POST', `/v1/customers/${customer}/cards`, { body: { number, ...exp }, headers });
  const cardsOf = async (customer: string) => (await v.api('GET', `/v1/customers/${customer}/cards`)).body.data as unknown[];
  /** Fills and clears what numberVerdict keeps (the app runs in this process, on the same module). */
  const flood = () => {
    for (let i = 0; i < 5000; i++) numberVerdict(`${String(200_000 + i * 13).slice(0, 6)}${randomDigits(10)}`);
  };

  /** Real-looking numbers of each brand whose brand the cache keeps, each valid for card-validator. */
  const realNumbers = () => ({
    'visa 16': freshish('453201', 16),
    'visa 19': freshish('453201', 19),
    'mastercard 2-series': freshish('272099', 16),
    'troy 65083700': freshish('65083700', 16),
    'troy 65878311': freshish('65878311', 16),
    'hiper 63737423': freshish('63737423', 16),
    'discover under a troy head (65083799)': freshish('65083799', 16),
    'elo 650031': freshish('650031', 16),
    'mir 2200': freshish('220012', 16),
    'jcb 3528': freshish('352800', 16),
    'unionpay 62, no luhn needed': numberFrom('621234', 16, false),
  });

  for (const when of ['first asked', 'after the cache was filled and cleared']) {
    it(`refuses a real-looking card of every kept brand in a test-mode shop with 402 test_mode_live_card (${when})`, async () => {
      if (when !== 'first asked') flood();
      for (const [name, number] of Object.entries(realNumbers())) {
        expect(valid.number(number).isValid, `${name} ${number} must be valid for card-validator`).toBe(true);
        const customer = uniq('real');
        const res = await importCard(customer, number);
        expect(res.status, `${name}: ${res.text}`).toBe(402);
        expect(res.body.error, name).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'test_mode_live_card', param: 'card.number' });
        expect(res.text).not.toContain(number.slice(6, -4));
        expect(await cardsOf(customer), name).toEqual([]);
      }
      expect(await everyRow(v, target, 'cards')).not.toContain('65083700');
    });

    it(`answers invalid_number for numbers card-validator refuses (${when})`, async () => {
      if (when !== 'first asked') flood();
      const invalid: Record<string, string> = {
        'visa failing luhn': numberFrom('453201', 16, false),
        'troy of 19 digits (troy is 16 only)': numberFrom('65083700', 19),
        'troy failing luhn': numberFrom('65083700', 16, false),
        'hiper of 17 digits': numberFrom('63737423', 17),
        'no brand (9…)': numberFrom('999999', 16),
        'all zeros': '0000000000000000',
        'leading zero before a test card': `0${CARDS.visa}`,
        'test card with a digit more': `${CARDS.visa}4`,
        'a 19-digit visa cut to 16, failing luhn': numberFrom(numberFrom('453201', 19).slice(0, 15), 16, false),
        '12 digits': CARDS.visa.slice(0, 12),
      };
      for (const [name, number] of Object.entries(invalid)) {
        expect(valid.number(number).isValid, `${name} ${number} must be invalid for card-validator`).toBe(false);
        const res = await importCard(uniq('bad'), number);
        expect(res.status, `${name}: ${res.text}`).toBe(400);
        expect(res.body.error, name).toMatchObject({ code: 'invalid_number', param: 'card.number' });
      }
      // A typed test card is still taken, and the last of an odd run still refused.
      expect((await importCard(uniq('ok'), CARDS.visa)).status).toBe(201);
    });

    it(`refuses an Idempotency-Key holding a card number, in a row, grouped, or under a Troy head, and takes a UUID (${when})`, async () => {
      if (when !== 'first asked') flood();
      const troy = freshish('65083700', 16);
      const hiper = freshish('63737423', 16);
      const refused = [
        '4242-4242-4242-4242',
        `order-${CARDS.visa}`,
        `${troy}`,
        `pay ${troy.match(/.{4}/g)!.join(' ')}`,
        `k-${troy.match(/.{4}/g)!.join('-')}-x`,
        `ref_${hiper}`,
        `ref_${freshish('453201', 19)}`,
        `x${numberFrom('621234', 17, false)}`,
      ];
      for (const key of refused) {
        const customer = uniq('idem-card');
        const res = await importCard(customer, CARDS.visa, { 'idempotency-key': key });
        expect(res.status, `${key}: ${res.text}`).toBe(400);
        expect(res.body.error, key).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'Idempotency-Key' });
        expect(res.text, key).not.toContain(troy.slice(6, 12));
        expect(await cardsOf(customer), key).toEqual([]);
      }
      for (const key of [crypto.randomUUID(), crypto.randomUUID(), `order-${crypto.randomUUID()}`]) {
        const customer = uniq('idem-ok');
        const res = await importCard(customer, CARDS.visa, { 'idempotency-key': key });
        expect(res.status, `${key}: ${res.text}`).toBe(201);
        expect(await cardsOf(customer)).toHaveLength(1);
      }
    });

    it(`checks a saved card's CVC by its brand's size: 3 for Visa, 4 for Amex (${when})`, async () => {
      if (when !== 'first asked') flood();
      for (const [number, right, wrong] of [
        [CARDS.visa, '123', '1234'],
        [CARDS.mastercard, '123', '12'],
        [CARDS.amex, '1234', '123'],
      ] as const) {
        const customer = uniq('cvc');
        const token = await saveCardFor(v, customer, number);
        const s = await openSession(v, { customer });
        const bad = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: wrong } });
        expect(bad.status, `${number} ${wrong}: ${bad.text}`).toBe(400);
        expect(bad.body.error).toMatchObject({ code: 'invalid_cvc', param: 'saved_card.cvc' });
        const good = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: right } });
        expect(good.status, `${number} ${right}: ${good.text}`).toBe(200);
        expect(good.body.status).toBe('succeeded');
      }
    });
  }

  it('refuses a real Troy card typed into the fields with 402 test_mode_live_card, then takes a test card', async () => {
    const number = freshish('65083700', 16);
    const s = await openSession(v, { customer: uniq('typed-troy'), save_card: 'ask' });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number.match(/.{4}/g)!.join(' ')), save: true });
    expect(res.status, res.text).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'card_declined', decline_code: 'test_mode_live_card' });
    const again = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
    expect(again.status, again.text).toBe(200);
  });
});
