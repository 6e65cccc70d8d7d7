// A destination as a forward uses it: the merchant's own (another merchant's name finds nothing), on
// https for a live merchant even if it was registered before the merchant went live, and its
// registered headers opened for the one request that carries them.
import type { Deps } from '../context.ts';
import type { Db } from '../db/database.ts';
import type { ForwardDestinationTable } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { KeyUnavailableError } from '../keys/envelope.ts';
import { findDestination, openDestinationHeaders } from './destination-store.ts';

/** Whether a request to the destination crosses the network in the clear (a test-mode shop's may). */
export const overPlainHttp = (destination: Pick<ForwardDestinationTable, 'url'>) => !destination.url.startsWith('https:');

/** The merchant's registered destination of that name; a live merchant's only over https. */
export async function usableDestination(db: Db, merchant: Merchant, name: string, param = 'destination'): Promise<ForwardDestinationTable> {
  const destination = await findDestination(db, merchant.id, name);
  if (!destination) throw notFound("destination: the vault's operator registers them with npm run forward -- add", param);
  if (merchant.livemode && overPlainHttp(destination)) {
    throw new ApiError(
      'live_mode_unavailable',
      "This destination is not on https, and live cards travel over https only: ask the vault's operator to register it again with an https URL",
      { param },
    );
  }
  return destination;
}

/** The registered headers; a key that left the ring is the operator's to put back, said as such. */
export function openHeaders(deps: Deps, destination: ForwardDestinationTable): Record<string, string> {
  try {
    return openDestinationHeaders(deps.ring, destination);
  } catch (err) {
    if (!(err instanceof KeyUnavailableError)) throw err;
    throw new ApiError(
      'card_key_unavailable',
      "This destination's registered headers are sealed under a key that is not in the vault's key ring: " +
        "the vault's operator can put the key back, or register the destination again",
    );
  }
}
