// Idempotency-Key on every POST, as the contract says: the first response is stored for 24 hours per
// merchant and key and replayed byte for byte; a different body or a request still running is a 409.
// A key whose holder died is taken over after 60 seconds; the handler then asks the processor what
// became of the first attempt instead of charging again (it reuses the key as the processor reference).
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import crypto from 'node:crypto';

const KEEP_MS = 24 * 60 * 60 * 1000;
const STALE_MS = 60 * 1000;

export function idempotencyKey(options: { required?: (path: string) => boolean } = {}): MiddlewareHandler<AppEnv> {
  return async function idempotencyKey(c, next) {
    if (c.req.method !== 'POST') return next();
    const key = c.req.header('idempotency-key');
    if (key === undefined) {
      if (options.required?.(c.req.path)) throw new ApiError('parameter_missing', 'This request needs an Idempotency-Key header', { param: 'Idempotency-Key' });
      return next();
    }
    if (key.length < 1 || key.length > 255) throw new ApiError('parameter_invalid', 'Idempotency-Key must be 1-255 characters', { param: 'Idempotency-Key' });

    const { db, clock, fingerprintKey } = c.get('deps');
    const merchantId = c.get('merchant').id;
    const requestHash = requestDigest(fingerprintKey, c.req.method, c.req.path, await c.req.text());
    const now = clock();
    const where = (q: any) => q.where('merchant_id', '=', merchantId).where('key', '=', key);

    // Forget a key that has outlived its 24 hours, then try to take it.
    await where(db.deleteFrom('idempotency_keys')).where('created_at', '<', new Date(now.getTime() - KEEP_MS).toISOString()).execute();
    const inserted = await db.insertInto('idempotency_keys')
      .values({ merchant_id: merchantId, key, request_hash: requestHash, state: 'running', response_status: null, response_body: null, locked_at: now.toISOString(), created_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['merchant_id', 'key']).doNothing())
      .executeTakeFirst();

    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
      const row = await where(db.selectFrom('idempotency_keys').selectAll()).executeTakeFirstOrThrow();
      if (row.request_hash !== requestHash) {
        throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body');
      }
      if (row.state === 'done') {
        // Through the context, so the replay carries the same security headers as the first answer.
        return c.body(row.response_body, row.response_status as ContentfulStatusCode, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
      }
      const stale = now.getTime() - Date.parse(row.locked_at) >= STALE_MS;
      const taken = stale && Number((await where(db.updateTable('idempotency_keys').set({ locked_at: now.toISOString() }))
        .where('state', '=', 'running').where('locked_at', '=', row.locked_at).executeTakeFirst()).numUpdatedRows) === 1;
      if (!taken) throw new ApiError('request_in_progress', 'A request with this Idempotency-Key is still in progress; retry shortly', { headers: { 'Retry-After': '1' } });
    }

    c.set('idempotencyKey', key);
    try {
      await next();
    } catch (err) {
      // An error thrown before anything settled frees the key so that a retry runs again.
      await where(db.deleteFrom('idempotency_keys')).where('state', '=', 'running').execute();
      throw err;
    }
    const res = c.res;
    if (res.status >= 500) {
      await where(db.deleteFrom('idempotency_keys')).where('state', '=', 'running').execute();
      return;
    }
    const body = await res.clone().text();
    await where(db.updateTable('idempotency_keys').set({ state: 'done', response_status: res.status, response_body: body })).execute();
  };
}

/** Keyed, because a body may hold a card number (an import): a plain hash of it could be brute-forced. */
export function requestDigest(key: Buffer, method: string, path: string, body: string): string {
  return crypto.createHmac('sha256', key).update(`idempotency\n${method} ${path}\n${body}`).digest('base64url');
}
