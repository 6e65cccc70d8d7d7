// Key rotation: re-wraps every card's data key (and the vault's own secrets) under the ring's newest
// key, in small batches, so a serving vault keeps answering while it runs. Card ciphertexts are
// untouched: only the small wrapped keys change.
import fs from 'node:fs';
import type { Db } from '../db/database.ts';
import { rewrapCard } from './envelope.ts';
import { formatKeyRing, keyFilePath, loadKeyRing, withNewKey, type KeyRing } from './key-ring.ts';
import { rewrapVaultSecrets } from './vault-secrets.ts';

export async function rotateKeys(db: Db, ring: KeyRing, options: { batch?: number } = {}): Promise<{ cards: number; secrets: number }> {
  const batch = options.batch ?? 200;
  let cards = 0;
  for (;;) {
    const rows = await db.selectFrom('cards').select(['token', 'group_id', 'key_version', 'wrapped_key'])
      .where('wrapped_key', 'is not', null).where('key_version', '!=', ring.current.id)
      .limit(batch).execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const next = rewrapCard(ring, { token: row.token, groupId: row.group_id }, { key_version: row.key_version!, wrapped_key: row.wrapped_key! });
      // Compare-and-set: a card deleted or re-wrapped meanwhile is left as it now is.
      const done = await db.updateTable('cards').set(next)
        .where('token', '=', row.token).where('key_version', '=', row.key_version!).where('wrapped_key', '=', row.wrapped_key!)
        .executeTakeFirst();
      cards += Number(done.numUpdatedRows);
    }
  }
  return { cards, secrets: await rewrapVaultSecrets(db, ring) };
}

/** How many live cards each key version still wraps: an old key may be retired when it wraps none. */
export async function keyUsage(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('cards').select(['key_version', (eb) => eb.fn.countAll<number>().as('n')])
    .where('wrapped_key', 'is not', null).groupBy('key_version').execute();
  const secrets = await db.selectFrom('vault_secrets').select(['key_version', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('key_version').execute();
  const usage: Record<string, number> = {};
  for (const r of [...rows, ...secrets]) usage[r.key_version!] = (usage[r.key_version!] ?? 0) + Number(r.n);
  return usage;
}

/** Appends a fresh key to DATA_DIR/master.key (atomically, mode 0600) and returns the new ring. */
export function addKeyToFile(dataDir: string): KeyRing {
  const ring = withNewKey(loadKeyRing({ dataDir }));
  const file = keyFilePath(dataDir);
  // The longer ring is written whole before anything is re-wrapped: every key stays readable.
  fs.writeFileSync(`${file}.new`, `${formatKeyRing(ring)}\n`, { mode: 0o600 });
  fs.renameSync(`${file}.new`, file);
  return ring;
}
