// Which processor serves a merchant: chosen from its settings (the simulated one by default in test
// mode; a real connector with the merchant's own credentials), each call under PROCESSOR_TIMEOUT_MS.
// Connectors are built once per merchant and settings, and rebuilt when the settings change.
import type { Db } from '../db/database.ts';
import type { ProcessorBaseUrls } from '../env.ts';
import { ApiError } from '../errors.ts';
import { openProcessorSettings } from '../merchants/processor-account.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import { createAdyenProcessor } from '../processors/adyen/adyen-processor.ts';
import { createStripeProcessor } from '../processors/stripe/stripe-processor.ts';
import type { Processor, ProcessorSettings } from './processor.ts';
import { withTimeout } from './processor-timeout.ts';

/** What every connector is built with besides the merchant's credentials. */
export interface ConnectorOptions {
  /** For the connector's own ledger (`processor_operations`): which provider payment a reference created. */
  db: Db;
  /** The operator's PROCESSOR_BASE_URLS entry for this provider: an egress proxy or a local test server. */
  baseUrl?: string;
  /** PROCESSOR_TIMEOUT_MS: also given to the library, so a hung socket is abandoned, not only raced. */
  timeoutMs: number;
  /** The vault's clock, for the dates the connector writes (the vault passes deps.clock; unset, the wall clock). */
  clock?: () => Date;
}

export interface ProcessorRegistry {
  /** The merchant's processor. 403 live_mode_unavailable when a live merchant has no real one. */
  for(merchant: Merchant): Processor;
}

export interface RegistryOptions {
  db: Db;
  ring: KeyRing;
  baseUrls: ProcessorBaseUrls;
  timeoutMs: number;
  clock: () => Date;
  /** The simulated processor, read at each call (tests replace it on the runtime's deps). */
  simulated: () => Processor;
}

export function buildConnector(settings: Exclude<ProcessorSettings, { type: 'simulated' }>, options: ConnectorOptions): Processor {
  return settings.type === 'stripe' ? createStripeProcessor(settings, options) : createAdyenProcessor(settings, options);
}

export function createProcessorRegistry(options: RegistryOptions): ProcessorRegistry {
  const built = new Map<string, { fingerprint: string; processor: Processor }>();
  return {
    for(merchant) {
      const stored = merchant.processor;
      if (!stored || stored.type === 'simulated') {
        if (merchant.livemode)
          throw new ApiError(
            'live_mode_unavailable',
            'Live mode takes payments only through a real processor: set processor (stripe or adyen) with POST /v1/merchant',
          );
        return options.simulated();
      }
      // The sealed value changes with every change of the settings: the cached connector is kept while it is the same.
      const fingerprint = stored.sealed?.wrapped ?? stored.type;
      const hit = built.get(merchant.id);
      if (hit && hit.fingerprint === fingerprint) return hit.processor;
      const settings = openProcessorSettings(options.ring, merchant.id, stored);
      if (settings.type === 'simulated') return options.simulated();
      const processor = withTimeout(
        buildConnector(settings, { db: options.db, baseUrl: options.baseUrls[settings.type], timeoutMs: options.timeoutMs, clock: options.clock }),
        options.timeoutMs,
      );
      built.set(merchant.id, { fingerprint, processor });
      return processor;
    },
  };
}
