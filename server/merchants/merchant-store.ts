// Merchant groups, merchants and their keys. Secret keys are stored only as hashes and compared in
// constant time; the publishable key is public by design. A merchant is in test mode (sk_test_/pk_test_)
// or live mode (sk_live_/pk_live_), and a group holds one mode only: test and live data never meet.
import type { Db, Queryable } from '../db/database.ts';
import type { Updateable } from 'kysely';
import type { MerchantTable } from '../db/schema.ts';
import { MerchantName, type ThreeDSecure } from '../../protocol/api.ts';
import { ApiError } from '../errors.ts';
import { newId, randomSecret, safeEqual, sha256 } from '../ids.ts';
import { checkWebhookUrl } from '../jobs/webhook-target.ts';
import type { StoredProcessor } from './processor-account.ts';
import { originsProblem } from './merchant-origins.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import { newWebhookSecret, sealWebhookSecret } from './webhook-secret.ts';

export interface Merchant {
  id: string;
  group_id: string;
  name: string;
  publishable_key: string;
  allowed_origins: string[];
  webhook_url: string | null;
  auto_pay_days: number;
  need_cvc: boolean;
  three_d_secure: ThreeDSecure;
  one_click_after: number;
  rate_limit: number;
  frame_limit_per_address: number;
  created_at: string;
  /** A live-mode merchant: real processor only, never meets test data. */
  livemode: boolean;
  /** The processor account as stored (credentials sealed); null: the simulated processor. */
  processor: StoredProcessor | null;
  /** Until when the key before the last roll still authenticates (ISO); null: it does not. */
  previous_secret_key_until: string | null;
}

export interface CreatedMerchant {
  id: string;
  group: string;
  secret_key: string;
  publishable_key: string;
  webhook_secret: string;
}

const SETTINGS_DEFAULTS = { auto_pay_days: 3, need_cvc: 1, three_d_secure: 'when_required', one_click_after: 1, rate_limit: 100, frame_limit_per_address: 60 };

export function fromRow(row: MerchantTable): Merchant {
  return {
    id: row.id,
    group_id: row.group_id,
    name: row.name,
    publishable_key: row.publishable_key,
    allowed_origins: JSON.parse(row.allowed_origins),
    webhook_url: row.webhook_url,
    auto_pay_days: row.auto_pay_days,
    need_cvc: row.need_cvc === 1,
    three_d_secure: row.three_d_secure as ThreeDSecure,
    one_click_after: row.one_click_after,
    rate_limit: row.rate_limit,
    frame_limit_per_address: row.frame_limit_per_address,
    created_at: row.created_at,
    livemode: row.livemode === 1,
    processor: row.processor ? (JSON.parse(row.processor) as StoredProcessor) : null,
    previous_secret_key_until: row.previous_secret_key_hash ? (row.previous_secret_key_until ?? null) : null,
  };
}

/**
 * Why a frame_limit_per_address cannot be set, if it cannot: the fields' card-testing protection may
 * not go above the operator's ceiling (FIELDS_MAX_PER_ADDRESS), nor off (0) unless the operator allows it.
 */
export function frameLimitProblem(value: number, maxPerAddress: number): string | undefined {
  if (!Number.isFinite(maxPerAddress) || (value >= 1 && value <= maxPerAddress)) return undefined;
  return (
    `frame_limit_per_address must be between 1 and ${maxPerAddress} requests a minute on this vault: ` +
    `the operator does not let merchants lift the fields' card-testing protection${value === 0 ? ' (0, none, is not allowed)' : ''}`
  );
}

