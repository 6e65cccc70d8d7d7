// Which card a 3-D Secure challenge was opened for: a saved card's token, or NULL for a number typed in
// the fields. A challenge authenticates only that card: one passed for a typed number and named with a
// saved card would otherwise tell a sister shop, by its answer, whether the number it typed is that
// customer's saved card. Challenges opened before this column (a day's worth at most) count as typed.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('challenges').addColumn('card_token', 'text').execute();
}
