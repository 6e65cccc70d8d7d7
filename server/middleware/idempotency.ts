// Idempotency-Key on every POST, as the contract says: the first answer is stored for 24 hours per
// merchant and key and replayed byte for byte; a different body or a request still running is a 409.
// An answer that says "try again" (409 request_in_progress, 429, 5xx) is not stored, but the key keeps
// its body: a retry with the same body runs again, one with another body is refused. A running request
// renews its key; one not renewed for TAKEOVER_MS has a dead holder and is taken over, and the handler
// asks the processor what became of the first attempt (it reuses the key as the processor reference).
import { writtenCardNumber } from '../../protocol/cards.ts';
import type { ErrorResponse } from '../../protocol/errors.ts';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_HOURS, IDEMPOTENT_REPLAYED_HEADER, IdempotencyKey } from '../../protocol/schemas/common.ts';
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv, Deps } from '../context.ts';
import { relaxed } from '../db/database.ts';
import { columnsOf, prepared } from '../db/prepared-query.ts';
import type { IdempotencyTable } from '../db/schema.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { ApiError } from '../errors.ts';
import { randomSecret } from '../ids.ts';
import { openAnswer, sealAnswer, sealedTag } from './sealed-answer.ts';
import { refreshFingerprintKeys } from '../keys/fingerprint-rotation.ts';
import crypto from 'node:crypto';
import { headerRepeated, requestHeader } from './request-header.ts';
import { numberVerdict } from '../payments/card-number.ts';

const KEEP_MS = IDEMPOTENCY_KEY_HOURS * 60 * 60 * 1000;
const KEY_LENGTHS = `${IdempotencyKey.minLength}-${IdempotencyKey.maxLength}`;
/** A running request renews its key this often (wall time), so that a slow one is never taken over. */
const RENEW_MS = 3_000;
/**
 * A key not renewed for this long is taken over: its holder died. Within the contract's 60 seconds,
 * and longer than a customer lease outlives its dead holder (15 s), so the retry finds the customer free.
 */
const TAKEOVER_MS = 20_000;
/** Expired keys are purged at most this often per instance, a bounded batch at a time. */
const PURGE_EVERY_MS = 60_000;
const PURGE_BATCH = 1000;

/** A number card-validator takes for a card of a brand it knows, of that brand's length, passing Luhn. */
const isCardNumber = (digits: string) => numberVerdict(digits).isValid;

