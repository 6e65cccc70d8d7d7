// POST /v1/merchant/roll_secret_key: a new secret key, the current one kept working for the hours the
// merchant gave. The answer holds the new key, which the vault keeps only as a hash, so it is never
// kept for an Idempotency-Key's replay: the key's record is dropped in the roll's own transaction, and
// a retry with the same key rolls again (the key it lost becomes the previous one).
import type { Deps } from '../context.ts';
import { rollSecretKey, type Merchant } from './merchant-store.ts';

const HOUR_MS = 3_600_000;

export async function rollKeyOnce(deps: Deps, merchant: Merchant, hours: number, idempotencyKey: string | undefined) {
  const { db, clock, merchants } = deps;
  const until = hours > 0 ? new Date(clock().getTime() + hours * HOUR_MS) : null;
  const rolled = await db.transaction().execute(async (trx) => {
    if (idempotencyKey !== undefined) {
      await trx.deleteFrom('idempotency_keys').where('merchant_id', '=', merchant.id).where('key', '=', idempotencyKey).execute();
    }
    return rollSecretKey(trx, merchant, until);
  });
  // This instance stops answering to the old key at once (others within the cache's second).
  merchants.invalidate();
  return rolled;
}
