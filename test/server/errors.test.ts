import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, startTestVault, type Reply, type TestVault } from '../helpers/test-vault.ts';

const ERROR_TYPES = ['invalid_request_error', 'authentication_error', 'card_error', 'permission_error', 'idempotency_error', 'rate_limit_error', 'api_error'];
const ERROR_FIELDS = ['type', 'code', 'message', 'param', 'decline_code', 'charge'];

/** The contract's error body: `{ error: { type, code, message, param?, decline_code?, charge? } }` and nothing else. */
function expectErrorShape(res: Reply, context = '') {
  expect(res.headers.get('content-type') ?? '', context).toMatch(/^application\/json/);
  expect(res.body, context).toBeTypeOf('object');
  expect(Object.keys(res.body), context).toEqual(['error']);
  const error = res.body.error;
  expect(error, context).toBeTypeOf('object');
  expect(
    Object.keys(error).filter((k) => !ERROR_FIELDS.includes(k)),
    context,
  ).toEqual([]);
  expect(ERROR_TYPES, context).toContain(error.type);
  expect(error.code, context).toMatch(/^[a-z_]+$/);
  expect(error.message, context).toBeTypeOf('string');
  expect(error.message.length, context).toBeGreaterThan(0);
  for (const optional of ['param', 'decline_code', 'charge']) {
    if (optional in error) expect(error[optional], `${context} ${optional}`).toBeTypeOf('string');
  }
}

