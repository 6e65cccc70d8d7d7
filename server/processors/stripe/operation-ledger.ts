// Which PaymentIntent a vault reference created (`processor_operations`, provider 'stripe'): written
// between creating and confirming the intent, so a caller that never heard the answer can ask Stripe
// about that intent without operating. A reference ended before any intent was written down is
// marked REFERENCE_ENDED, so an authorisation still in flight with it cancels its own intent instead of charging.
import type { Db } from '../../db/database.ts';
import { findOperation, recordOperation } from '../processor-operations.ts';

export const REFERENCE_ENDED = 'ended-before-any-payment';
const PROVIDER = 'stripe' as const;

export interface OperationLedger {
  /** The intent written for the reference, REFERENCE_ENDED, or undefined when there is none. */
  find(reference: string): Promise<string | undefined>;
  /** Writes reference → value unless the reference is taken; answers what the reference holds afterwards. */
  claim(reference: string, value: string): Promise<string>;
}

export function createOperationLedger(db: Db, clock: () => Date = () => new Date()): OperationLedger {
  const find = (reference: string) => findOperation(db, PROVIDER, reference);
  return {
    find,
    async claim(reference, value) {
      await recordOperation(db, PROVIDER, reference, value, clock());
      // Two callers with one reference at once: whichever wrote first is the answer for both.
      return (await find(reference)) ?? REFERENCE_ENDED;
    },
  };
}
