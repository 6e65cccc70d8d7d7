// Which fields of a destination's answer a session forward that carried the CVC may show the merchant
// (a JSON array of dot paths, or null: none). A destination may echo what it was sent, and the merchant
// writes the request: any answer it reflects could carry the CVC, in a form no mask can recognise. The
// operator, who registers the destination, names the fields the provider itself writes.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('forward_destinations').addColumn('cvc_answer_fields', 'text').execute();
}
