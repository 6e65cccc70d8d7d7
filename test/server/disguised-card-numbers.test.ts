// A card number written with any single separator between its digits (dots, underscores, slashes, …)
// is still a card number: the request filters refuse it and the log scrubber hides it.
import valid from 'card-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsCardNumber } from '../../protocol/cards.ts';
import { createLogger } from '../../server/logger.ts';
import { CARDS, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const SEPARATORS = ['.', '_', '/', ' ', '-', '+', ':', ',', '|', '~'];
const disguise = (number: string, sep: string) => number.match(/.{1,4}/g)!.join(sep);
const isCard = (d: string) => valid.number(d).isValid;

describe('card numbers in disguise', () => {
  it('are found whatever single character separates the digits', () => {
    for (const sep of SEPARATORS) {
      expect(containsCardNumber(disguise(CARDS.visa, sep), isCard), sep).toBe(true);
      expect(containsCardNumber(`order ${disguise(CARDS.mastercard, sep)} please`, isCard), sep).toBe(true);
      expect(containsCardNumber(`4242${sep}4242${sep}${sep}4242${sep}4242`, isCard), `double ${sep}`).toBe(false);
    }
    // Letters break a run: a time stamp or an id is not a card number.
    expect(containsCardNumber('2026-11-24T05:47:32.123Z', isCard)).toBe(false);
    expect(containsCardNumber('inv_4242a4242', isCard)).toBe(false);
  });

  it('never reach a log line, with or without separators', () => {
    const chunks: string[] = [];
    const logger = createLogger({ destination: { write: (s: string) => void chunks.push(s) } });
    for (const sep of SEPARATORS) {
      logger.info({ customer: disguise(CARDS.visa, sep) }, `order ${disguise(CARDS.amex, sep)}`);
      logger.info(`path /v1/customers/${disguise(CARDS.mastercard, sep)}/cards`);
    }
    const raw = chunks.join('');
    for (const number of [CARDS.visa, CARDS.amex, CARDS.mastercard]) {
      for (const sep of SEPARATORS) expect(raw).not.toContain(disguise(number, sep));
      expect(raw.replace(/\D/g, '')).not.toContain(number);
    }
    // An ISO time keeps its shape: letters break the run.
    expect(JSON.parse(chunks[0]).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('the API refuses a disguised card number where it would echo it', () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault('sqlite');
  });
  afterAll(() => v.close());

  it('refuses a Luhn-valid number of a brand card-validator does not know (RuPay, UATP)', async () => {
    for (const order of ['8200 0000 0000 0001', '1234 0000 0000 004', 'ref 8200.0000.0000.0001']) {
      const res = await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD', order } });
      expect(res.status, order).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'order' });
    }
    // Another provider's network transaction id is often all digits: only a known brand's number is refused there.
    expect(containsCardNumber('1234 0000 0000 004', (d) => valid.number(d).isValid)).toBe(false);
  });

  it('keeps a percent-encoded card number in a path out of the log', async () => {
    const before = v.logs.length;
    for (const sep of ['%2C', '%2F', '%3A', '%2B', '%3B']) {
      const res = await v.api('GET', `/v1/customers/${disguise(CARDS.visa, sep)}/cards`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.text.replace(/%[0-9A-F]{2}/gi, '').replace(/\D/g, '')).not.toContain(CARDS.visa);
    }
    const logged = v.logs.slice(before).join('');
    expect(logged).toContain('"path"');
    expect(logged.replace(/%[0-9A-F]{2}/gi, '').replace(/\D/g, '')).not.toContain(CARDS.visa);
  });

  for (const sep of ['.', '_', '/']) {
    it(`refuses ${JSON.stringify(sep)}-separated numbers in a customer number, an order and a description, and logs none`, async () => {
      const pan = disguise(CARDS.visa, sep);
      const asCustomer = sep === '/' ? disguise(CARDS.visa, '.') : pan; // a slash would split the path itself
      const before = v.logs.length;
      const replies = [
        await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD', order: pan } }),
        await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD', customer: asCustomer } }),
        await v.api('POST', `/v1/customers/${encodeURIComponent(asCustomer)}`, { body: { email: 'a@example.test' } }),
        await v.api('GET', `/v1/customers/${encodeURIComponent(asCustomer)}/cards`),
        await v.api('POST', '/v1/invoices', {
          body: { customer: 'c-disguise', amount: 100, currency: 'USD', due_date: '2099-01-01', description: `card ${pan}` },
        }),
      ];
      for (const reply of replies) {
        expect(reply.status, reply.text).toBe(400);
        expect(reply.body.error.code).toBe('parameter_invalid');
        expect(reply.text.replace(/\D/g, '')).not.toContain(CARDS.visa);
      }
      const logged = v.logs.slice(before).join('');
      expect(logged.replace(/\D/g, '')).not.toContain(CARDS.visa);
    });
  }
});
