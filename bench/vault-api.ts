// The few vault calls the benchmarks make to set things up (not measured), with plain fetch.

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

export async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const res = await fetch(url, { method: init.method ?? 'GET', headers: { 'content-type': 'application/json', ...init.headers }, body: init.body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** A setup call that must succeed: its parsed answer, or an error naming the call and the answer. */
export async function call(url: string, init: { method?: string; secretKey?: string; headers?: Record<string, string>; body?: unknown }): Promise<any> {
  const headers = { ...(init.secretKey ? { authorization: `Bearer ${init.secretKey}` } : {}), ...init.headers };
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const a = await send(url, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  if (a.status < 200 || a.status > 299) throw new Error(`${method} ${url} answered ${a.status}: ${a.text.slice(0, 500)}`);
  return JSON.parse(a.text);
}

/** The operator's settings that let a merchant lift the fields' limits, which production keeps under a ceiling. */
export const LIFTABLE_LIMITS_ENV = { FIELDS_MAX_PER_ADDRESS: 'none', FIELDS_MAX_PER_MERCHANT: 'none' };

/** The benchmark's own merchant may go as fast as the machine allows: its 429s would measure the limiter. */
export async function liftRateLimits(vaultUrl: string, secretKey: string): Promise<void> {
  const merchant = await call(`${vaultUrl}/v1/merchant`, { secretKey, body: { rate_limit: 0, frame_limit_per_address: 0 } });
  if (merchant.rate_limit !== 0 || merchant.frame_limit_per_address !== 0) {
    throw new Error(`the merchant's limits were not lifted: ${JSON.stringify(merchant)}`);
  }
}

/** What the iframe sends: the vault's own origin, the merchant page's origin, and the session's client secret. */
export function frameHeaders(vaultUrl: string, hostOrigin: string, clientSecret?: string): Record<string, string> {
  const secret: Record<string, string> = clientSecret ? { authorization: `Bearer ${clientSecret}` } : {};
  return { origin: vaultUrl, 'checkout-host-origin': hostOrigin, 'content-type': 'application/json', ...secret };
}