export function idempotencyKey(options: { required?: (path: string) => boolean } = {}): MiddlewareHandler<AppEnv> {
  return async function idempotencyKey(c, next) {
    if (c.req.method !== 'POST') return next();
    const key = requestHeader(c, IDEMPOTENCY_KEY_HEADER);
    const param = IDEMPOTENCY_KEY_HEADER;
    if (key === undefined) {
      if (options.required?.(c.req.path)) throw new ApiError('parameter_missing', `This request needs an ${param} header`, { param });
      return next();
    }
    // Sent twice (a proxy or a client layer adding it again), it would read as "K, K": a key never used,
    // so a retry would charge again. Which one the client meant is not guessed.
    if (headerRepeated(c, IDEMPOTENCY_KEY_HEADER)) throw new ApiError('parameter_invalid', `${param} must be sent once`, { param });
    if (!IdempotencyKey.safeParse(key).success) throw new ApiError('parameter_invalid', `${param} must be ${KEY_LENGTHS} characters`, { param });
    // It is stored, and names the operations at the processor: a card number is refused, in a row or in
    // the usual groupings with any separators (writtenCardNumber). Not by the fields' broad rule, which a
    // random UUID (the usual key) meets once in about 140, and a key ending in a millisecond time stamp
    // once in ten.
    if (writtenCardNumber(key, isCardNumber)) throw new ApiError('parameter_invalid', `${param} must not contain a card number`, { param });

    const deps = c.get('deps');
    const { db, clock, fingerprints } = deps;
    const merchantId = c.get('merchant').id;
    const text = await c.req.text();
    const digest = (key: Buffer) => requestDigest(key, c.req.method, c.req.path, text);
    const requestHash = fingerprints.make(digest);
    const now = clock();
    const where = (q: any) => q.where('merchant_id', '=', merchantId).where('key', '=', key);
    await purgeExpired(deps, now);

    const holder = randomSecret(12);
    // Durable: the key (in this life of it) names the operations at a provider, before any is asked. The
    // simulated processor keeps its record in this same database, behind the claim: there it is relaxed.
    const durable = !simulatedFor(deps, c.get('merchant'));
    const claim = async () => {
      const row = {
        merchant_id: merchantId,
        key,
        request_hash: requestHash,
        locked_at: now.toISOString(),
        created_at: now.toISOString(),
        holder,
      };
      const inserted = await relaxed(db, (q) => claimKey(q, row), !durable);
      return Number(inserted.numAffectedRows ?? 0) === 1;
    };
    let fresh = await claim();
    // A key past its 24 hours is forgotten even if the purge has not reached it yet; then it is taken.
    if (!fresh) {
      const expired = await where(db.deleteFrom('idempotency_keys'))
        .where('created_at', '<', new Date(now.getTime() - KEEP_MS).toISOString())
        .executeTakeFirst();
      if (Number(expired.numDeletedRows) > 0) fresh = await claim();
    }

    // This life of the key: a key reused after its 24 hours names new operations, not the old ones.
    let since = now.toISOString();
    if (!fresh) {
      const row: IdempotencyTable | undefined = await where(db.selectFrom('idempotency_keys').selectAll()).executeTakeFirst();
      if (row) since = row.created_at;
      // Made by another vault under a fingerprint key this one has not taken up yet: read the keys again first.
      if (row && [row.request_hash, sealedTag(row.response_body)].some((tag) => tag !== '' && !fingerprints.holds(tag))) {
        await refreshFingerprintKeys(db, deps.ring, fingerprints);
      }
      // Under the key the stored digest names: a rotation since the first request changes nothing.
      if (row && !fingerprints.same(row.request_hash, digest)) {
        throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body');
      }
      if (row?.state === 'done') {
        // Through the context, so the replay carries the same security headers as the first answer.
        return c.body(openAnswer(fingerprints, merchantId, key, row.response_body ?? ''), row.response_status as ContentfulStatusCode, {
          'content-type': 'application/json',
          [IDEMPOTENT_REPLAYED_HEADER]: 'true',
        });
      }
      // Free: its last answer said "try again", or its holder stopped renewing it. One taker wins.
      const free = row && (row.state === 'open' || now.getTime() - Date.parse(row.locked_at) >= TAKEOVER_MS);
      const taken =
        free &&
        Number(
          (
            await where(db.updateTable('idempotency_keys').set({ state: 'running', locked_at: now.toISOString(), holder }))
              .where('state', '=', row.state)
              .where('locked_at', '=', row.locked_at)
              .where('holder', row.holder == null ? 'is' : '=', row.holder ?? null)
              .executeTakeFirst()
          ).numUpdatedRows,
        ) === 1;
      if (!taken)
        throw new ApiError('request_in_progress', 'A request with this Idempotency-Key is still in progress; retry shortly', {
          headers: { 'Retry-After': '1' },
        });
    }

    // Every later write names this holder: once taken over, this request stores nothing.
    const mine = (q: any) => where(q).where('holder', '=', holder).where('state', '=', 'running');
    const heartbeat = setInterval(() => {
      void mine(db.updateTable('idempotency_keys').set({ locked_at: clock().toISOString() }))
        .execute()
        .catch((err: Error) => deps.logger.warn({ error: err.message }, 'idempotency key not renewed'));
    }, RENEW_MS);
    heartbeat.unref();
    // A card import's body holds the number, and the key's hash of it (keyed, but with the card's BIN and
    // last four and the key ring, about 10^5 guesses) stays only beside an answer that names the card,
    // which the card's deletion forgets. A refused import is forgotten at once: its checks are
    // deterministic, so a retry with any body is harmless.
    const holdsCardNumber = CARD_IMPORT.test(c.req.path);
    const reopen = () =>
      holdsCardNumber ? mine(db.deleteFrom('idempotency_keys')).execute() : mine(db.updateTable('idempotency_keys').set({ state: 'open' })).execute();

    c.set('idempotencyKey', key);
    c.set('idempotencyRef', `${key}@${since}`);
    c.set('idempotencyFresh', fresh);
    // A handler that records its outcome in a transaction stores its answer there too: one commit.
    let answered: number | undefined;
    c.set('idempotentAnswer', (atomic, status, body) =>
      atomic.write(storeAnswer.compiled(db, { merchantId, key, holder, status, body }), { counted: (rows) => rows === 1 && (answered = status) }),
    );
    try {
      // An ApiError thrown by the handler arrives here as c.res already (the app's onError answered it).
      await next();
    } catch (err) {
      await reopen();
      throw err;
    } finally {
      clearInterval(heartbeat);
    }
    // An answer that shows a new secret (a rolled API key, a webhook signing secret) is never kept: the
    // vault holds those only hashed or sealed. A retry with the key makes a new one, which replaces it.
    if (SECRET_ANSWER.test(c.req.path)) {
      await mine(db.deleteFrom('idempotency_keys')).execute();
      return;
    }
    // Stored by the handler with the outcome it reports, exactly as sent (never a "try again", which
    // no handler stores): nothing to read back. Reading means cloning the answer's stream.
    if (answered === c.res.status && !mayMeanTryAgain(c.res.status)) return;
    const body = await c.res.clone().text();
    if (saysTryAgain(c.res.status, body) || (holdsCardNumber && c.res.status >= 300)) {
      await reopen();
      return;
    }
    const kept = SEALED_ANSWER.test(c.req.path) ? sealAnswer(fingerprints, merchantId, key, body) : body;
    await mine(db.updateTable('idempotency_keys').set({ state: 'done', response_status: c.res.status, response_body: kept })).execute();
  };
}

