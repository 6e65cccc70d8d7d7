// Opens what the vault's cards live in: the key ring (VAULT_KEYS, or KEY_FILE outside DATA_DIR, with
// an older DATA_DIR/master.key moved out first) and the database, migrated, with its keys settled.
import fs from 'node:fs';
import type { Logger } from 'pino';
import { openDatabase, scheduleScrub, type Db, type DbHandle } from '../db/database.ts';
import type { SyncFile } from '../db/sqlite-group-commit.ts';
import { migrate } from '../db/migrations.ts';
import { defaultKeyFile, isInside, moveLegacyKeyFile } from './key-file.ts';
import type { FingerprintKeys } from './fingerprint-keys.ts';
import { loadKeyRing, type KeyRing } from './key-ring.ts';
import { settleKeysAtStart } from './keys-at-start.ts';
import { sealedKeyUsage } from './sealed-settings.ts';

export interface VaultStorageEnv {
  DATA_DIR: string;
  DATABASE_URL?: string;
  /** `off`: no named statements on PostgreSQL (see env.ts). */
  PG_NAMED_STATEMENTS?: 'on' | 'off';
  VAULT_KEYS?: string;
  /** Default: DATA_DIR's path plus `.key`. */
  KEY_FILE?: string;
}

export interface VaultStorage {
  ring: KeyRing;
  handle: DbHandle;
  fingerprints: FingerprintKeys;
}

export async function openVaultStorage(
  env: VaultStorageEnv,
  logger: Logger,
  options: { syncWal?: SyncFile; onSyncFailure?: (err: Error) => void } = {},
): Promise<VaultStorage> {
  checkKeyFilePlace(env);
  const handle = openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    syncWal: options.syncWal,
    onSyncFailure: (err) => {
      logger.fatal(
        { error: (err as NodeJS.ErrnoException).code ?? err.name, message: err.message },
        'the write-ahead log could not be synced: nothing written from now on is answered as durable; ' +
          'restart the vault (SQLite recovers what reached the disk) and check the disk',
      );
      options.onSyncFailure?.(err);
    },
    namedStatements: env.PG_NAMED_STATEMENTS !== 'off',
    onError: (err) => logger.warn({ err }, 'database connection lost; it will be reopened'),
    onScrub: ({ ok, ms, error }) => {
      if (ok) logger.debug({ ms }, 'storage scrubbed of destroyed card data');
      else logger.warn({ ms, error: error?.message }, 'scrubbing destroyed card data from storage did not finish; retrying');
    },
  });
  try {
    await migrate(handle.db);
    const ring = await openKeyRing(env, handle.db, (detail, message) => logger.warn(detail, message));
    const fingerprints = await settleKeysAtStart(handle.db, ring, logger);
    // A vault that died between a deletion and its scrub left the destroyed data in storage: scrub
    // once at every start, in the background like any other scrub.
    scheduleScrub(handle.db, ['cards', 'challenges', 'idempotency_keys', 'vault_secrets']);
    return { ring, handle, fingerprints };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

function checkKeyFilePlace(env: VaultStorageEnv): void {
  const keyFile = env.KEY_FILE ?? defaultKeyFile(env.DATA_DIR);
  if (isInside(env.DATA_DIR, keyFile))
    throw new Error(`KEY_FILE ${keyFile} lies inside DATA_DIR ${env.DATA_DIR}: a copy of the data directory would carry its key`);
}

/**
 * The key ring as the vault's start opens it, for the database given (migrated): VAULT_KEYS, else the
 * key file, moved out of DATA_DIR if an older version kept it there, and generated on a first start,
 * but never when the database already holds data a key wrapped. The command-line tools that seal
 * something (a new merchant's webhook secret) open it the same way.
 */
export async function openKeyRing(env: VaultStorageEnv, db: Db, warn: (detail: object, message: string) => void): Promise<KeyRing> {
  checkKeyFilePlace(env);
  const keyFile = env.KEY_FILE ?? defaultKeyFile(env.DATA_DIR);
  const moved = moveLegacyKeyFile(env.DATA_DIR, keyFile);
  if (moved)
    warn(moved, 'moved the key file out of DATA_DIR to KEY_FILE: a copy of the data directory no longer carries its key. Back the key file up on its own.');
  // A key file that went missing must not be replaced by a new key: that one would open nothing stored.
  const wrapped = env.VAULT_KEYS || fs.existsSync(keyFile) ? [] : await wrappingVersions(db);
  if (wrapped.length > 0) {
    throw new Error(
      `VAULT_KEYS is not set and the key file ${keyFile} (KEY_FILE) does not exist, ` +
        `but the database holds data wrapped by key version(s) ${wrapped.join(', ')}` +
        `: put the key file back (or set VAULT_KEYS) and start again; a new key would open none of it`,
    );
  }
  // Readable by other local users (copied back with cp, say), the file is still used, but said loudly.
  if (!env.VAULT_KEYS && fs.existsSync(keyFile) && (fs.statSync(keyFile).mode & 0o077) !== 0)
    warn(
      { file: keyFile, mode: (fs.statSync(keyFile).mode & 0o777).toString(8) },
      'the key file (KEY_FILE) is readable by other local users: make it owner-only (chmod 600), as the vault creates it',
    );
  return loadKeyRing({
    vaultKeys: env.VAULT_KEYS,
    keyFile,
    onGenerated: (file) =>
      warn(
        { file },
        'VAULT_KEYS is not set: generated a key file (KEY_FILE). Keep it safe and backed up apart from the data directory, or set VAULT_KEYS in production.',
      ),
  });
}

async function wrappingVersions(db: Db): Promise<string[]> {
  const secrets = await db.selectFrom('vault_secrets').select('key_version').distinct().execute();
  const cards = await db.selectFrom('cards').select('key_version').distinct().where('wrapped_key', 'is not', null).execute();
  // Merchants' sealed settings too: processor credentials, forwarding headers, webhook signing secrets.
  const settings = Object.keys(await sealedKeyUsage(db)).map((key_version) => ({ key_version }));
  return [...new Set([...secrets, ...cards, ...settings].map((r) => r.key_version!))].sort();
}
