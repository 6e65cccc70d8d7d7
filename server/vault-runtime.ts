// Builds everything the app needs from the environment: logger, key ring, database, processor.
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import type { Deps } from './context.ts';
import type { DbHandle } from './db/database.ts';
import type { Env } from './env.ts';
import { createLogger } from './logger.ts';
import { smtpTransport, type EmailTransport } from './messages/email-transport.ts';
import { createMessenger } from './messages/messenger.ts';
import { webhookTargetPolicy } from './jobs/webhook-target.ts';
import { MerchantCache } from './merchants/merchant-cache.ts';
import { compileTrust } from './middleware/client-address.ts';
import { createRateLimits, DEFAULT_FIELDS_CAPS } from './middleware/rate-limit.ts';
import { withTimeout } from './payments/processor-timeout.ts';
import { SimulatedProcessor } from './payments/simulated-processor.ts';
import { createProcessorRegistry } from './payments/processor-registry.ts';
import { openVaultStorage } from './keys/open-vault.ts';
import { REFRESH_MS, refreshFingerprintKeys } from './keys/fingerprint-rotation.ts';
import type { SyncFile } from './db/sqlite-group-commit.ts';

export interface VaultRuntime {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  handle: DbHandle;
  close(): Promise<void>;
}

/** The limits' settings; each one left out takes its default. */
export type LimitsEnv = Partial<Pick<Env, 'TRUST_PROXY' | 'REDIS_URL' | 'REDIS_PREFIX' | 'FIELDS_MAX_PER_ADDRESS' | 'FIELDS_MAX_PER_MERCHANT'>>;

export interface RuntimeOptions {
  logger?: Logger;
  /** SQLite's log sync; tests gate it to watch the order of commits and answers. */
  syncWal?: SyncFile;
  /** Told once when SQLite's log could not be synced (after the fatal log line): `npm start` stops the process. */
  onSyncFailure?: (err: Error) => void;
}

export async function createRuntime(
  env: Pick<Env, 'DATA_DIR' | 'DATABASE_URL' | 'VAULT_KEYS' | 'PUBLIC_URL' | 'LOG_LEVEL' | 'SMTP_URL' | 'SMTP_FROM'> &
    Partial<Pick<Env, 'ALLOW_PRIVATE_WEBHOOKS' | 'KEY_FILE' | 'PROCESSOR_TIMEOUT_MS' | 'PROCESSOR_BASE_URLS' | 'PG_NAMED_STATEMENTS'>> &
    LimitsEnv,
  options: RuntimeOptions = {},
): Promise<VaultRuntime> {
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  // The key ring and the migrated database; a key version missing from the ring does not stop it.
  const { ring, handle, fingerprints } = await openVaultStorage(env, logger, { syncWal: options.syncWal, onSyncFailure: options.onSyncFailure });
  // Customer e-mail goes over SMTP when SMTP_URL is set; otherwise it waits in the outbox.
  const email: EmailTransport | undefined = env.SMTP_URL
    ? smtpTransport(env.SMTP_URL, env.SMTP_FROM ?? `no-reply@${new URL(env.PUBLIC_URL).hostname}`)
    : undefined;
  const limiter = await createRateLimits({ redisUrl: env.REDIS_URL, prefix: env.REDIS_PREFIX ?? 'vault:', logger });
  const timeoutMs = env.PROCESSOR_TIMEOUT_MS ?? 30_000;
  const deps: Deps = {
    db: handle.db,
    dbKind: handle.kind,
    ring,
    fingerprints,
    // Its expiry declines and ledger dates read the vault's clock, like every other date.
    processor: withTimeout(new SimulatedProcessor(handle.db, () => deps.clock()), timeoutMs),
    processors: createProcessorRegistry({
      db: handle.db,
      ring,
      baseUrls: env.PROCESSOR_BASE_URLS ?? {},
      timeoutMs,
      clock: () => deps.clock(),
      simulated: () => deps.processor,
    }),
    live: { https: new URL(env.PUBLIC_URL).protocol === 'https:', vaultKeys: Boolean(env.VAULT_KEYS) },
    processorTimeoutMs: timeoutMs,
    logger,
    publicUrl: env.PUBLIC_URL,
    clock: () => new Date(),
    limiter,
    fieldsCaps: {
      maxPerAddress: env.FIELDS_MAX_PER_ADDRESS ?? DEFAULT_FIELDS_CAPS.maxPerAddress,
      maxPerMerchant: env.FIELDS_MAX_PER_MERCHANT ?? DEFAULT_FIELDS_CAPS.maxPerMerchant,
    },
    trustProxy: compileTrust(env.TRUST_PROXY),
    merchants: new MerchantCache(handle.db),
    // The clock is read through deps: tests replace deps.clock after the runtime is built.
    messenger: createMessenger({ db: handle.db, logger, clock: () => deps.clock(), email }),
    webhookTargets: webhookTargetPolicy(env.ALLOW_PRIVATE_WEBHOOKS ?? false),
  };
  // A rotation of the key ring (npm run keys -- rotate) adds a fingerprint key while this vault serves:
  // every hash made after REFRESH_MS uses it.
  const refresh = setInterval(() => {
    refreshFingerprintKeys(handle.db, ring, fingerprints).catch((err: Error) =>
      logger.warn({ error: err.message }, 'the fingerprint keys could not be read again; the next try is in a few seconds'),
    );
  }, REFRESH_MS);
  refresh.unref();
  const close = async () => {
    clearInterval(refresh);
    email?.close();
    await limiter.close();
    await handle.close();
  };
  return { deps, app: createApp(deps), handle, close };
}
