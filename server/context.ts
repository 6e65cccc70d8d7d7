// What every handler can reach: the dependencies the app was built with and the per-request values.
import type { Logger } from 'pino';
import type { Db, DbKind } from './db/database.ts';
import type { Atomic } from './db/write-batch.ts';
import type { SessionTable } from './db/schema.ts';
import type { Clock } from './clock.ts';
import type { Messenger } from './messages/messenger.ts';
import type { WebhookTargetPolicy } from './jobs/webhook-target.ts';
import type { MerchantCache } from './merchants/merchant-cache.ts';
import type { Merchant } from './merchants/merchant-store.ts';
import type { TrustFn } from './middleware/client-address.ts';
import type { FieldsCaps, RateLimits } from './middleware/rate-limit.ts';
import type { Processor } from './payments/processor.ts';
import type { ProcessorRegistry } from './payments/processor-registry.ts';
import type { FingerprintKeys } from './keys/fingerprint-keys.ts';
import type { KeyRing } from './keys/key-ring.ts';

export interface Deps {
  db: Db;
  dbKind: DbKind;
  ring: KeyRing;
  /** The keys of the keyed hashes of card numbers (fingerprints, idempotent requests' digests): keys/fingerprint-keys.ts. */
  fingerprints: FingerprintKeys;
  /** The simulated processor: the default of every test-mode merchant. */
  processor: Processor;
  /** Each merchant's own processor: the simulated one, or a real connector with its credentials. */
  processors: ProcessorRegistry;
  /**
   * Whether this vault can carry real cards (live mode): PUBLIC_URL on https and the key ring given in
   * VAULT_KEYS. What is missing is named in live requests' 403 live_mode_unavailable.
   */
  live: { https: boolean; vaultKeys: boolean };
  /** PROCESSOR_TIMEOUT_MS: the longest any call out of the vault (a provider, a forward) may take. */
  processorTimeoutMs: number;
  logger: Logger;
  publicUrl: string;
  clock: Clock;
  /** Request counters: in Redis when REDIS_URL is set (shared by every instance), else in memory. */
  limiter: RateLimits;
  /** The operator's ceilings on the fields' limits (FIELDS_MAX_PER_ADDRESS, FIELDS_MAX_PER_MERCHANT). */
  fieldsCaps: FieldsCaps;
  /** Which proxies may name the client in X-Forwarded-For (TRUST_PROXY); none when undefined. */
  trustProxy?: TrustFn;
  merchants: MerchantCache;
  messenger: Messenger;
  /** Which webhook URLs may be called (ALLOW_PRIVATE_WEBHOOKS) and the DNS resolver that decides it. */
  webhookTargets: WebhookTargetPolicy;
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    merchant: Merchant;
    /** The request came with the secret key from before the last roll, still in its grace period. */
    previousKey?: boolean;
    /** The secret key the request came with; unset for a signed-in staff user of the dashboard. */
    secretKey?: string;
    /** The request's JSON body, parsed once by jsonBody() ({} for an empty body); unset for GET and HEAD. */
    body?: Record<string, unknown>;
    /** The frame's session, authorised by its client secret. */
    session: SessionTable;
    /** The merchant's page origin that embeds the fields, checked against the allowed list. */
    hostOrigin: string;
    /** The Idempotency-Key of this POST, when it has one. */
    idempotencyKey?: string;
    /** The key and the time it was first stored: the processor reference of the operations it names, so a key reused after its 24 hours names new ones. */
    idempotencyRef?: string;
    /** The key was claimed by this request: no earlier attempt used its reference. */
    idempotencyFresh?: boolean;
    /** Stores the answer with the caller's batch of writes (the one that records the outcome), exactly as it will be sent. */
    idempotentAnswer?: (atomic: Atomic, status: number, body: string) => void;
  };
}
