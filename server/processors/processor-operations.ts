// The connectors' own ledger (`processor_operations`): which provider payment a vault reference
// created. Its two queries are prepared (compiled once, named on PostgreSQL): a charge through a
// connector writes one row and reads it back on its way to the provider.
import type { Db } from '../db/database.ts';
import { columnsOf, prepared } from '../db/prepared-query.ts';

export type LedgerProvider = 'stripe' | 'adyen';

const insert = prepared((q, row: { reference: string; provider: string; provider_id: string; created_at: string }) =>
  q
    .insertInto('processor_operations')
    .values(columnsOf(row, ['reference', 'provider', 'provider_id', 'created_at']))
    .onConflict((oc) => oc.column('reference').doNothing()),
);

const select = prepared((q, a: { reference: string }) =>
  q.selectFrom('processor_operations').select(['provider', 'provider_id']).where('reference', '=', a.reference),
);

/** Writes reference → provider_id unless the reference is taken (the first writer's row stands). */
export async function recordOperation(db: Db, provider: LedgerProvider, reference: string, providerId: string, now: Date): Promise<void> {
  await insert(db, { reference, provider, provider_id: providerId, created_at: now.toISOString() });
}

/** What `provider` wrote for the reference; undefined when nothing, or another provider, did. */
export async function findOperation(db: Db, provider: LedgerProvider, reference: string): Promise<string | undefined> {
  const row = (await select(db, { reference })).rows[0];
  return row?.provider === provider ? row.provider_id : undefined;
}
