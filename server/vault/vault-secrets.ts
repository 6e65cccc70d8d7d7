// Secrets the vault keeps for itself in the database, wrapped by the key ring, so every instance shares them.
import crypto from 'node:crypto';
import type { Db } from '../db/database.ts';
import { unwrapKey, wrapKey } from './envelope.ts';
import type { KeyRing } from './key-ring.ts';

/** Returns the named 32-byte secret, generating and storing it on first use (race-safe across instances). */
export async function loadVaultSecret(db: Db, ring: KeyRing, name: string): Promise<Buffer> {
  const { key_version, wrapped } = wrapKey(ring, crypto.randomBytes(32), `secret|${name}`);
  await db.insertInto('vault_secrets').values({ name, wrapped, key_version }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('vault_secrets').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
  return unwrapKey(ring, row.wrapped, row.key_version, `secret|${name}`);
}

/** Re-wraps every vault secret under the current key. */
export async function rewrapVaultSecrets(db: Db, ring: KeyRing): Promise<number> {
  const rows = await db.selectFrom('vault_secrets').selectAll().where('key_version', '!=', ring.current.id).execute();
  for (const row of rows) {
    const secret = unwrapKey(ring, row.wrapped, row.key_version, `secret|${row.name}`);
    const next = wrapKey(ring, secret, `secret|${row.name}`);
    await db.updateTable('vault_secrets').set({ wrapped: next.wrapped, key_version: next.key_version })
      .where('name', '=', row.name).where('key_version', '=', row.key_version).execute();
  }
  return rows.length;
}

/** The keyed fingerprint that finds a number the customer already saved, without storing the number. */
export function fingerprintOf(key: Buffer, groupId: string, number: string): string {
  return crypto.createHmac('sha256', key).update(`${groupId}:${number}`).digest('base64url');
}
