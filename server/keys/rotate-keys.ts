// Key rotation: re-wraps every card's data key (and the vault's own secrets) under the ring's newest
// key, in small batches, so a serving vault keeps answering while it runs. Card ciphertexts are
// untouched: only the small wrapped keys change.
import fs from 'node:fs';
import { scheduleScrub, type Db, type ScrubTable } from '../db/database.ts';
import { rewrapCard, VaultDecryptError } from './envelope.ts';
import { replaceKeyFile } from './key-file.ts';
import { formatKeyRing, loadKeyRing, withNewKey, type KeyRing } from './key-ring.ts';
import { rewrapVaultSecrets } from './vault-secrets.ts';
import { rewrapSealedSettings, sealedKeyUsage } from './sealed-settings.ts';

/**
 * Re-wraps what the ring can open. Cards under a version that left the ring cannot be re-wrapped:
 * they are counted in `unavailable` and stay as they are, so that putting the key back restores them.
 * A card its key does not open (its stored data damaged) is counted in `unreadable` and left as it is:
 * it must not stop the rotation of every other card and of the settings after them.
 */
export async function rotateKeys(
  db: Db,
  ring: KeyRing,
  options: { batch?: number } = {},
): Promise<{ cards: number; secrets: number; unavailable: number; unreadable: number }> {
  const batch = options.batch ?? 200;
  const readable = ring.ids.filter((id) => id !== ring.current.id);
  let cards = 0;
  let unreadable = 0;
  // In token order from where the last batch ended: a card left as it is is not read again.
  for (let after = ''; readable.length > 0; ) {
    const rows = await db
      .selectFrom('cards')
      .select(['token', 'group_id', 'key_version', 'wrapped_key'])
      .where('wrapped_key', 'is not', null)
      .where('key_version', 'in', readable)
      .where('token', '>', after)
      .orderBy('token')
      .limit(batch)
      .execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1].token;
    for (const row of rows) {
      let next: ReturnType<typeof rewrapCard>;
      try {
        next = rewrapCard(ring, { token: row.token, groupId: row.group_id }, { key_version: row.key_version!, wrapped_key: row.wrapped_key! });
      } catch (err) {
        if (!(err instanceof VaultDecryptError)) throw err;
        unreadable++;
        continue;
      }
      // Compare-and-set: a card deleted or re-wrapped meanwhile is left as it now is.
      const done = await db
        .updateTable('cards')
        .set(next)
        .where('token', '=', row.token)
        .where('key_version', '=', row.key_version!)
        .where('wrapped_key', '=', row.wrapped_key!)
        .executeTakeFirst();
      cards += Number(done.numUpdatedRows);
    }
  }
  // The vault's own secrets, and the merchants' processor credentials and forwarding headers.
  const vaultSecrets = (await rewrapVaultSecrets(db, ring)).rewrapped;
  const settings = await rewrapSealedSettings(db, ring);
  const secrets = vaultSecrets + settings;
  // The old wrapped keys leave the database's storage too (SQLite's WAL and free space, PostgreSQL's dead
  // rows, table by table): with a retired key, an old row version would open what it sealed.
  const rewritten: ScrubTable[] = [
    ...(cards > 0 ? (['cards'] as const) : []),
    ...(vaultSecrets > 0 ? (['vault_secrets'] as const) : []),
    ...(settings > 0 ? (['merchants', 'forward_destinations'] as const) : []),
  ];
  if (rewritten.length > 0) scheduleScrub(db, rewritten);
  const unavailable = Object.entries(await keyUsage(db))
    .filter(([id]) => !ring.get(id))
    .reduce((n, [, count]) => n + count, 0);
  return { cards, secrets, unavailable, unreadable };
}

/** How many live cards and vault secrets each key version still wraps: an old key may be retired when it wraps none. */
export async function keyUsage(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('cards')
    .select(['key_version', (eb) => eb.fn.countAll<number>().as('n')])
    .where('wrapped_key', 'is not', null)
    .groupBy('key_version')
    .execute();
  const secrets = await db
    .selectFrom('vault_secrets')
    .select(['key_version', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('key_version')
    .execute();
  const usage: Record<string, number> = {};
  for (const r of [...rows, ...secrets]) usage[r.key_version!] = (usage[r.key_version!] ?? 0) + Number(r.n);
  for (const [version, n] of Object.entries(await sealedKeyUsage(db))) usage[version] = (usage[version] ?? 0) + n;
  return usage;
}

/** Key versions that still wrap live cards but are not in the ring, with how many cards each. */
export async function missingKeys(db: Db, ring: KeyRing): Promise<{ version: string; cards: number }[]> {
  const rows = await db
    .selectFrom('cards')
    .select(['key_version', (eb) => eb.fn.countAll<number>().as('n')])
    .where('wrapped_key', 'is not', null)
    .groupBy('key_version')
    .execute();
  return rows
    .filter((r) => !ring.get(r.key_version!))
    .map((r) => ({ version: r.key_version!, cards: Number(r.n) }))
    .sort((a, b) => a.version.localeCompare(b.version));
}

/**
 * Key versions not in the ring that still seal merchants' settings (processor credentials, webhook
 * signing secrets, forwarding headers), with how many each: those merchants' payments, webhooks or
 * forwards fail until the key is back, so
 * the start's log and `keys status` name them as they name cards.
 */
export async function missingSealedKeys(db: Db, ring: KeyRing): Promise<{ version: string; settings: number }[]> {
  return Object.entries(await sealedKeyUsage(db))
    .filter(([version]) => !ring.get(version))
    .map(([version, settings]) => ({ version, settings }))
    .sort((a, b) => a.version.localeCompare(b.version));
}

/** Appends a fresh key to the key file (KEY_FILE; atomically, mode 0600) and returns the new ring. */
export function addKeyToFile(keyFile: string): KeyRing {
  if (!fs.existsSync(keyFile)) throw new Error(`the key file ${keyFile} (KEY_FILE) does not exist`);
  const ring = withNewKey(loadKeyRing({ keyFile, generate: false }));
  // The longer ring is written whole before anything is re-wrapped: every key stays readable.
  replaceKeyFile(keyFile, `${formatKeyRing(ring)}\n`);
  return ring;
}
