// "This merchant's row, by its id": the one query every read of a merchant's resource starts with.
// Another merchant's id finds nothing, so it answers the same 404 as an id that does not exist.
import type { Kysely, Selectable } from 'kysely';
import { notFound } from '../errors.ts';
import type { Queryable } from './database.ts';
import type { Database } from './schema.ts';

/** The tables whose rows belong to one merchant, each with the noun its 404 names. */
const OWNED = { sessions: 'session', charges: 'charge', mandates: 'mandate', invoices: 'invoice', events: 'event', messages: 'message' } as const;
export type OwnedTable = keyof typeof OWNED;

export async function findOwned<T extends OwnedTable>(q: Queryable, table: T, merchantId: string, id: string): Promise<Selectable<Database[T]> | undefined> {
  // Every table above has `id` and `merchant_id`; kysely cannot see that through a table name that is a type parameter.
  const row = await (q as unknown as Kysely<any>).selectFrom(table).selectAll().where('id', '=', id).where('merchant_id', '=', merchantId).executeTakeFirst();
  return row as Selectable<Database[T]> | undefined;
}

/** The merchant's row, or the contract's 404 (`No such charge`, …) naming the parameter that held the id. */
export async function getOwned<T extends OwnedTable>(q: Queryable, table: T, merchantId: string, id: string, param = 'id'): Promise<Selectable<Database[T]>> {
  const row = await findOwned(q, table, merchantId, id);
  if (!row) throw notFound(OWNED[table], param);
  return row;
}