type NewKey = Pick<IdempotencyTable, 'merchant_id' | 'key' | 'request_hash' | 'locked_at' | 'created_at' | 'holder'>;
/** Takes a key nobody holds: one row inserted, or none when the key exists. */
const claimKey = prepared((q, row: NewKey) =>
  q
    .insertInto('idempotency_keys')
    .values({
      ...columnsOf(row, ['merchant_id', 'key', 'request_hash', 'locked_at', 'created_at', 'holder']),
      state: 'running',
      response_status: null,
      response_body: null,
    })
    .onConflict((oc) => oc.columns(['merchant_id', 'key']).doNothing()),
);

/** Stores the answer, if this holder still holds the running key. */
const storeAnswer = prepared((q, a: { merchantId: string; key: string; holder: string; status: number; body: string }) =>
  q
    .updateTable('idempotency_keys')
    .set({ state: 'done', response_status: a.status, response_body: a.body })
    .where('merchant_id', '=', a.merchantId)
    .where('key', '=', a.key)
    .where('holder', '=', a.holder)
    .where('state', '=', 'running'),
);

/** Whether the merchant's processor is the simulated one (a live merchant without a real one is answered later). */
function simulatedFor(deps: Deps, merchant: Merchant): boolean {
  try {
    return deps.processors.for(merchant).type === 'simulated';
  } catch {
    return false;
  }
}

/** POST /v1/customers/:customer/cards: the import of a card bound elsewhere, its number in the body. */
const CARD_IMPORT = /^\/v1\/customers\/[^/]+\/cards$/;
/** The operations whose answer shows a secret the vault keeps only hashed (a session's client secret): stored sealed (sealed-answer.ts). */
const SEALED_ANSWER = /^\/v1\/sessions$/;
/** The operations whose answer is a new secret, shown that once. */
const SECRET_ANSWER = /^\/v1\/(merchant\/roll_secret_key|webhooks\/rotate_secret)$/;

/** The statuses whose answer may say "try again", depending on its body. */
const mayMeanTryAgain = (status: number) => status >= 500 || status === 429 || status === 409;

/** 5xx, 429 and 409 request_in_progress: answers about this moment, not about the request. */
function saysTryAgain(status: number, body: string): boolean {
  if (status >= 500 || status === 429) return true;
  if (status !== 409) return false;
  try {
    return (JSON.parse(body) as Partial<ErrorResponse>).error?.code === 'request_in_progress';
  } catch {
    return false;
  }
}

/** Per runtime (keyed by its database): when this instance last purged, on the vault's clock. */
const lastPurge = new WeakMap<object, number>();

/**
 * Deletes a bounded batch of keys past their 24 hours, at most once a minute per instance (again at
 * once while batches come back full), so the table does not grow with keys nobody reuses.
 */
async function purgeExpired(deps: Deps, now: Date): Promise<void> {
  const last = lastPurge.get(deps.db);
  // A clock that went back (a test, a correction) starts the count again.
  if (last !== undefined && now.getTime() >= last && now.getTime() - last < PURGE_EVERY_MS) return;
  lastPurge.set(deps.db, now.getTime());
  const cutoff = new Date(now.getTime() - KEEP_MS).toISOString();
  try {
    const purged = await deps.db
      .deleteFrom('idempotency_keys')
      .where(({ eb, refTuple, selectFrom }) =>
        eb(
          refTuple('merchant_id', 'key'),
          'in',
          selectFrom('idempotency_keys').select(['merchant_id', 'key']).where('created_at', '<', cutoff).limit(PURGE_BATCH).$asTuple('merchant_id', 'key'),
        ),
      )
      .executeTakeFirst();
    if (Number(purged.numDeletedRows) >= PURGE_BATCH) lastPurge.delete(deps.db);
  } catch (err) {
    deps.logger.warn({ error: (err as Error).message }, 'expired idempotency keys not purged; the next purge retries');
  }
}

/** Keyed, because a body may hold a card number (an import): a plain hash of it could be brute-forced. */
export function requestDigest(key: Buffer, method: string, path: string, body: string): string {
  return crypto.createHmac('sha256', key).update(`idempotency\n${method} ${path}\n${body}`).digest('base64url');
}
