// Builds everything the app needs from the environment: logger, key ring, database, processor.
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import type { Deps } from './context.ts';
import { openDatabase, type DbHandle } from './db/database.ts';
import { migrate } from './db/migrations.ts';
import type { Env } from './env.ts';
import { createLogger } from './logger.ts';
import { smtpTransport, type EmailTransport } from './jobs/email-transport.ts';
import { createMessenger } from './jobs/messenger.ts';
import { webhookTargetPolicy } from './jobs/webhook-target.ts';
import { MerchantCache } from './merchants/merchant-cache.ts';
import { compileTrust } from './middleware/client-address.ts';
import { createRateLimits, DEFAULT_FIELDS_CAPS } from './middleware/rate-limit.ts';
import { SimulatedProcessor } from './payments/simulated-processor.ts';
import { loadKeyRing } from './vault/key-ring.ts';
import { loadVaultSecret } from './vault/vault-secrets.ts';

export interface VaultRuntime {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  handle: DbHandle;
  close(): Promise<void>;
}

/** The limits' settings; each one left out takes its default. */
export type LimitsEnv = Partial<Pick<Env, 'TRUST_PROXY' | 'REDIS_URL' | 'REDIS_PREFIX' | 'FIELDS_MAX_PER_ADDRESS' | 'FIELDS_MAX_PER_MERCHANT'>>;

export async function createRuntime(env: Pick<Env, 'DATA_DIR' | 'DATABASE_URL' | 'VAULT_KEYS' | 'PUBLIC_URL' | 'LOG_LEVEL' | 'SMTP_URL' | 'SMTP_FROM'> & Partial<Pick<Env, 'ALLOW_PRIVATE_WEBHOOKS'>> & LimitsEnv, options: { logger?: Logger } = {}): Promise<VaultRuntime> {
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  const ring = loadKeyRing({
    vaultKeys: env.VAULT_KEYS,
    dataDir: env.DATA_DIR,
    onGenerated: (file) => logger.warn({ file }, 'VAULT_KEYS is not set: generated a key file. Keep it safe and backed up, or set VAULT_KEYS in production.'),
  });
  const handle = openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, onError: (err) => logger.warn({ err }, 'database connection lost; it will be reopened') });
  try {
    await migrate(handle.db);
  } catch (err) {
    await handle.close();
    throw err;
  }
  // Customer e-mail goes over SMTP when SMTP_URL is set; otherwise it waits in the outbox.
  const email: EmailTransport | undefined = env.SMTP_URL ? smtpTransport(env.SMTP_URL, env.SMTP_FROM ?? `no-reply@${new URL(env.PUBLIC_URL).hostname}`) : undefined;
  const limiter = await createRateLimits({ redisUrl: env.REDIS_URL, prefix: env.REDIS_PREFIX ?? 'vault:', logger });
  const deps: Deps = {
    db: handle.db,
    dbKind: handle.kind,
    ring,
    fingerprintKey: await loadVaultSecret(handle.db, ring, 'fingerprint'),
    processor: new SimulatedProcessor(handle.db),
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
  const close = async () => {
    email?.close();
    await limiter.close();
    await handle.close();
  };
  return { deps, app: createApp(deps), handle, close };
}
