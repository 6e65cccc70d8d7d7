// What the vault settles about its keys at every start: its own secrets re-wrapped under the ring's
// keys, the newest included, while the older one is still there (so that retiring that key later
// loses nothing), a fingerprint key that no key of the ring opens replaced (and older ones nothing
// refers to deleted), and the missing key
// versions that still wrap cards named in the log. A missing key never stops the start: the cards it wraps answer
// card_key_unavailable, every other card serves.
import type { Logger } from 'pino';
import { scheduleScrub, type Db } from '../db/database.ts';
import type { KeyRing } from './key-ring.ts';
import { missingKeys, missingSealedKeys } from './rotate-keys.ts';
import type { FingerprintKeys } from './fingerprint-keys.ts';
import { loadFingerprintKeys, retireFingerprintKeys } from './fingerprint-rotation.ts';
import { sealWebhookSecrets } from './sealed-settings.ts';
import { rewrapVaultSecrets } from './vault-secrets.ts';

/** Returns the fingerprint keys the vault runs with. */
export async function settleKeysAtStart(db: Db, ring: KeyRing, logger: Logger): Promise<FingerprintKeys> {
  const { keys: fingerprints, replaced } = await loadFingerprintKeys(db, ring);
  if (replaced) {
    logger.error(
      { key_version: replaced.missingVersions, refingerprinted: replaced.refingerprinted },
      `the fingerprint key was wrapped by key version ${replaced.missingVersions}, which is not in the key ring: ` +
        `a new fingerprint key replaces it and the ${replaced.refingerprinted} card(s) the ring can open were fingerprinted again. ` +
        `A number saved under a missing key version and saved again becomes a second card, ` +
        `and an Idempotency-Key first sent before this start is refused with its same body (idempotency_key_reused).`,
    );
  }
  // An older fingerprint key that nothing refers to any more (a rotation's, a day on) leaves the database.
  const retired = await retireFingerprintKeys(db, fingerprints);
  if (retired.length > 0) {
    logger.info({ fingerprint_key_versions: retired }, `deleted fingerprint key version(s) ${retired.join(', ')}: nothing refers to them any more`);
    scheduleScrub(db, ['vault_secrets']);
  }
  const { rewrapped } = await rewrapVaultSecrets(db, ring);
  if (rewrapped > 0) {
    logger.info(
      { secrets: rewrapped, key_version: ring.current.id, key_versions: ring.ids },
      `re-wrapped ${rewrapped} of the vault's own secrets under the ring's key versions ${ring.ids.join(', ')} (newest ${ring.current.id})`,
    );
    // A copy under a key that left the ring leaves the storage too.
    scheduleScrub(db, ['vault_secrets']);
  }
  // Webhook signing secrets written in the clear by a version before they were sealed.
  const sealed = await sealWebhookSecrets(db, ring);
  if (sealed > 0) {
    logger.info({ merchants: sealed, key_version: ring.current.id }, `sealed the webhook signing secrets of ${sealed} merchant(s) under the key ring`);
    // The values in the clear leave the storage too (SQLite's WAL and free pages, PostgreSQL's dead rows).
    scheduleScrub(db, ['merchants']);
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
      `key version ${version} is not in the key ring but still wraps ${settings} merchant setting(s) ` +
        '(processor credentials, webhook signing secrets or forwarding headers): those merchants cannot take payments, ' +
        'be sent webhooks or forward through them until the key is put back in VAULT_KEYS or KEY_FILE, or the settings are given again.',
    );
  }
  return fingerprints;
}
