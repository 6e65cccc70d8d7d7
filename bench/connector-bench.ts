// A merchant-initiated charge through each real connector (Stripe, Adyen) on its official library,
// against the local provider servers of `npm run providers` (a process of their own): what the vault
// adds around a provider call (mandate checks, the customer's lease, the provider round trip and the
// durable record), with the budget of a merchant-initiated charge, a tenth of a bare Hono app's POST.
import autocannon from 'autocannon';
import { verdict, type Row } from './table.ts';
import { CARDS } from '../test/helpers/test-cards.ts';

export const MIT_MIN_RATIO = 0.1;
const CUSTOMERS = 20;

export interface ConnectorMerchant {
  provider: 'stripe' | 'adyen';
  secretKey: string;
  settings: Record<string, unknown>;
}

async function call(url: string, secretKey: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Customers with an imported card and an unscheduled agreement each, so charges never wait on one customer's lease. */
async function prepare(vaultUrl: string, m: ConnectorMerchant): Promise<Array<{ customer: string; card: string; mandate: string }>> {
  await call(`${vaultUrl}/v1/merchant`, m.secretKey, { rate_limit: 0, processor: m.settings });
  const year = new Date().getUTCFullYear() + 2;
  return Promise.all(Array.from({ length: CUSTOMERS }, async (_, i) => {
    const customer = `bench-${m.provider}-${i}`;
    const card = await call(`${vaultUrl}/v1/customers/${customer}/cards`, m.secretKey, { number: CARDS.visa, exp_month: 12, exp_year: year });
    const mandate = await call(`${vaultUrl}/v1/customers/${customer}/mandates`, m.secretKey, {
      card: card.token, min_amount: 1, max_amount: 1_000_000, currency: 'USD', frequency_days: 0, end_date: `${year}-12-31`,
      consent: { text: 'Agreed at the previous provider', accepted_at: '2026-01-01T00:00:00Z', network_transaction_id: 'ntid_bench' },
    });
    return { customer, card: card.token, mandate: mandate.id };
  }));
}

async function run(vaultUrl: string, m: ConnectorMerchant, subscribers: Awaited<ReturnType<typeof prepare>>, duration: number, connections: number, tag: string) {
  let n = 0;
  let unexpected = 0;
  const samples: string[] = [];
  const result = await autocannon({
    url: vaultUrl, connections, duration, timeout: 10,
    requests: [{
      method: 'POST', path: '/v1/charges',
      setupRequest: (req) => {
        const s = subscribers[n % subscribers.length];
        n++;
        return {
          ...req,
          headers: { authorization: `Bearer ${m.secretKey}`, 'content-type': 'application/json', 'idempotency-key': `bench-${tag}-${m.provider}-${n}` },
          body: JSON.stringify({ customer: s.customer, card: s.card, mandate: s.mandate, amount: 100, currency: 'USD' }),
        };
      },
      onResponse: (status, body) => {
        if (status === 201 && body.includes('"succeeded"')) return;
        unexpected++;
        if (samples.length < 3) samples.push(`${status} ${body.slice(0, 200)}`);
      },
    }],
  });
  if (unexpected || result.errors || result.timeouts) throw new Error(`merchant-initiated charge via ${m.provider}: ${unexpected} unexpected answers, ${result.errors} errors, ${result.timeouts} timeouts\n  ${samples.join('\n  ')}`);
  return result;
}

export async function runConnectorBenchmarks(o: { vaultUrl: string; merchants: ConnectorMerchant[]; barePostRps: number; duration?: number; warmup?: number; connections?: number; log: (l: string) => void }): Promise<Row[]> {
  const duration = o.duration ?? 5;
  const connections = o.connections ?? 10;
  const rows: Row[] = [];
  for (const m of o.merchants) {
    const subscribers = await prepare(o.vaultUrl, m);
    await run(o.vaultUrl, m, subscribers, o.warmup ?? 1, connections, 'warm');
    const result = await run(o.vaultUrl, m, subscribers, duration, connections, 'run');
    const rps = result.requests.total / result.duration;
    o.log(`  merchant-initiated charge via ${m.provider}: ${rps.toFixed(0)} req/s, latency p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms`);
    const ratio = rps / o.barePostRps;
    rows.push({
      name: `POST /v1/charges (merchant-initiated, ${m.provider} connector, local ${m.provider} server)`,
      value: rps, unit: 'req/s', digits: 0, compare: ratio.toFixed(2), budget: `>= ${MIT_MIN_RATIO}`, verdict: verdict(ratio, { min: MIT_MIN_RATIO }),
    });
  }
  return rows;
}
