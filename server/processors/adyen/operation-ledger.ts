// The connector's own ledger (processor_operations): which Adyen pspReference a vault reference
// created, written as soon as Adyen answers, so the payment can be found again by the vault's
// reference after a restart (Adyen itself cannot be asked about a payment without operating on it).
import type { Db } from '../../db/database.ts';
import { findOperation, recordOperation } from '../processor-operations.ts';

export function createOperationLedger(db: Db, clock: () => Date = () => new Date()) {
  return {
    async record(reference: string, pspReference: string | undefined): Promise<void> {
      // The first answer stands: a replayed answer names the same payment.
      if (pspReference) await recordOperation(db, 'adyen', reference, pspReference, clock());
    },
    pspReference: (reference: string): Promise<string | undefined> => findOperation(db, 'adyen', reference),
  };
}

export type OperationLedger = ReturnType<typeof createOperationLedger>;