describeEachDb('Errors of the HTTP API', (target) => {
  let v: TestVault;
  let charge: string;
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    v = await startTestVault(target);
    // Hundreds of quick calls: the per-second rate limit is tested in merchant.test.ts, not here.
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0 } });
    const s = await openSession(v, { customer: 'c-errors' });
    const paid = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    charge = paid.body.charge;
  });
  afterAll(() => v.close());

  describe('request bodies', () => {
    it('answers a body that is not JSON with 400 body_not_json', async () => {
      for (const raw of ['{not json', '{"amount": 1999,', 'amount=1999&currency=USD', '<xml/>']) {
        const res = await v.api('POST', '/v1/sessions', { raw, headers: json });
        expect(res.status, raw).toBe(400);
        expect(res.body.error, raw).toMatchObject({ type: 'invalid_request_error', code: 'body_not_json' });
        expectErrorShape(res, raw);
      }
    });

    it('answers a JSON array, string, number or null body with 400', async () => {
      for (const raw of ['[]', '[{"amount":1999,"currency":"USD"}]', '"text"', '42', 'null', 'true']) {
        const res = await v.api('POST', '/v1/sessions', { raw, headers: json });
        expect(res.status, raw).toBe(400);
        expect(res.body.error.type, raw).toBe('invalid_request_error');
        expectErrorShape(res, raw);
      }
    });

    it('answers a body over 1 MB with 413 body_too_large', async () => {
      const raw = JSON.stringify({ amount: 1999, currency: 'USD', order: 'x'.repeat(1024 * 1024 + 10) });
      const res = await v.api('POST', '/v1/sessions', { raw, headers: json });
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'body_too_large' });
      expectErrorShape(res);
    });

    it('answers a body over 1 MB with 413 on every POST endpoint', async () => {
      const raw = JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) });
      for (const path of ['/v1/customers/c-big', '/v1/customers/c-big/cards', `/v1/charges/${charge}/refunds`, '/v1/merchant']) {
        const res = await v.api('POST', path, { raw, headers: json });
        expect(res.status, path).toBe(413);
        expect(res.body.error.code, path).toBe('body_too_large');
      }
    });

    it('accepts a body just under 1 MB as far as size goes', async () => {
      const raw = JSON.stringify({ amount: 1999, currency: 'USD', order: 'x'.repeat(1000 * 1000) });
      const res = await v.api('POST', '/v1/sessions', { raw, headers: json });
      expect(res.status).not.toBe(413);
      expect(res.status).toBeLessThan(500);
    });
  });

  describe('the error shape', () => {
    it('is exactly { error: { type, code, message, param? } } for every kind of failure', async () => {
      const stranger = await v.newMerchant();
      const failures: [string, Promise<Reply>][] = [
        ['no key', v.api('GET', '/v1/merchant', { key: '' })],
        ['publishable key', v.api('GET', '/v1/merchant', { key: v.merchant.publishable_key })],
        ['unknown endpoint', v.api('GET', '/v1/unknown')],
        ['missing parameter', v.api('POST', '/v1/sessions', { body: { currency: 'USD' } })],
        ['invalid parameter', v.api('POST', '/v1/sessions', { body: { amount: -1, currency: 'USD' } })],
        ['unknown parameter', v.api('POST', '/v1/customers/c-1', { body: { colour: 'red' } })],
        ['bad customer number', v.api('GET', `/v1/customers/${'x'.repeat(33)}`)],
        ['bad card number', v.api('POST', '/v1/customers/c-1/cards', { body: { number: '4242424242424241', exp_month: 12, exp_year: 2099 } })],
        ['missing charge', v.api('GET', '/v1/charges/ch_missing')],
        ['foreign charge', v.api('GET', `/v1/charges/${charge}`, { key: stranger.secret_key })],
        ['refund too large', v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 10_000_000 } })],
        ['no idempotency key', v.api('POST', '/v1/charges', { body: { customer: 'c-1', card: 'card_x', amount: 1, currency: 'USD' } })],
        ['not JSON', v.api('POST', '/v1/merchant', { raw: '{', headers: json })],
      ];
      for (const [what, pending] of failures) {
        const res = await pending;
        expect(res.status, what).toBeGreaterThanOrEqual(400);
        expect(res.status, what).toBeLessThan(500);
        expectErrorShape(res, what);
      }
    });

    it('names the parameter in param for parameter errors', async () => {
      const res = await v.api('POST', '/v1/sessions', { body: { amount: 'lots', currency: 'USD' } });
      expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'amount' });
      const nested = await v.api('POST', '/v1/customers/c-1', { body: { limits: { daily: -5 } } });
      expect(nested.body.error).toMatchObject({ code: 'parameter_invalid', param: 'limits.daily' });
    });

    it('never puts a card number into an error', async () => {
      const bad = '4242424242424241';
      const cases: [string, Promise<Reply>][] = [
        ['bad Luhn', v.api('POST', '/v1/customers/c-leak/cards', { body: { number: bad, exp_month: 12, exp_year: 2099 } })],
        ['bad month', v.api('POST', '/v1/customers/c-leak/cards', { body: { number: CARDS.visa, exp_month: 13, exp_year: 2099 } })],
        ['unknown field', v.api('POST', '/v1/customers/c-leak/cards', { body: { number: CARDS.visa, exp_month: 12, exp_year: 2099, [CARDS.visa]: 1 } })],
        ['number as amount', v.api('POST', '/v1/sessions', { body: { amount: CARDS.visa, currency: 'USD' } })],
        ['number as customer', v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD', customer: CARDS.visa } })],
      ];
      for (const [what, pending] of cases) {
        const res = await pending;
        expect(res.status, what).toBe(400);
        expect(res.text, what).not.toContain(bad);
        expect(res.text, what).not.toContain(CARDS.visa);
      }
    });

    it('refuses an Idempotency-Key longer than 255 characters with 400', async () => {
      const res = await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD' }, headers: { 'idempotency-key': 'k'.repeat(256) } });
      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
      expectErrorShape(res);
      const ok = await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD' }, headers: { 'idempotency-key': 'k'.repeat(255) } });
      expect(ok.status).toBe(201);
    });
  });

  describe('malformed input never causes a 5xx', () => {
    const endpoints = () => ['/v1/sessions', '/v1/customers/x', '/v1/customers/x/cards', `/v1/charges/${charge}/refunds`, '/v1/merchant'];

    async function expectHandled(res: Reply, what: string) {
      expect(res.status, what).toBeLessThan(500);
      if (res.status >= 400) expectErrorShape(res, what);
      else expect(res.body, what).toBeTypeOf('object');
    }

    it('answers any JSON value as the body of any POST endpoint with 2xx or a 4xx in the error shape', async () => {
      for (const path of endpoints()) {
        await fc.assert(
          fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
            const raw = JSON.stringify(value);
            const res = await v.api('POST', path, { raw, headers: json });
            await expectHandled(res, `${path} ${raw}`);
          }),
          { numRuns: 60 },
        );
      }
    });

    it('answers any JSON value as the body of POST /v1/charges, with an Idempotency-Key, with a 4xx in the error shape', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
          const raw = JSON.stringify(value);
          const res = await v.api('POST', '/v1/charges', { raw, headers: { ...json, 'idempotency-key': `fuzz-${n++}` } });
          await expectHandled(res, `/v1/charges ${raw}`);
        }),
        { numRuns: 60 },
      );
    });

    it('answers objects with the right keys and values of the wrong types with 2xx or a 4xx', async () => {
      const anyValue = fc.jsonValue({ maxDepth: 2 });
      const bodies: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
        '/v1/sessions': fc.record(
          {
            mode: anyValue,
            amount: anyValue,
            currency: anyValue,
            customer: anyValue,
            order: anyValue,
            save_card: anyValue,
            recurring: anyValue,
            expires_in: anyValue,
          },
          { requiredKeys: [] },
        ),
        '/v1/customers/x': fc.record(
          {
            status: anyValue,
            email: anyValue,
            phone: anyValue,
            limits: fc.oneof(anyValue, fc.record({ daily: anyValue, weekly: anyValue }, { requiredKeys: [] })),
          },
          { requiredKeys: [] },
        ),
        '/v1/customers/x/cards': fc.record(
          { number: fc.oneof(anyValue, fc.stringMatching(/^[0-9 -]{0,25}$/)), exp_month: anyValue, exp_year: anyValue, holder: anyValue },
          { requiredKeys: [] },
        ),
        [`/v1/charges/${charge}/refunds`]: fc.record({ amount: anyValue }, { requiredKeys: [] }),
        '/v1/merchant': fc.record(
          {
            allowed_origins: anyValue,
            webhook_url: anyValue,
            auto_pay_days: anyValue,
            need_cvc: anyValue,
            three_d_secure: anyValue,
            one_click_after: anyValue,
          },
          { requiredKeys: [] },
        ),
      };
      for (const [path, arbitrary] of Object.entries(bodies)) {
        await fc.assert(
          fc.asyncProperty(arbitrary, async (body) => {
            const res = await v.api('POST', path, { body });
            await expectHandled(res, `${path} ${JSON.stringify(body)}`);
          }),
          { numRuns: 60 },
        );
      }
    });

    it('answers any text as a JSON body with 400, never 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 200 }), fc.constantFrom(...endpoints()), async (raw, path) => {
          const res = await v.api('POST', path, { raw, headers: json });
          await expectHandled(res, `${path} ${raw}`);
        }),
        { numRuns: 100 },
      );
    });

    it('answers any customer number in the path with 200 or 400, never 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), async (customer) => {
          const path = `/v1/customers/${encodeURIComponent(customer)}`;
          for (const res of [await v.api('GET', path), await v.api('GET', `${path}/cards`), await v.api('POST', path, { body: {} })]) {
            expect([200, 400, 404], customer).toContain(res.status);
            await expectHandled(res, customer);
          }
        }),
        { numRuns: 60 },
      );
    });

    it('answers any query string on the charge list with 200 or 4xx, never 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), async (limit, startingAfter, customer) => {
          const q = new URLSearchParams({ limit, starting_after: startingAfter, customer });
          const res = await v.api('GET', `/v1/charges?${q}`);
          await expectHandled(res, q.toString());
        }),
        { numRuns: 60 },
      );
    });

    it('answers any Idempotency-Key header with 2xx or 4xx, never 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 300 }), async (key) => {
          const res = await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD' }, headers: { 'idempotency-key': key } });
          await expectHandled(res, key);
        }),
        { numRuns: 60 },
      );
    });
  });
});
