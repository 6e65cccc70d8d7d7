// How many digits a saved card's number has, beside its shown first six and last four. Test mode's rule
// knows a test card by those three (any middle): with only the ends, the fields offered for one click a
// 19-digit card with a test card's ends, which the confirmation then refused. Not secret: the brand
// nearly tells it, and it narrows the hidden digits no further than the ends do. Cards saved before
// this column keep NULL and are judged by their ends alone until charged, when the number is checked.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cards').addColumn('pan_length', 'integer').execute();
}
