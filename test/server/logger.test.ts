import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createLogger, scrub } from '../../server/logger.ts';

const PANS = ['4242424242424242', '4242 4242 4242 4242', '4242-4242-4242-4242', '378282246310005', '3782 822463 10005', '5555555555554444'];

function capture(level = 'trace') {
  const chunks: string[] = [];
  const logger = createLogger({ level, destination: { write: (s: string) => void chunks.push(s) } });
  return {
    logger,
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function expectNoCardNumbers(text: string) {
  for (const pan of PANS) expect(text).not.toContain(pan);
}

function luhnCheckDigit(body: number[]): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body[body.length - 1 - i];
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

const luhnPan = fc
  .integer({ min: 13, max: 19 })
  .chain((len) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: len - 1, maxLength: len - 1 }))
  .map((body) => body.join('') + luhnCheckDigit(body));

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.stringMatching(/^[0-9 -]{0,6}$/));

describe('vault logger', () => {
  it('writes JSON lines tagged with the service and an ISO time', () => {
    const { logger, lines } = capture();
    logger.info('hello');
    const [line] = lines();
    expect(line).toMatchObject({ service: 'vault', msg: 'hello', level: 30 });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('never prints a card number that is part of the message', () => {
    const { logger, raw } = capture();
    logger.info('charging 4242424242424242 now');
    logger.info('card 4242 4242 4242 4242 and 4242-4242-4242-4242');
    logger.info('amex %s', '378282246310005');
    logger.info('amex spaced 3782 822463 10005');
    logger.info('as a number %d', 5555555555554444);
    logger.child({}, { msgPrefix: '5555555555554444 ' }).info('prefixed');
    expectNoCardNumbers(raw());
    expect(raw()).toContain('charging [redacted-pan] now');
  });

  it('never prints a card number nested inside a logged object', () => {
    const { logger, raw } = capture();
    logger.info({ request: { body: { note: 'pay with 4242424242424242', deep: { deeper: { text: '3782 822463 10005' } } } } }, 'req');
    logger.info({ mc: 5555555555554444, 4242424242424242: 'as a key' }, 'numbers');
    expectNoCardNumbers(raw());
  });

  it('never prints a card number inside an array', () => {
    const { logger, raw } = capture();
    logger.info({ cards: ['4242 4242 4242 4242', { text: '5555555555554444' }, ['378282246310005']] }, 'list');
    expectNoCardNumbers(raw());
  });

  it('never prints a card number that is inside an error message', () => {
    const { logger, raw, lines } = capture();
    logger.error(new Error('declined 4242424242424242'));
    logger.error({ err: new Error('bad card 5555555555554444') }, 'charge failed');
    logger.error({ err: new Error('outer', { cause: new Error('inner 378282246310005') }) });
    logger.error({ failure: new TypeError('nested 4242-4242-4242-4242') }, 'not under err');
    expectNoCardNumbers(raw());
    const [first, second] = lines();
    expect(first.msg).toBe('declined [redacted-pan]');
    expect(second.err).toMatchObject({ type: 'Error', message: 'bad card [redacted-pan]' });
    expect(String((second.err as { stack: string }).stack)).toContain('bad card [redacted-pan]');
  });

  it('never prints a card number or CVC attached to an error as a property', () => {
    const { logger, raw } = capture();
    const err = Object.assign(new Error('declined'), { card: { number: '4242424242424242', cvc: '123' }, detail: 'pan 5555555555554444' });
    logger.error({ err }, 'charge failed');
    expectNoCardNumbers(raw());
    expect(raw()).not.toContain('"123"');
  });

  it('redacts cvc and card number fields by name, at any depth', () => {
    const { logger, lines } = capture();
    logger.info({ cvc: '123' });
    logger.info({ card: { cvc: '9876', number: '4000000000003220' } });
    logger.info({ payload: [{ card: { CVV: '321', Card_Number: 'x', securityCode: '55' } }] });
    const [a, b, c] = lines();
    expect(a.cvc).toBe('[redacted]');
    expect(b.card).toEqual({ cvc: '[redacted]', number: '[redacted]' });
    expect(c.payload).toEqual([{ card: { CVV: '[redacted]', Card_Number: '[redacted]', securityCode: '[redacted]' } }]);
  });

  it('redacts credentials by name regardless of case', () => {
    const { logger, raw, lines } = capture();
    logger.info({ headers: { Authorization: 'Bearer sk_live_abc' }, client_secret: 'cs_1', PASSWORD: 'hunter2', secret_key: 'sk_2', webhook_secret: 'wh_3' });
    const [line] = lines();
    expect(line).toMatchObject({ headers: { Authorization: '[redacted]' }, client_secret: '[redacted]', PASSWORD: '[redacted]' });
    for (const secret of ['sk_live_abc', 'cs_1', 'hunter2', 'sk_2', 'wh_3']) expect(raw()).not.toContain(secret);
  });

  it('never prints a card number or CVC bound to a child logger', () => {
    const { logger, raw, lines } = capture();
    logger.child({ cvc: '123', note: '4242 4242 4242 4242' }).info('from child');
    expectNoCardNumbers(raw());
    expect(lines()[0]).toMatchObject({ cvc: '[redacted]', note: '[redacted-pan]', service: 'vault' });
  });

  it('never prints a card number or CVC bound to a grandchild or added with setBindings', () => {
    const { logger, raw, lines } = capture();
    const grandchild = logger.child({ a: 1 }, { level: 'info' }).child({ card: { cvc: '123', note: '5555555555554444' } });
    grandchild.setBindings({ pan: 'x', later: '378282246310005' });
    grandchild.info('deep');
    expectNoCardNumbers(raw());
    expect(lines()[0]).toMatchObject({ card: { cvc: '[redacted]', note: '[redacted-pan]' }, pan: '[redacted]', later: '[redacted-pan]' });
  });

  it('still hides a card number produced by a serializer the scrubber never saw, and keeps the line valid JSON', () => {
    const { logger, raw, lines } = capture();
    const child = logger.child({}, { serializers: { ref: () => 4242424242424242, label: () => 'pan 5555 5555 5555 4444' } });
    child.info({ ref: 'r', label: 'l', amount: 1999 }, 'custom serializers');
    expectNoCardNumbers(raw());
    expect(raw()).not.toContain('5555 5555 5555 4444');
    expect(lines()[0]).toMatchObject({ ref: '[redacted-pan]', label: 'pan [redacted-pan]', amount: 1999, msg: 'custom serializers' });
  });

  it('keeps amounts, unix seconds and ISO timestamps intact', () => {
    const { logger, lines } = capture();
    const iso = '2026-11-24T05:47:32.000Z';
    logger.info({ amount: 1999, created: 1732420000, at: iso, text: `1999 cents at 1732420000 on ${iso}` }, `charged 1999 at ${iso}`);
    expect(lines()[0]).toMatchObject({ amount: 1999, created: 1732420000, at: iso, text: `1999 cents at 1732420000 on ${iso}`, msg: `charged 1999 at ${iso}` });
    expect(scrub('2026-11-24')).toBe('2026-11-24');
    expect(scrub('last4 4242, exp 12/34, phone 555-123-4567')).toBe('last4 4242, exp 12/34, phone 555-123-4567');
  });

  it('does not change the object it was given', () => {
    const input = { card: { number: '4242424242424242', cvc: '123' }, list: ['5555555555554444'], err: new Error('x 378282246310005') };
    const snapshot = structuredClone({ card: input.card, list: input.list });
    const { logger } = capture();
    logger.info(input, 'charge');
    scrub(input);
    expect({ card: input.card, list: input.list }).toEqual(snapshot);
    expect(input.err.message).toBe('x 378282246310005');
  });

  it('hands back clean values untouched instead of copying them', () => {
    const clean = { route: '/v1/cards', status: 200, tags: ['a', 'b'], nested: { ms: 12 } };
    expect(scrub(clean)).toBe(clean);
    const dirty = { keep: clean.nested, note: '4242424242424242' };
    const out = scrub(dirty) as typeof dirty;
    expect(out).not.toBe(dirty);
    expect(out.keep).toBe(clean.nested);
  });

  it('survives circular references without leaking through them', () => {
    const loop: Record<string, unknown> = { note: '4242424242424242' };
    loop.self = loop;
    const { logger, raw } = capture();
    logger.info({ loop }, 'cyclic');
    expectNoCardNumbers(raw());
    expect(scrub(loop)).toEqual({ note: '[redacted-pan]', self: '[Circular]' });
  });

  it('never lets a Luhn-valid card number embedded in any text through scrub or a log line', () => {
    fc.assert(
      fc.property(luhnPan, text, text, text, (pan, before, between, after) => {
        const spaced = pan.match(/.{1,4}/g)!.join(' ');
        const input = `${before}${pan}${between}${spaced}${after}`;
        const scrubbed = JSON.stringify(scrub({ input, list: [input], nested: { input } }));
        const { logger, raw } = capture();
        logger.info({ input }, input);
        logger.error(new Error(input));
        for (const out of [scrubbed, raw()]) {
          expect(out).not.toContain(pan);
          expect(out).not.toContain(spaced);
        }
      }),
      { numRuns: 300 },
    );
  });
});
