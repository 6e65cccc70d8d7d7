// A saved card's wrong security codes are counted across sessions: the CVC is what proves a customer
// holds a saved card (a recurring agreement, a sister shop's first one-click), and five tries per
// session would let a merchant that opens session after session guess all thousand codes.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cards')
    .addColumn('cvc_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('cards').addColumn('cvc_failed_at', 'text').execute();
}
