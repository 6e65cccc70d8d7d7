// POST /v1/merchant/roll_secret_key: a new secret key, the current one kept working for the hours the
// merchant gave. The answer holds the new key, which the vault keeps only as a hash; the idempotency
// middleware never stores such an answer (SECRET_ANSWER), so a retry with the same key rolls again.
// `currentKey`, the key the request came with, must still be the current one when the roll is written
// (merchant-store.ts); undefined for the dashboard's staff.
import type { Deps } from '../context.ts';
import { rollSecretKey, type Merchant } from './merchant-store.ts';

const HOUR_MS = 3_600_000;

export async function rollKeyOnce(deps: Deps, merchant: Merchant, hours: number, currentKey: string | undefined) {
  const { db, clock, merchants } = deps;
  const until = hours > 0 ? new Date(clock().getTime() + hours * HOUR_MS) : null;
  const rolled = await rollSecretKey(db, merchant, until, currentKey);
  // This instance stops answering to the old key at once (others within the cache's second).
  merchants.invalidate();
  return rolled;
}
