// Saved cards: sealed on write, found again by fingerprint, opened only to charge, destroyed on delete.
import { prepared } from '../db/prepared-query.ts';
import type { Queryable, ScrubTable } from '../db/database.ts';
import type { CardTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { CheckedCard } from '../payments/card-checks.ts';
import { maskedBin } from '../../protocol/cards.ts';
import type { BinInfo } from '../payments/bin-facts.ts';
import { KeyUnavailableError, openCard, openCardMeta, resealMeta, sealCard, type CardSecret, type SealedCard } from '../keys/envelope.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { FingerprintKeys } from '../keys/fingerprint-keys.ts';

export interface LiveCard extends CardTable {
  key_version: string;
  wrapped_key: string;
  pan_ct: string;
  meta_ct: string;
}

const sealedOf = (row: LiveCard): SealedCard => row;
const bindingOf = (row: Pick<CardTable, 'token' | 'group_id'>) => ({ token: row.token, groupId: row.group_id });

export async function findCard(q: Queryable, groupId: string, customer: string, token: string): Promise<LiveCard | undefined> {
  const { rows } = await selectCard(q, { token, groupId, customer });
  return rows[0] as LiveCard | undefined;
}

/** A card deleted by its customer: its shown digits stay, its number and key are gone. */
export type DeletedCard = CardTable & { key_version: null; deleted_at: string };

/** The customer's card that was deleted, for recording an attempt on it whose answer came back later. */
export async function findDeletedCard(q: Queryable, groupId: string, customer: string, token: string): Promise<DeletedCard | undefined> {
  const row = await q
    .selectFrom('cards')
    .selectAll()
    .where('token', '=', token)
    .where('group_id', '=', groupId)
    .where('customer', '=', customer)
    .where('deleted_at', 'is not', null)
    .executeTakeFirst();
  return row as DeletedCard | undefined;
}

/** One more successful payment with the card (one-click is offered after a merchant's threshold). */
export const countPayment = prepared((q, a: { token: string }) =>
  q
    .updateTable('cards')
    .set((eb) => ({ successful_payments: eb('successful_payments', '+', 1) }))
    .where('token', '=', a.token),
);

const selectCard = prepared((q, a: { token: string; groupId: string; customer: string }) =>
  q
    .selectFrom('cards')
    .selectAll()
    .where('token', '=', a.token)
    .where('group_id', '=', a.groupId)
    .where('customer', '=', a.customer)
    .where('deleted_at', 'is', null),
);

/** Whether the customer has a saved card that is not deleted. */
export async function hasLiveCard(q: Queryable, groupId: string, customer: string): Promise<boolean> {
  const card = await q
    .selectFrom('cards')
    .select('token')
    .where('group_id', '=', groupId)
    .where('customer', '=', customer)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return card !== undefined;
}

export async function listCards(q: Queryable, groupId: string, customer: string): Promise<LiveCard[]> {
  return (await q
    .selectFrom('cards')
    .selectAll()
    .where('group_id', '=', groupId)
    .where('customer', '=', customer)
    .where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('token', 'desc')
    .execute()) as LiveCard[];
}

// Listing cards is a hot path and each expiry costs two AES-GCM openings. The opened expiry (never
// the number) is kept, keyed by its ciphertext: a re-saved card has a new one, a deleted card none.
const expiries = new Map<string, { meta_ct: string; meta: ReturnType<typeof openCardMeta> }>();

type SealedRef = Pick<CardTable, 'token' | 'group_id'> & { key_version: string; wrapped_key: string; meta_ct: string };

/**
 * What a card whose key version left the ring shows for its expiry: month 0 of year 0, which every
 * check reads as expired, so the fields do not offer it and the scheduler does not announce it.
 */
const UNAVAILABLE = Object.freeze({ exp_month: 0, exp_year: 0, holder: undefined });

export function cardExpiry(ring: KeyRing, row: SealedRef): Omit<CardSecret, 'number'> {
  // Asked first, and never cached: the key may come back (a key file is re-read when it changes).
  if (!ring.get(row.key_version)) return UNAVAILABLE;
  const hit = expiries.get(row.token);
  if (hit && hit.meta_ct === row.meta_ct) return hit.meta;
  const meta = openCardMeta(ring, bindingOf(row), { ...row, pan_ct: '' });
  if (expiries.size >= 10_000) expiries.clear();
  expiries.set(row.token, { meta_ct: row.meta_ct, meta });
  return meta;
}

/** The answer for a card that cannot be opened because its key version left the ring (the start log names the version). */
export function keyUnavailable(): ApiError {
  return new ApiError(
    'card_key_unavailable',
    "This saved card cannot be used now: the key that encrypts it is not in the vault's key ring. " +
      "The vault's operator can put it back; meanwhile use another card.",
  );
}

/** The full card, for the processor only. */
export function cardSecret(ring: KeyRing, row: LiveCard): CardSecret {
  try {
    return openCard(ring, bindingOf(row), sealedOf(row));
  } catch (err) {
    if (err instanceof KeyUnavailableError) throw keyUnavailable();
    throw err;
  }
}

const LISTED = [
  'cards.token',
  'cards.group_id',
  'bin',
  'last4',
  'pan_length',
  'brand',
  'issuer',
  'country',
  'key_version',
  'wrapped_key',
  'meta_ct',
  'successful_payments',
  'source',
  'cards.created_at',
] as const;

export type ListedCard = SealedRef &
  Pick<CardTable, 'bin' | 'last4' | 'pan_length' | 'brand' | 'issuer' | 'country' | 'successful_payments' | 'source' | 'created_at'> & { is_default: boolean };

/**
 * The customer's live cards as a listing needs them, default first then newest: one query, and only
 * the columns a listing shows (the sealed number stays in the table).
 */
export async function listCardsForView(q: Queryable, groupId: string, customer: string): Promise<ListedCard[]> {
  const { rows } = await selectListed(q, { groupId, customer });
  // The query's own fresh rows, flagged in place: a copy of each (its thirteen columns) cost more than the sort.
  const listed = rows as Array<(typeof rows)[number] & ListedCard>;
  for (const row of listed) row.is_default = row.default_card === row.token;
  return listed.sort(listingOrder);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/**
 * Default first, then newest; cards saved within one millisecond newest first too, by their tokens,
 * which are made in order (ids.ts): sorted here rather than by the query, whose ORDER BY cost
 * SQLite a temporary sort tree for a handful of rows (a third of the query's time), and the same order
 * on both databases whatever PostgreSQL's collation.
 */
const listingOrder = (a: ListedCard, b: ListedCard) =>
  Number(b.is_default) - Number(a.is_default) || compare(b.created_at, a.created_at) || compare(b.token, a.token);

const selectListed = prepared((q, a: { groupId: string; customer: string }) =>
  q
    .selectFrom('cards')
    .leftJoin('customers', (j) => j.onRef('customers.group_id', '=', 'cards.group_id').onRef('customers.customer', '=', 'cards.customer'))
    .select([...LISTED, 'customers.default_card'])
    .where('cards.group_id', '=', a.groupId)
    .where('cards.customer', '=', a.customer)
    .where('cards.deleted_at', 'is', null),
);

/** One live card as a listing shows it (its default flag included), or undefined. */
export async function findListedCard(q: Queryable, groupId: string, customer: string, token: string): Promise<ListedCard | undefined> {
  return (await listCardsForView(q, groupId, customer)).find((card) => card.token === token);
}

/**
 * Counts a wrong CVC on a saved card: one more within `windowMs` of the first counted, else the count
 * starts again at one (the lock's rule is payments/card-proof.ts).
 */
export async function countWrongCvc(q: Queryable, token: string, now: Date, windowMs: number): Promise<void> {
  const windowStart = new Date(now.getTime() - windowMs).toISOString();
  await q
    .updateTable('cards')
    .set((eb) => ({
      cvc_failures: eb
        .case()
        .when('cvc_failed_at', '>', windowStart)
        .then(eb('cvc_failures', '+', 1))
        .else(1)
        .end(),
      cvc_failed_at: eb.case().when('cvc_failed_at', '>', windowStart).then(eb.ref('cvc_failed_at')).else(now.toISOString()).end(),
    }))
    .where('token', '=', token)
    .execute();
}

/** A right CVC clears the count of wrong ones. */
export async function clearWrongCvcs(q: Queryable, token: string): Promise<void> {
  await q.updateTable('cards').set({ cvc_failures: 0, cvc_failed_at: null }).where('token', '=', token).where('cvc_failures', '>', 0).execute();
}

/** The brand and last four of the given (live) cards of the group, by token: one read for a page of customers. */
export async function cardMasks(q: Queryable, groupId: string, tokens: string[]): Promise<Map<string, { brand: string; last4: string }>> {
  if (tokens.length === 0) return new Map();
  const rows = await q
    .selectFrom('cards')
    .select(['token', 'brand', 'last4'])
    .where('group_id', '=', groupId)
    .where('token', 'in', tokens)
    .where('deleted_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.token, { brand: r.brand, last4: r.last4 }]));
}

/** Remembers that this merchant imported the card: only it may record an agreement given elsewhere for it. */
export async function noteCardImport(q: Queryable, token: string, merchantId: string, now: Date): Promise<void> {
  await q
    .insertInto('card_imports')
    .values({ card_token: token, merchant_id: merchantId, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['card_token', 'merchant_id']).doNothing())
    .execute();
}

/** One customer of a group, from `since` on: what the day's limits on saving count over (save-limits.ts). */
interface CustomerWindow {
  groupId: string;
  customer: string;
  since: string;
}
/** How many in the window, and the earliest of them (when the oldest leaves it). */
interface WindowCount {
  count: number;
  earliest: string | null;
}
// COUNT(*) comes back as a string from PostgreSQL, a number from SQLite.
const windowCount = (row: { count: number | string; earliest: string | null }): WindowCount => ({ count: Number(row.count), earliest: row.earliest });

/**
 * The imports of this customer's cards by the merchants of the group since `since` (a merchant's import
 * of a card it had imported before counts once, at its first), and the earliest of them.
 */
export async function recentImports(q: Queryable, a: CustomerWindow): Promise<WindowCount> {
  const row = await q
    .selectFrom('card_imports')
    .innerJoin('cards', 'cards.token', 'card_imports.card_token')
    .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.min<string | null>('card_imports.created_at').as('earliest')])
    .where('cards.group_id', '=', a.groupId)
    .where('cards.customer', '=', a.customer)
    .where('card_imports.created_at', '>', a.since)
    .executeTakeFirstOrThrow();
  return windowCount(row);
}

/** The cards saved new for this customer since `since` (deleted ones too, any source), and the earliest of them. */
export async function newCardsSince(q: Queryable, a: CustomerWindow): Promise<WindowCount> {
  const row = await q
    .selectFrom('cards')
    .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.min<string | null>('created_at').as('earliest')])
    .where('group_id', '=', a.groupId)
    .where('customer', '=', a.customer)
    .where('created_at', '>', a.since)
    .executeTakeFirstOrThrow();
  return windowCount(row);
}