export async function createMerchant(
  { db, ring }: { db: Db; ring: KeyRing },
  input: {
    name: string;
    origins: string[];
    webhookUrl?: string;
    groupId?: string /** Live mode: sk_live_/pk_live_ keys, a real processor only. */;
    live?: boolean;
  },
): Promise<CreatedMerchant> {
  const now = new Date().toISOString();
  const id = newId('mer');
  const mode = input.live ? 'live' : 'test';
  const secret_key = `sk_${mode}_${randomSecret(24)}`;
  const publishable_key = `pk_${mode}_${randomSecret(18)}`;
  const webhook_secret = newWebhookSecret();
  // Scheme and credentials only: the address check needs the operator's policy, so callers make it (and delivery again).
  if (input.webhookUrl) checkWebhookUrl(input.webhookUrl, { live: Boolean(input.live) });
  const origins = originsProblem(input.origins, Boolean(input.live));
  if (origins) throw new Error(`--origin: ${origins}`);
  // The name is written into the agreements customers accept: the same rules as POST /v1/merchant.
  const name = MerchantName.safeParse(input.name);
  if (!name.success) throw new Error(`--name: ${name.error.issues[0].message}`);
  return db.transaction().execute(async (trx) => {
    let group = input.groupId;
    if (group) {
      const exists = await trx.selectFrom('merchant_groups').select('id').where('id', '=', group).executeTakeFirst();
      if (!exists) throw new Error(`no merchant group ${group}`);
      // Sister shops share customers and cards: a group of both modes would show live cards to a test key.
      const other = await trx
        .selectFrom('merchants')
        .select('id')
        .where('group_id', '=', group)
        .where('livemode', '!=', input.live ? 1 : 0)
        .executeTakeFirst();
      if (other) {
        throw new Error(
          `merchant group ${group} is in ${input.live ? 'test' : 'live'} mode: a group has one mode, ` +
            `so a ${mode} merchant needs a ${mode} group (leave out --group for a new one)`,
        );
      }
    } else {
      group = newId('grp');
      await trx.insertInto('merchant_groups').values({ id: group, created_at: now }).execute();
    }
    await trx
      .insertInto('merchants')
      .values({
        id,
        group_id: group,
        name: name.data,
        secret_key_hash: sha256(secret_key),
        publishable_key,
        allowed_origins: JSON.stringify(input.origins.map((o) => new URL(o).origin)),
        webhook_url: input.webhookUrl ?? null,
        webhook_secret: sealWebhookSecret(ring, id, webhook_secret),
        ...SETTINGS_DEFAULTS,
        created_at: now,
        livemode: input.live ? 1 : 0,
      })
      .execute();
    return { id, group, secret_key, publishable_key, webhook_secret };
  });
}

/** The merchant a secret key belongs to, and until when the key works (null: it is the current key). */
export interface KeyHolder {
  merchant: Merchant;
  until: string | null;
}

/**
 * Finds the merchant whose current key, or whose previous key still within its time, is `key`. The
 * index finds the row by hash; the comparison that decides is constant-time.
 */
export async function findKeyHolder(db: Db, key: string, now: Date): Promise<KeyHolder | undefined> {
  const hash = sha256(key);
  const row = await db
    .selectFrom('merchants')
    .selectAll()
    .where((eb) => eb.or([eb('secret_key_hash', '=', hash), eb('previous_secret_key_hash', '=', hash)]))
    .executeTakeFirst();
  if (!row) return undefined;
  if (safeEqual(row.secret_key_hash, hash)) return { merchant: fromRow(row), until: null };
  const until = row.previous_secret_key_until ?? null;
  if (row.previous_secret_key_hash && safeEqual(row.previous_secret_key_hash, hash) && until && until > now.toISOString()) {
    return { merchant: fromRow(row), until };
  }
  return undefined;
}

export async function findBySecretKey(db: Db, key: string, now: Date = new Date()): Promise<Merchant | undefined> {
  return (await findKeyHolder(db, key, now))?.merchant;
}

export async function findByPublishableKey(db: Db, key: string): Promise<Merchant | undefined> {
  const row = await db.selectFrom('merchants').selectAll().where('publishable_key', '=', key).executeTakeFirst();
  return row && safeEqual(row.publishable_key, key) ? fromRow(row) : undefined;
}

