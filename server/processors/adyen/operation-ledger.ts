// The connector's own ledger (processor_operations): which Adyen pspReference a vault reference
// created, written as soon as Adyen answers, so the payment can be found again by the vault's
// reference after a restart (Adyen itself cannot be asked about a payment without operating on it).
import type { Db } from '../../db/database.ts';

export function createOperationLedger(db: Db, clock: () => Date = () => new Date()) {
  return {
    async record(reference: string, pspReference: string | undefined): Promise<void> {
      if (!pspReference) return;
      // The first answer stands: a replayed answer names the same payment.
      await db
        .insertInto('processor_operations')
        .values({ reference, provider: 'adyen', provider_id: pspReference, created_at: clock().toISOString() })
        .onConflict((oc) => oc.column('reference').doNothing())
        .execute();
    },
    async pspReference(reference: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('processor_operations')
        .select('provider_id')
        .where('reference', '=', reference)
        .where('provider', '=', 'adyen')
        .executeTakeFirst();
      return row?.provider_id;
    },
  };
}

export type OperationLedger = ReturnType<typeof createOperationLedger>;
