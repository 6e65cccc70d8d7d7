// The fingerprint keys in the database: each a vault secret (`fingerprint` for version 1, then
// `fingerprint.2`, `fingerprint.3`, …) wrapped under every key of the ring like the others. A rotation
// of the key ring adds the next version; serving vaults take it up within REFRESH_MS and make every new
// hash with it; the saved cards are then fingerprinted again under it, and an older version is deleted
// once nothing stored refers to it (3-D Secure challenges and idempotency records live a day at most).
import type { ExpressionBuilder } from 'kysely';
import { scheduleScrub, type Db } from '../db/database.ts';
import type { Database, VaultSecretTable } from '../db/schema.ts';
import type { Deps } from '../context.ts';
import { KeyUnavailableError, openCard, VaultDecryptError } from './envelope.ts';
import { type FingerprintKey, FingerprintKeys } from './fingerprint-keys.ts';
import type { KeyRing } from './key-ring.ts';
import { loadVaultSecret, openSecret } from './vault-secrets.ts';

/** How often a serving vault looks for a new fingerprint key. */
export const REFRESH_MS = 5_000;
/**
 * How long a vault holds the newest key before it deletes the one before (once nothing refers to it) and
 * moves the cards still under it: by then every serving vault has taken the newest up, or could not
 * reach the database to save a card anyway.
 */
export const SETTLE_MS = 60_000;

const LEGACY = 'fingerprint';
const nameOf = (version: number) => (version === 1 ? LEGACY : `${LEGACY}.${version}`);
const versionOfName = (name: string): number | undefined => (name === LEGACY ? 1 : /^fingerprint\.(\d+)$/.exec(name) ? Number(name.slice(12)) : undefined);

/** The stored fingerprint keys, newest last, each opened if the ring can (`key` undefined when it cannot). */
async function storedKeys(db: Db, ring: KeyRing): Promise<Array<{ version: number; row: VaultSecretTable; key?: Buffer }>> {
  const rows = await db
    .selectFrom('vault_secrets')
    .selectAll()
    .where((eb) => eb.or([eb('name', '=', LEGACY), eb('name', 'like', `${LEGACY}.%`)]))
    .execute();
  const found: Array<{ version: number; row: VaultSecretTable; key?: Buffer }> = [];
  for (const row of rows) {
    const version = versionOfName(row.name);
    if (version === undefined) continue;
    try {
      found.push({ version, row, key: openSecret(ring, row) });
    } catch (err) {
      // A key of the right version that does not open it is a wrong key ring: never serve past that.
      if (!(err instanceof KeyUnavailableError)) throw err;
      found.push({ version, row });
    }
  }
  return found.sort((a, b) => a.version - b.version);
}

const opened = (found: Awaited<ReturnType<typeof storedKeys>>): FingerprintKey[] => found.flatMap(({ version, key }) => (key ? [{ version, key }] : []));

export interface LoadedFingerprints {
  keys: FingerprintKeys;
  /** Set when the newest key was wrapped only by key versions the ring lacks, and a new one replaced it. */
  replaced?: { missingVersions: string; refingerprinted: number };
}

/**
 * The fingerprint keys at a vault's start: version 1 generated on first use; the newest replaced by a
 * new version when no key of the ring opens it (the cards the ring opens are then fingerprinted again).
 */
export async function loadFingerprintKeys(db: Db, ring: KeyRing): Promise<LoadedFingerprints> {
  let found = await storedKeys(db, ring);
  if (found.length === 0) {
    await loadVaultSecret(db, ring, LEGACY);
    found = await storedKeys(db, ring);
  }
  const newest = found[found.length - 1];
  // Replaced only when no version opens: an instance whose ring lacks only the newest key (a rolling
  // change not yet done) hashes with the newest it opens meanwhile, and makes no key of its own.
  if (opened(found).length > 0) return { keys: new FingerprintKeys(opened(found)) };
  const missingVersions = Object.keys(newest.row.wrapped.startsWith('{') ? JSON.parse(newest.row.wrapped) : { [newest.row.key_version]: 1 }).join(', ');
  const keys = new FingerprintKeys(await storeNextKey(db, ring));
  // Every card the ring opens: their fingerprints are under a key no longer held.
  const { moved } = await refingerprintCards(db, ring, keys, { everyOther: true });
  return { keys, replaced: { missingVersions, refingerprinted: moved } };
}

/** The stored keys the ring opens, without storing or replacing any (`npm run keys -- status`); undefined when none opens. */
export async function readFingerprintKeys(db: Db, ring: KeyRing): Promise<FingerprintKeys | undefined> {
  const keys = opened(await storedKeys(db, ring));
  return keys.length ? new FingerprintKeys(keys) : undefined;
}

