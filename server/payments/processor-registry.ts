// Which processor serves a merchant: chosen from its settings (the simulated one by default in test
// mode; a real connector with the merchant's own credentials), each call under PROCESSOR_TIMEOUT_MS and
// each answer's words scrubbed of card numbers (processor-answers.ts).
// The connectors plug in by type (server/processors/index.ts); this module names none of them.
// Connectors are built once per merchant and settings, and rebuilt when the settings change.
import type { Db } from '../db/database.ts';
import type { ProcessorBaseUrls } from '../env.ts';
import { ApiError } from '../errors.ts';
import { openProcessorSettings } from '../merchants/processor-account.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { KeyUnavailableError } from '../keys/envelope.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import { connectorOf } from '../processors/index.ts';
import { CONNECTOR_TYPES, type Processor } from './processor.ts';
import { withScrubbedAnswers } from './processor-answers.ts';
import { withTimeout } from './processor-timeout.ts';

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

export function createProcessorRegistry(options: RegistryOptions): ProcessorRegistry {
  const built = new Map<string, { fingerprint: string; processor: Processor }>();
  return {
    for(merchant) {
      const stored = merchant.processor;
      if (!stored || stored.type === 'simulated') {
        if (merchant.livemode)
          throw new ApiError(
            'live_mode_unavailable',
            `Live mode takes payments only through a real processor: set processor (${CONNECTOR_TYPES.join(' or ')}) with POST /v1/merchant`,
          );
        return options.simulated();
      }
      // The sealed value changes with every change of the settings: the cached connector is kept while it is the same.
      const fingerprint = stored.sealed?.wrapped ?? stored.type;
      const hit = built.get(merchant.id);
      if (hit && hit.fingerprint === fingerprint) return hit.processor;
      const settings = openedSettings(options.ring, merchant.id, stored);
      if (settings.type === 'simulated') return options.simulated();
      const connector = connectorOf(settings.type).build(settings, {
        db: options.db,
        baseUrl: options.baseUrls[settings.type],
        timeoutMs: options.timeoutMs,
        clock: options.clock,
      });
      const processor = withTimeout(withScrubbedAnswers(connector), options.timeoutMs);
      built.set(merchant.id, { fingerprint, processor });
      return processor;
    },
  };
}

/**
 * The merchant's credentials, opened; a clear refusal, not an internal error, when the key that sealed
 * them left the ring (the vault's start log and `npm run keys -- status` name it): nothing was sent.
 */
function openedSettings(ring: KeyRing, merchantId: string, stored: Parameters<typeof openProcessorSettings>[2]) {
  try {
    return openProcessorSettings(ring, merchantId, stored);
  } catch (err) {
    if (!(err instanceof KeyUnavailableError)) throw err;
    throw new ApiError(
      'processor_unavailable',
      "This shop's processor credentials are sealed under a key the vault's key ring no longer holds: " +
        "the vault's operator can put the key back, or the shop can set its processor again",
    );
  }
}
