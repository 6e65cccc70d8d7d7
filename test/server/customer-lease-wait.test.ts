// A charge that hangs at the processor holds its customer's lease, but not the customer's later
// payments for ever: a charge queued behind it on the same instance gives up after the same 15 s as
// one polling from another instance, answering 409 request_in_progress (which is not stored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthorizeRequest, AuthorizeResult, Processor } from '../../server/payments/processor.ts';
import { CARDS, type TestVault, startTestVault } from '../helpers/test-vault.ts';

const nextYear = new Date().getUTCFullYear() + 1;

// The queue is in this instance's memory, whatever the database: SQLite shows it.
describe('a charge queued behind a hung one', () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault('sqlite');
  });
  afterAll(() => v.close());

  it('answers 409 request_in_progress within the wait, and runs on retry once the first has finished', async () => {
    const imported = await v.api('POST', '/v1/customers/hung/cards', { body: { number: CARDS.visa, exp_month: 12, exp_year: nextYear } });
    const mandate = await v.api('POST', '/v1/customers/hung/mandates', {
      body: {
        card: imported.body.token,
        min_amount: 100,
        max_amount: 10_000,
        currency: 'USD',
        frequency_days: 0,
        end_date: `${nextYear}-12-31`,
        consent: { text: 'Agreed by phone', accepted_at: '2024-01-01T00:00:00Z' },
      },
    });
    const body = (amount: number) => ({ customer: 'hung', card: imported.body.token, mandate: mandate.body.id, amount, currency: 'USD' });
    const real = v.runtime.deps.processor;
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    let arrived!: () => void;
    const atProcessor = new Promise<void>((resolve) => (arrived = resolve));
    v.runtime.deps.processor = Object.assign(Object.create(real), {
      async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
        if (request.amount === 1000) {
          arrived();
          await held;
        }
        return real.authorize(request);
      },
    }) as Processor;
    try {
      const first = v.api('POST', '/v1/charges', { body: body(1000), headers: { 'idempotency-key': 'hung-1' } });
      // The first holds the customer's lease, at the processor, before the second is sent (a fixed
      // 100 ms was not always enough on a busy machine: the second then took the lease and was charged).
      await atProcessor;
      const started = Date.now();
      const second = await v.api('POST', '/v1/charges', { body: body(2000), headers: { 'idempotency-key': 'hung-2' } });
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('request_in_progress');
      expect(Date.now() - started).toBeLessThan(20_000);
      letGo();
      expect((await first).status).toBe(201);
      const retried = await v.api('POST', '/v1/charges', { body: body(2000), headers: { 'idempotency-key': 'hung-2' } });
      expect(retried.status).toBe(201);
      expect(retried.headers.get('idempotent-replayed')).toBeNull();
    } finally {
      letGo();
      v.runtime.deps.processor = real;
    }
  }, 40_000);
});