/** Stores the next version of the fingerprint key; answers every key the ring opens, that one the newest. */
async function storeNextKey(db: Db, ring: KeyRing): Promise<FingerprintKey[]> {
  const found = await storedKeys(db, ring);
  await loadVaultSecret(db, ring, nameOf(Math.max(0, ...found.map((f) => f.version)) + 1));
  return opened(await storedKeys(db, ring));
}

/** A rotation: stores the next version and makes it the newest of `keys`. */
export async function addFingerprintKey(db: Db, ring: KeyRing, keys: FingerprintKeys): Promise<FingerprintKey> {
  return keys.replace(await storeNextKey(db, ring));
}

/** Reads the stored keys again: a serving vault takes up a rotation, and drops a version deleted since. */
export async function refreshFingerprintKeys(db: Db, ring: KeyRing, keys: FingerprintKeys): Promise<boolean> {
  const next = opened(await storedKeys(db, ring));
  if (next.length === 0 || next.map((k) => k.version).join() === keys.versions.join()) return false;
  keys.replace(next);
  return true;
}

/** Fingerprints made with key `version`, in column `column` (bare for version 1, tagged after). */
function madeWith<T extends keyof Database>(version: number, column: string) {
  return (eb: ExpressionBuilder<Database, T>) =>
    version === 1 ? eb.and([eb(column as any, 'is not', null), eb(column as any, 'not like', '%.%')]) : eb(column as any, 'like', `f${version}.%`);
}

/**
 * Fingerprints every saved card the ring opens under the newest key, in small batches while the vault
 * serves (compare-and-set: a card deleted or saved again meanwhile is left as it is). A card whose
 * number the customer also saved under an older key keeps its fingerprint: counted in `duplicates`.
 */
export async function refingerprintCards(
  db: Db,
  ring: KeyRing,
  keys: FingerprintKeys,
  options: { batch?: number; everyOther?: boolean } = {},
): Promise<{ moved: number; unopened: number; duplicates: number }> {
  const current = keys.current.version;
  // Only from the older keys held: a card under a newer one (a rotation run meanwhile) is left to it.
  // `everyOther`: from any key but the newest (the keys before it are lost).
  const older = keys.versions.filter((v) => v < current);
  const from = (eb: ExpressionBuilder<Database, 'cards'>) =>
    options.everyOther ? eb.not(madeWith<'cards'>(current, 'fingerprint')(eb)) : eb.or(older.map((v) => madeWith<'cards'>(v, 'fingerprint')(eb)));
  let moved = 0;
  let unopened = 0;
  let duplicates = 0;
  for (let after = ''; older.length > 0 || options.everyOther; ) {
    const rows = await db
      .selectFrom('cards')
      .select(['token', 'group_id', 'fingerprint', 'key_version', 'wrapped_key', 'pan_ct', 'meta_ct'])
      .where('wrapped_key', 'is not', null)
      .where('fingerprint', 'is not', null)
      .where(from)
      .where('token', '>', after)
      .orderBy('token')
      .limit(options.batch ?? 200)
      .execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1].token;
    for (const row of rows) {
      let number: string;
      try {
        const sealed = { key_version: row.key_version!, wrapped_key: row.wrapped_key!, pan_ct: row.pan_ct!, meta_ct: row.meta_ct! };
        ({ number } = openCard(ring, { token: row.token, groupId: row.group_id }, sealed));
      } catch (err) {
        if (!(err instanceof VaultDecryptError)) throw err;
        unopened++;
        continue;
      }
      try {
        const done = await db
          .updateTable('cards')
          .set({ fingerprint: keys.of(row.group_id, number) })
          .where('token', '=', row.token)
          .where('fingerprint', '=', row.fingerprint)
          .executeTakeFirst();
        moved += Number(done.numUpdatedRows);
      } catch (err) {
        // The unique (group, customer, fingerprint): the customer saved this number twice, once under each key.
        if (!/unique|duplicate/i.test((err as Error).message)) throw err;
        duplicates++;
      }
    }
  }
  // The old fingerprints leave the storage too (SQLite's log and free pages, PostgreSQL's dead rows).
  if (moved > 0) scheduleScrub(db, ['cards']);
  return { moved, unopened, duplicates };
}