export async function findById(db: Db, id: string): Promise<Merchant | undefined> {
  const row = await db.selectFrom('merchants').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** The ids of the merchants of a group (sister shops share customers and cards). */
export async function merchantIdsInGroup(q: Queryable, groupId: string): Promise<string[]> {
  return (await q.selectFrom('merchants').select('id').where('group_id', '=', groupId).execute()).map((m) => m.id);
}

/**
 * The answer to a change of the account (its settings, its secret key, its webhook secret) asked with a
 * key that is not the current one: the key from before a roll, which may be the leaked one.
 */
export function currentKeyRequired(): ApiError {
  return new ApiError('current_key_required', 'This key was rolled: change the account with the current secret key');
}

// The middleware refuses the key from before a roll early (middleware/current-key.ts), but it reads the
// merchant through each instance's cache of a second, and the change is written after it: in between the
// merchant may roll that key on another instance, or in a request that overlaps this one. So each change
// below takes `currentKey`, the secret key the request came with, and its own statement asks again (where
// secret_key_hash is that key's hash): if the key is no longer the current one nothing is written and the
// caller gets current_key_required, as from the middleware. Without it (undefined) the change is written
// as asked: a signed-in staff user of the dashboard and the operator's scripts act without a key.

/** Refuses the change unless the one row was written, which the condition on the key allows only while it is current. */
function requireWritten(result: { numUpdatedRows: bigint }, currentKey: string | undefined): void {
  if (currentKey !== undefined && Number(result.numUpdatedRows) !== 1) throw currentKeyRequired();
}

/**
 * Writes the settings given (a column whose value is undefined is left as it is), only while `currentKey`
 * is the merchant's current secret key when one is given.
 */
export async function updateMerchant(db: Db, id: string, set: Updateable<MerchantTable>, currentKey?: string): Promise<void> {
  if (Object.values(set).some((v) => v !== undefined)) {
    const result = await db
      .updateTable('merchants')
      .set(set)
      .where('id', '=', id)
      .$if(currentKey !== undefined, (qb) => qb.where('secret_key_hash', '=', sha256(currentKey!)))
      .executeTakeFirst();
    requireWritten(result, currentKey);
  } else if (currentKey !== undefined) {
    // Nothing to write, but the answer is the same as for a change: the key from before a roll changes nothing.
    const row = await db.selectFrom('merchants').select('id').where('id', '=', id).where('secret_key_hash', '=', sha256(currentKey)).executeTakeFirst();
    if (!row) throw currentKeyRequired();
  }
}

/**
 * A new webhook signing secret. In one statement, whatever secret is current at that instant becomes
 * the previous one (no read-then-write gap), valid until `previousUntil`; only while `currentKey` is the
 * merchant's current secret key when one is given.
 */
export async function rotateWebhookSecret(
  db: Db,
  ring: KeyRing,
  id: string,
  previousUntil: Date,
  currentKey?: string,
): Promise<{ webhook_secret: string; previous_secret_expires_at: string }> {
  const webhook_secret = newWebhookSecret();
  const until = previousUntil.toISOString();
  const result = await db
    .updateTable('merchants')
    // Both sealed under the same binding (the merchant), so the current one moves over as it is stored.
    .set((eb) => ({
      previous_webhook_secret: eb.ref('webhook_secret'),
      previous_webhook_secret_until: until,
      webhook_secret: sealWebhookSecret(ring, id, webhook_secret),
    }))
    .where('id', '=', id)
    .$if(currentKey !== undefined, (qb) => qb.where('secret_key_hash', '=', sha256(currentKey!)))
    .executeTakeFirst();
  requireWritten(result, currentKey);
  return { webhook_secret, previous_secret_expires_at: until };
}

/**
 * A new secret key of the merchant's mode. In one statement the key current at that instant becomes
 * the previous one, valid until `previousUntil` (null: it stops at once), and the one before it stops.
 * With `currentKey`, only while that is the key current at that instant: else the key from before a
 * roll could roll again with 0 hours, stop the merchant's new key and keep the only one that works.
 * Only hashes are written: the new key exists in the clear only in the answer.
 */
export async function rollSecretKey(
  q: Queryable,
  merchant: Pick<Merchant, 'id' | 'livemode'>,
  previousUntil: Date | null,
  currentKey?: string,
): Promise<{ secret_key: string; previous_key_expires_at: string | null }> {
  const secret_key = `sk_${merchant.livemode ? 'live' : 'test'}_${randomSecret(24)}`;
  const until = previousUntil?.toISOString() ?? null;
  const result = await q
    .updateTable('merchants')
    .set((eb) => ({
      previous_secret_key_hash: until ? eb.ref('secret_key_hash') : null,
      previous_secret_key_until: until,
      secret_key_hash: sha256(secret_key),
    }))
    .where('id', '=', merchant.id)
    .$if(currentKey !== undefined, (qb) => qb.where('secret_key_hash', '=', sha256(currentKey!)))
    .executeTakeFirst();
  requireWritten(result, currentKey);
  return { secret_key, previous_key_expires_at: until };
}
