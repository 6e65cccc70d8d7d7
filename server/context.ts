// What every handler can reach: the dependencies the app was built with and the per-request values.
import type { Logger } from 'pino';
import type { Db, DbKind } from './db/database.ts';
import type { SessionTable } from './db/schema.ts';
import type { Clock } from './ids.ts';
import type { Messenger } from './jobs/messenger.ts';
import type { MerchantCache } from './merchants/merchant-cache.ts';
import type { Merchant } from './merchants/merchant-store.ts';
import type { RateLimiter } from './middleware/rate-limit.ts';
import type { Processor } from './payments/processor.ts';
import type { KeyRing } from './vault/key-ring.ts';

export interface Deps {
  db: Db;
  dbKind: DbKind;
  ring: KeyRing;
  fingerprintKey: Buffer;
  processor: Processor;
  logger: Logger;
  publicUrl: string;
  clock: Clock;
  limiter: RateLimiter;
  merchants: MerchantCache;
  messenger: Messenger;
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    merchant: Merchant;
    /** The frame's session, authorised by its client secret. */
    session: SessionTable;
    /** The merchant's page origin that embeds the fields, checked against the allowed list. */
    hostOrigin: string;
    /** Set when a request takes over an idempotency key whose first holder died. */
    idempotencyKey?: string;
  };
}