/** Whether this merchant imported the card. */
export async function importedBy(q: Queryable, token: string, merchantId: string): Promise<boolean> {
  const row = await q.selectFrom('card_imports').select('merchant_id').where('card_token', '=', token).where('merchant_id', '=', merchantId).executeTakeFirst();
  return row !== undefined;
}

/** Live cards not yet announced as expiring (one group's, or all): what an expiry check needs, never the number. */
export async function unannouncedCards(q: Queryable, groupId?: string) {
  let found = q
    .selectFrom('cards')
    .select(['token', 'group_id', 'customer', 'brand', 'last4', 'key_version', 'wrapped_key', 'meta_ct'])
    .where('deleted_at', 'is', null)
    .where('expiring_notified', '=', 0);
  if (groupId) found = found.where('group_id', '=', groupId);
  return found.execute();
}

/** Takes the card's one `card.expiring` notice: true for the one caller whose conditional update moved it. */
export async function claimExpiringNotice(q: Queryable, token: string): Promise<boolean> {
  const moved = await q.updateTable('cards').set({ expiring_notified: 1 }).where('token', '=', token).where('expiring_notified', '=', 0).executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

export interface SaveCardInput {
  groupId: string;
  customer: string;
  card: CheckedCard & { holder?: string };
  bin: BinInfo;
  source: 'checkout' | 'import';
  networkTransactionId?: string;
  now: Date;
}

/**
 * Saves a card for a customer. A number the customer already has updates that card (expiry, holder)
 * and keeps its token; the caller learns which happened.
 */
export async function saveCard(
  trx: Queryable,
  ring: KeyRing,
  fingerprints: FingerprintKeys,
  input: SaveCardInput,
): Promise<{ row: LiveCard; created: boolean }> {
  const fingerprint = fingerprints.of(input.groupId, input.card.number);
  // A card saved before the newest fingerprint key has a fingerprint under an older one.
  const now = input.now.toISOString();
  const meta = { exp_month: input.card.exp_month, exp_year: input.card.exp_year, holder: input.card.holder };
  const findExisting = async () =>
    (await trx
      .selectFrom('cards')
      .selectAll()
      .where('group_id', '=', input.groupId)
      .where('customer', '=', input.customer)
      .where('fingerprint', 'in', fingerprints.every(input.groupId, input.card.number))
      .executeTakeFirst()) as LiveCard | undefined;
  const existing = await findExisting();
  if (!existing) {
    const created = await insertCard(trx, ring, input, fingerprint, meta, now);
    if (created) return { row: created, created: true };
  }
  // Saved meanwhile by a concurrent payment with the same number: update that card instead.
  return updateCard(trx, ring, (existing ?? (await findExisting()))!, input, meta, now);
}

async function updateCard(trx: Queryable, ring: KeyRing, existing: LiveCard, input: SaveCardInput, meta: Omit<CardSecret, 'number'>, now: string) {
  const update = {
    ...reseal(ring, existing, input, meta),
    updated_at: now,
    // A checkout save of an imported card makes it usable in the fields too.
    source: input.source === 'checkout' ? 'checkout' : existing.source,
    network_transaction_id: input.networkTransactionId ?? existing.network_transaction_id,
  };
  await trx.updateTable('cards').set(update).where('token', '=', existing.token).execute();
  return { row: { ...existing, ...update }, created: false };
}

/**
 * The card's expiry and holder under its data key; a card whose key version left the ring is sealed
 * anew from the number just given (the fingerprint proved it is the same number), which makes it
 * usable again.
 */
function reseal(ring: KeyRing, existing: LiveCard, input: SaveCardInput, meta: Omit<CardSecret, 'number'>): Partial<SealedCard> {
  try {
    return { meta_ct: resealMeta(ring, bindingOf(existing), sealedOf(existing), meta) };
  } catch (err) {
    if (!(err instanceof KeyUnavailableError)) throw err;
    return sealCard(ring, bindingOf(existing), { number: input.card.number, ...meta });
  }
}

/** Inserts a new card, or answers undefined when the unique fingerprint says it exists already. */
async function insertCard(
  trx: Queryable,
  ring: KeyRing,
  input: SaveCardInput,
  fingerprint: string,
  meta: Omit<CardSecret, 'number'>,
  now: string,
): Promise<LiveCard | undefined> {
  const token = newId('card');
  const sealed = sealCard(ring, { token, groupId: input.groupId }, { number: input.card.number, ...meta });
  const row: LiveCard = {
    token,
    group_id: input.groupId,
    customer: input.customer,
    fingerprint,
    bin: maskedBin(input.card.number),
    last4: input.card.number.slice(-4),
    pan_length: input.card.number.length,
    brand: input.card.brand,
    issuer: input.bin.issuer,
    country: input.bin.country,
    ...sealed,
    network_transaction_id: input.networkTransactionId ?? null,
    successful_payments: 0,
    source: input.source,
    expiring_notified: 0,
    cvc_failures: 0,
    cvc_failed_at: null,
    deleted_at: null,
    created_at: now,
    updated_at: now,
  };
  const inserted = await trx
    .insertInto('cards')
    .values(row)
    .onConflict((oc) => oc.columns(['group_id', 'customer', 'fingerprint']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows) === 1 ? row : undefined;
}

/**
 * Deletes a card by destroying its data key and ciphertexts: the number can never be decrypted again.
 * Its fingerprint goes too, with the other rows that hold a keyed hash of the number (a 3-D Secure
 * challenge, an import's stored request): with the key ring and the card's first six and last four
 * digits, such a hash gives the number back by trying the few thousand candidates. Answers the tables
 * it deleted from, whose storage the caller has scrubbed once the transaction commits.
 */
export async function destroyCard(trx: Queryable, row: LiveCard, now: Date, fingerprints: readonly string[] = []): Promise<ScrubTable[]> {
  expiries.delete(row.token);
  await trx
    .updateTable('cards')
    .set({ wrapped_key: null, pan_ct: null, meta_ct: null, key_version: null, fingerprint: null, deleted_at: now.toISOString(), updated_at: now.toISOString() })
    .where('token', '=', row.token)
    .execute();
  const touched: ScrubTable[] = ['cards'];
  // A challenge made under another fingerprint key than the card's holds another hash of the same number.
  const hashes = [...new Set([...(row.fingerprint ? [row.fingerprint] : []), ...fingerprints])];
  if (hashes.length > 0) {
    const gone = await trx.deleteFrom('challenges').where('fingerprint', 'in', hashes).executeTakeFirst();
    if (Number(gone.numDeletedRows) > 0) touched.push('challenges');
  }
  if (await forgetImportRequests(trx, row)) touched.push('idempotency_keys');
  return touched;
}

/** Deletes the stored idempotent requests whose answer was this card (an import); answers whether any were. */
async function forgetImportRequests(trx: Queryable, row: LiveCard): Promise<boolean> {
  const answer = `"token":"${row.token}"`;
  // LIKE narrows (its _ matches any character, and SQLite's ignores case); includes() decides.
  const stored = await trx
    .selectFrom('idempotency_keys')
    .select(['merchant_id', 'key', 'response_body'])
    .where('merchant_id', 'in', (eb) => eb.selectFrom('merchants').select('id').where('group_id', '=', row.group_id))
    .where('response_body', 'like', `%${answer}%`)
    .execute();
  const mine = stored.filter((r) => r.response_body?.includes(answer));
  for (const r of mine) await trx.deleteFrom('idempotency_keys').where('merchant_id', '=', r.merchant_id).where('key', '=', r.key).execute();
  return mine.length > 0;
}
