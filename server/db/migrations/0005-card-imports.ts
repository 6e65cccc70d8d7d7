// A recorded mandate (an agreement given elsewhere) is allowed only on a card this very merchant
// imported: not on one a sister shop imported, nor on one saved through the fields. Earlier imports are
// attributed from their card.saved / card.updated events, which name the importing merchant.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('card_imports')
    .addColumn('card_token', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('card_imports_pk', ['card_token', 'merchant_id'])
    .execute();
  const events = await db
    .selectFrom('events')
    .select(['merchant_id', 'data', 'created_at'])
    .where('type', 'in', ['card.saved', 'card.updated'])
    .where('data', 'like', '%"source":"import"%')
    .execute();
  for (const e of events) {
    const card = (JSON.parse(e.data) as { card?: string }).card;
    if (!card) continue;
    await db
      .insertInto('card_imports')
      .values({ card_token: card, merchant_id: e.merchant_id, created_at: e.created_at })
      .onConflict((oc) => oc.columns(['card_token', 'merchant_id']).doNothing())
      .execute();
  }
}
