// Customers for merchant-initiated charges: each with an imported card and an unscheduled agreement,
// enough of them that concurrent charges never queue on one customer's lease; and the load that charges them.
import crypto from 'node:crypto';
import type { Load } from './load.ts';
import { call } from './vault-api.ts';
import { CARDS } from '../test/helpers/test-cards.ts';

export interface Subscriber {
  customer: string;
  card: string;
  mandate: string;
}

export const SUBSCRIBERS = 20;

export async function prepareSubscribers(vaultUrl: string, secretKey: string, prefix: string, count = SUBSCRIBERS): Promise<Subscriber[]> {
  const year = new Date().getUTCFullYear() + 2;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const customer = `${prefix}-${i}`;
      const card = await call(`${vaultUrl}/v1/customers/${customer}/cards`, { secretKey, body: { number: CARDS.visa, exp_month: 12, exp_year: year } });
      const mandate = await call(`${vaultUrl}/v1/customers/${customer}/mandates`, {
        secretKey,
        body: {
          card: card.token,
          min_amount: 1,
          max_amount: 1_000_000,
          currency: 'USD',
          frequency_days: 0,
          end_date: `${year}-12-31`,
          consent: { text: 'Agreed at the previous provider', accepted_at: '2026-01-01T00:00:00Z', network_transaction_id: 'ntid_bench' },
        },
      });
      return { customer, card: card.token, mandate: mandate.id };
    }),
  );
}

export function chargeBody(s: Subscriber): string {
  return JSON.stringify({ customer: s.customer, card: s.card, mandate: s.mandate, amount: 100, currency: 'USD' });
}

/** A merchant-initiated charge per request: a fresh Idempotency-Key each, the customers taken in turn. */
export function merchantChargeLoad(name: string, vaultUrl: string, secretKey: string, subscribers: Subscriber[]): Load {
  // Unique across runs and slices: a repeated key would be answered from the stored record instead.
  const run = crypto.randomBytes(6).toString('hex');
  const bodies = subscribers.map(chargeBody);
  let n = 0;
  return {
    name,
    method: 'POST',
    url: `${vaultUrl}/v1/charges`,
    expected: 201,
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    body: bodies[0],
    okBody: (b) => b.includes('"status":"succeeded"'),
    next: () => {
      const i = n++;
      return { headers: { 'idempotency-key': `bench-${run}-${i}` }, body: bodies[i % bodies.length] };
    },
  };
}
