// When the provider says a dispute's last change of outcome happened (null: not said, or none yet). Its
// notifications may arrive out of order (Adyen's CHARGEBACK_REVERSED after the SECOND_CHARGEBACK that
// followed it): a closing older than the one applied changes nothing.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('disputes').addColumn('outcome_at', 'text').execute();
}
