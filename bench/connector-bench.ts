// A merchant-initiated charge through each real connector (Stripe, Adyen) on its official library,
// against the local provider servers of `npm run providers` (a process of their own): what the vault
// adds around a provider call (mandate checks, the customer's lease, the provider round trip and the
// durable record), with the budget of a merchant-initiated charge, a tenth of a bare Hono app's POST.
import { interleave, ratioRow } from './interleave.ts';
import type { Load } from './load.ts';
import { MIT_MIN_RATIO } from './server-bench.ts';
import { merchantChargeLoad, prepareSubscribers } from './subscribers.ts';
import type { Row } from './table.ts';
import { call } from './vault-api.ts';

export type Provider = 'stripe' | 'adyen';

export interface ConnectorMerchant {
  provider: Provider;
  secretKey: string;
  settings: Record<string, unknown>;
}

export const connectorRowName = (provider: Provider, label: string) =>
  `POST /v1/charges (merchant-initiated, ${provider} connector, local ${provider} server), ${label}`;

export async function runConnectorBenchmarks(o: {
  vaultUrl: string;
  merchants: ConnectorMerchant[];
  barePost: Load;
  /** The vault's CPU time so far (the local provider server, a process of its own, is not in it). */
  vaultCpu?: Load['cpu'];
  label: string;
  pairs: number;
  connections: number;
  log: (l: string) => void;
}): Promise<Row[]> {
  const rows: Row[] = [];
  for (const m of o.merchants) {
    await call(`${o.vaultUrl}/v1/merchant`, { secretKey: m.secretKey, body: { rate_limit: 0, processor: m.settings } });
    const subscribers = await prepareSubscribers(o.vaultUrl, m.secretKey, `bench-${m.provider}`);
    const load = { ...merchantChargeLoad(`POST /v1/charges via ${m.provider}`, o.vaultUrl, m.secretKey, subscribers), cpu: o.vaultCpu };
    const measured = await interleave(load, o.barePost, { pairs: o.pairs, connections: o.connections, log: o.log });
    rows.push(ratioRow(connectorRowName(m.provider, o.label), measured, MIT_MIN_RATIO));
  }
  return rows;
}
