// Secrets the vault keeps for itself in the database (the fingerprint keys), so that every instance
// shares them: each is stored wrapped under the keys of the ring it was made with, so that any instance
// holding any of those keys opens it (an instance not yet given the newest key during a rolling change
// included), then at each start under the newest key too and no longer under keys that left the ring;
// `key_version` names the newest.
import crypto from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { VaultSecretTable } from '../db/schema.ts';
import { KeyUnavailableError, unwrapKey, VaultDecryptError, wrapKey } from './envelope.ts';
import type { KeyRing } from './key-ring.ts';

const aad = (name: string) => `secret|${name}`;

/** Key version → the secret wrapped under it. Rows written before the map held one wrapped value. */
function copiesOf(row: Pick<VaultSecretTable, 'wrapped' | 'key_version'>): Record<string, string> {
  return row.wrapped.startsWith('{') ? JSON.parse(row.wrapped) : { [row.key_version]: row.wrapped };
}

/** The secret wrapped under every key of the ring, as a row stores it. */
function wrapUnderRing(ring: KeyRing, name: string, secret: Buffer, under: readonly string[] = ring.ids): Pick<VaultSecretTable, 'wrapped' | 'key_version'> {
  const current = ring.current.id;
  const ids = [...under.filter((id) => id !== current), current];
  return { wrapped: JSON.stringify(Object.fromEntries(ids.map((id) => [id, wrapKey(ring, secret, aad(name), id).wrapped]))), key_version: current };
}

/**
 * Opens a stored secret with whichever of its copies the ring has a key for. KeyUnavailableError
 * (naming the versions) when the ring holds none of them; VaultDecryptError when a key of the same
 * version does not open it (the ring holds a different key under that id).
 */
export function openSecret(ring: KeyRing, row: VaultSecretTable): Buffer {
  const copies = Object.entries(copiesOf(row));
  for (const [version, wrapped] of copies) {
    if (!ring.get(version)) continue;
    try {
      return unwrapKey(ring, wrapped, version, aad(row.name));
    } catch (err) {
      if (!(err instanceof VaultDecryptError)) throw err;
    }
  }
  const known = copies.filter(([version]) => ring.get(version)).map(([version]) => version);
  if (known.length > 0)
    throw new VaultDecryptError(
      `the vault secret ${row.name} does not open with key version ${known.join(', ')} of the ring: ` +
        `it holds a different key under that id than the one that wrapped it`,
    );
  throw new KeyUnavailableError(copies.map(([version]) => version).join(', '));
}

/**
 * Returns the named 32-byte secret, generating and storing it on first use (race-safe across
 * instances). Throws KeyUnavailableError when none of the key versions that wrap it is in the ring.
 */
export async function loadVaultSecret(db: Db, ring: KeyRing, name: string): Promise<Buffer> {
  await db
    .insertInto('vault_secrets')
    .values({ name, ...wrapUnderRing(ring, name, crypto.randomBytes(32)) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return openSecret(ring, await db.selectFrom('vault_secrets').selectAll().where('name', '=', name).executeTakeFirstOrThrow());
}

/**
 * Wraps every vault secret under the ring's current key (named as its version) and drops its copies
 * under keys that left the ring. The vault does this at every start, so that a key may leave the ring
 * once no card needs it without taking these along, and a key that left the ring no longer opens them.
 * A copy is never added under an older key of the ring: an instance started with a key ring from before
 * a key was retired would otherwise put a copy under the retired (perhaps leaked) key back, and with it
 * open a fingerprint key made after the retirement. Secrets that no key of the ring opens are left as
 * they are and named.
 */
export async function rewrapVaultSecrets(db: Db, ring: KeyRing): Promise<{ rewrapped: number; unavailable: string[] }> {
  let rewrapped = 0;
  const unavailable: string[] = [];
  for (const row of await db.selectFrom('vault_secrets').selectAll().execute()) {
    const held = Object.keys(copiesOf(row));
    const wanted = [...new Set([...held.filter((id) => ring.get(id)), ring.current.id])];
    if (row.key_version === ring.current.id && wanted.length === held.length && wanted.every((id) => held.includes(id))) continue;
    let secret: Buffer;
    try {
      secret = openSecret(ring, row);
    } catch (err) {
      if (!(err instanceof KeyUnavailableError)) throw err;
      unavailable.push(row.name);
      continue;
    }
    const done = await db
      .updateTable('vault_secrets')
      .set(wrapUnderRing(ring, row.name, secret, wanted))
      .where('name', '=', row.name)
      .where('wrapped', '=', row.wrapped)
      .executeTakeFirst();
    rewrapped += Number(done.numUpdatedRows);
  }
  return { rewrapped, unavailable };
}

/**
 * Refuses a key ring that is not this vault's: one whose keys open none of the vault's own secrets, or
 * that holds another key under an id they were wrapped with. For the command-line tools that seal
 * something the serving vault must open later (a new merchant's webhook signing secret): run with
 * another VAULT_KEYS or key file, they would seal it where the vault cannot open it. A database with
 * no vault secret yet (the vault never started on it) has nothing to check against.
 */
export async function assertRingOpensVaultSecrets(db: Db, ring: KeyRing): Promise<void> {
  const rows = await db.selectFrom('vault_secrets').selectAll().execute();
  let opened = 0;
  for (const row of rows) {
    try {
      openSecret(ring, row);
      opened++;
    } catch (err) {
      if (err instanceof KeyUnavailableError) continue;
      if (err instanceof VaultDecryptError) throw new Error(`the key ring given (VAULT_KEYS or KEY_FILE) is not this vault's: ${err.message}`);
      throw err;
    }
  }
  if (rows.length > 0 && opened === 0) {
    throw new Error(
      `the key ring given (VAULT_KEYS or KEY_FILE, key versions ${ring.ids.join(', ')}) opens none of this vault's secrets: ` +
        "run with the vault's own VAULT_KEYS or KEY_FILE",
    );
  }
}
