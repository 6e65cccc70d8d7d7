// How the dashboard acts for a merchant through the very /v1 routes its API keys reach: it calls the
// app in process with the merchant in the request's environment, under a symbol no HTTP request can
// carry (a header could be forged by anyone; `c.env` is built by the server, never from the wire).
import type { Context } from 'hono';
import type { Merchant } from '../merchants/merchant-store.ts';

const STAFF_MERCHANT = Symbol('staff-merchant');

export type StaffAuthorityEnv = { [STAFF_MERCHANT]?: Merchant };

/**
 * The environment for an in-process /v1 call made for a signed-in staff user of this merchant. Nothing of
 * the person's own request goes with it: Node's request and response (`incoming`, `outgoing`) are the
 * dashboard's, and the call must read its own headers and body and answer in its own response.
 */
export function actingFor(merchant: Merchant): StaffAuthorityEnv {
  return { [STAFF_MERCHANT]: merchant };
}

/** The merchant a dashboard call acts for, when this request is one. */
export function staffMerchant(c: Context): Merchant | undefined {
  const env = c.env as StaffAuthorityEnv | undefined;
  return env && typeof env === 'object' ? env[STAFF_MERCHANT] : undefined;
}
