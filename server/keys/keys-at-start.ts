// What the vault settles about its keys at every start: its own secrets re-wrapped under the ring's
// keys, the newest included, while the older one is still there (so that retiring that key later
// loses nothing), a fingerprint key that no key of the ring opens replaced, and the missing key
// versions that still wrap cards named in the log. A missing key never stops the start: the cards it wraps answer
// card_key_unavailable, every other card serves.
import type { Logger } from 'pino';
import { scheduleScrub, type Db } from '../db/database.ts';
import { KeyUnavailableError, openCard, VaultDecryptError } from './envelope.ts';
import type { KeyRing } from './key-ring.ts';
import { missingKeys, missingSealedKeys } from './rotate-keys.ts';
import { fingerprintOf, loadVaultSecret, replaceVaultSecret, rewrapVaultSecrets, vaultSecretRow } from './vault-secrets.ts';

/** Returns the fingerprint key the vault runs with. */
export async function settleKeysAtStart(db: Db, ring: KeyRing, logger: Logger): Promise<Buffer> {
  const fingerprintKey = await openFingerprintKey(db, ring, logger);
  const { rewrapped } = await rewrapVaultSecrets(db, ring);
  if (rewrapped > 0) {
    logger.info(
      { secrets: rewrapped, key_version: ring.current.id, key_versions: ring.ids },
      `re-wrapped ${rewrapped} of the vault's own secrets under the ring's key versions ${ring.ids.join(', ')} (newest ${ring.current.id})`,
    );
    // A copy under a key that left the ring leaves the storage too.
    scheduleScrub(db, ['vault_secrets']);
  }
  for (const { version, cards } of await missingKeys(db, ring)) {
    logger.error(
      { key_version: version, cards },
      `key version ${version} is not in the key ring but still wraps ${cards} saved card(s): ` +
        `they answer card_key_unavailable until the key is put back in VAULT_KEYS or KEY_FILE. ` +
        `Retire a key only once \`npm run keys -- status\` shows it wraps nothing.`,
    );
  }
  for (const { version, settings } of await missingSealedKeys(db, ring)) {
    logger.error(
      { key_version: version, sealed_settings: settings },
      `key version ${version} is not in the key ring but still wraps ${settings} merchant setting(s) (processor credentials or forwarding headers): ` +
        `those merchants cannot take payments or forward through them until the key is put back in VAULT_KEYS or KEY_FILE, or the settings are given again.`,
    );
  }
  return fingerprintKey;
}

async function openFingerprintKey(db: Db, ring: KeyRing, logger: Logger): Promise<Buffer> {
  try {
    return await loadVaultSecret(db, ring, 'fingerprint');
  } catch (err) {
    // A key of the right version that does not open it stops the start (VaultDecryptError): serving
    // on would replace a secret that the right key still opens.
    if (!(err instanceof KeyUnavailableError)) throw err;
    const row = (await vaultSecretRow(db, 'fingerprint'))!;
    const key = await replaceVaultSecret(db, ring, 'fingerprint', row);
    const refreshed = await refingerprint(db, ring, key);
    logger.error(
      { key_version: err.keyVersion, refingerprinted: refreshed },
      `the fingerprint key was wrapped by key version ${err.keyVersion}, which is not in the key ring: ` +
        `a new fingerprint key replaces it and the ${refreshed} card(s) the ring can open were fingerprinted again. ` +
        `A number saved under a missing key version and saved again becomes a second card, ` +
        `and an Idempotency-Key first sent before this start is refused with its same body (idempotency_key_reused).`,
    );
    return key;
  }
}

/** Computes every card's fingerprint anew under `key`, for the cards the ring can open; answers how many. */
async function refingerprint(db: Db, ring: KeyRing, key: Buffer): Promise<number> {
  let after = '';
  let done = 0;
  for (;;) {
    const rows = await db
      .selectFrom('cards')
      .select(['token', 'group_id', 'key_version', 'wrapped_key', 'pan_ct', 'meta_ct'])
      .where('wrapped_key', 'is not', null)
      .where('key_version', 'in', ring.ids)
      .where('token', '>', after)
      .orderBy('token')
      .limit(200)
      .execute();
    if (rows.length === 0) return done;
    for (const row of rows) {
      const sealed = { key_version: row.key_version!, wrapped_key: row.wrapped_key!, pan_ct: row.pan_ct!, meta_ct: row.meta_ct! };
      let number: string;
      try {
        ({ number } = openCard(ring, { token: row.token, groupId: row.group_id }, sealed));
      } catch (err) {
        // A card that does not open is no reason to stop the start; it keeps its old fingerprint.
        if (err instanceof VaultDecryptError) continue;
        throw err;
      }
      const moved = await db
        .updateTable('cards')
        .set({ fingerprint: fingerprintOf(key, row.group_id, number) })
        .where('token', '=', row.token)
        .where('wrapped_key', '=', row.wrapped_key)
        .executeTakeFirst();
      done += Number(moved.numUpdatedRows);
    }
    after = rows[rows.length - 1].token;
  }
}
