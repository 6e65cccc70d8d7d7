// The reference traffic: bare Hono's POST (parses a small JSON body) and GET (answers a small JSON),
// with the same checks as the vault's paths so that both sides pay for them.
import type { Load } from './load.ts';

export interface BareLoads {
  POST: Load;
  GET: Load;
}

const OK = '{"ok":true}';

export function bareLoads(bareUrl: string, cpu?: Load['cpu']): BareLoads {
  return {
    POST: {
      name: 'bare Hono POST / (JSON body)',
      method: 'POST',
      url: `${bareUrl}/`,
      expected: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1999, currency: 'USD' }),
      okBody: (b) => b === OK,
      cpu,
    },
    GET: { name: 'bare Hono GET /', method: 'GET', url: `${bareUrl}/`, expected: 200, okBody: (b) => b === OK, cpu },
  };
}