/** What still refers to each fingerprint key version below the newest: cards, challenges, idempotency records. */
export async function fingerprintKeyUsage(db: Db, keys: FingerprintKeys): Promise<Array<{ version: number; cards: number; other: number }>> {
  const usage: Array<{ version: number; cards: number; other: number }> = [];
  for (const version of keys.versions.filter((v) => v !== keys.current.version)) {
    const count = async (q: Promise<{ n: number | string | bigint } | undefined>) => Number((await q)?.n ?? 0);
    const cards = await count(
      db
        .selectFrom('cards')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(madeWith<'cards'>(version, 'fingerprint'))
        .executeTakeFirst(),
    );
    const challenges = await count(
      db
        .selectFrom('challenges')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(madeWith<'challenges'>(version, 'fingerprint'))
        .executeTakeFirst(),
    );
    const sealed = version === 1 ? 'sealed:v1:%' : `sealed:v1:f${version}.%`;
    const requests = await count(
      db
        .selectFrom('idempotency_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) =>
          eb.or([
            madeWith<'idempotency_keys'>(version, 'request_hash')(eb),
            version === 1
              ? eb.and([eb('response_body', 'like', sealed), eb('response_body', 'not like', 'sealed:v1:%.%')])
              : eb('response_body', 'like', sealed),
          ]),
        )
        .executeTakeFirst(),
    );
    usage.push({ version, cards, other: challenges + requests });
  }
  return usage;
}

/**
 * Deletes the older fingerprint keys nothing refers to any more; answers the versions deleted. The one
 * just before the newest only once this process has held the newest for `settledMs`: a vault that had
 * not yet taken the newest up would otherwise go on hashing with a key that is gone.
 */
export async function retireFingerprintKeys(db: Db, keys: FingerprintKeys, settledMs = SETTLE_MS): Promise<number[]> {
  const retired: number[] = [];
  const previous = Math.max(0, ...keys.versions.filter((v) => v < keys.current.version));
  for (const { version, cards, other } of await fingerprintKeyUsage(db, keys)) {
    if (cards + other > 0) continue;
    if (version === previous && keys.heldFor() < settledMs) continue;
    await db.deleteFrom('vault_secrets').where('name', '=', nameOf(version)).execute();
    retired.push(version);
  }
  if (retired.length > 0) {
    keys.replace(keys.versions.filter((v) => !retired.includes(v)).map((version) => ({ version, key: keys.get(version)! })));
    // Their wrapped copies leave the storage too.
    scheduleScrub(db, ['vault_secrets']);
  }
  return retired;
}

export interface FingerprintRotation {
  version: number;
  moved: number;
  /** Cards whose key left the ring, or whose data is damaged: they keep their older fingerprint. */
  unopened: number;
  duplicates: number;
  retired: number[];
  /** Older versions still referred to, and by how much. */
  kept: Array<{ version: number; cards: number; other: number }>;
}

/**
 * The fingerprint half of a key rotation (`npm run keys -- rotate`): a new fingerprint key, taken up by
 * serving vaults within REFRESH_MS (this waits that long, plus a second, before going on), then every
 * card the ring opens fingerprinted again under it, and the keys older than the one it replaced deleted
 * once nothing refers to them. The one it replaced is left to the serving vaults' fingerprint upkeep
 * (fingerprintUpkeep, in the scheduler's pass), which moves the cards a late vault saved under it and
 * deletes it a minute after they took the new one up.
 */
export async function rotateFingerprintKeys(db: Db, ring: KeyRing, options: { takeUpMs?: number } = {}): Promise<FingerprintRotation> {
  const { keys } = await loadFingerprintKeys(db, ring);
  const { version } = await addFingerprintKey(db, ring, keys);
  await new Promise((resolve) => setTimeout(resolve, options.takeUpMs ?? REFRESH_MS + 1_000));
  const total = { moved: 0, unopened: 0, duplicates: 0 };
  for (let pass = 0; pass < 3; pass++) {
    const done = await refingerprintCards(db, ring, keys);
    total.moved += done.moved;
    total.unopened = done.unopened;
    total.duplicates = done.duplicates;
    if (done.moved === 0) break;
  }
  const retired = await retireFingerprintKeys(db, keys);
  return { version, ...total, retired, kept: (await fingerprintKeyUsage(db, keys)).filter((u) => u.cards + u.other > 0) };
}

/**
 * The scheduler pass's share: the keys read again, and once this vault has held the newest for
 * SETTLE_MS, the cards still under an older key fingerprinted again (a vault that took a rotation up
 * late saved some) and the older keys nothing refers to deleted.
 */
export async function fingerprintUpkeep(
  deps: Pick<Deps, 'db' | 'ring' | 'fingerprints'>,
  settledMs = SETTLE_MS,
): Promise<{ moved: number; retired: number[] }> {
  const { db, ring, fingerprints } = deps;
  await refreshFingerprintKeys(db, ring, fingerprints);
  if (fingerprints.versions.length < 2 || fingerprints.heldFor() < settledMs) return { moved: 0, retired: [] };
  const { moved } = await refingerprintCards(db, ring, fingerprints);
  return { moved, retired: await retireFingerprintKeys(db, fingerprints, settledMs) };
}
