// vault_expect_rows(): what lets several writes go to PostgreSQL as one statement (db/write-batch.ts)
// and still be refused together when a fenced one finds no row. It raises SQLSTATE VX001, which undoes
// the whole statement. SQLite runs a batch's writes one by one in a transaction and needs nothing.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    create or replace function vault_expect_rows(actual bigint, expected bigint, what text) returns bigint
    language plpgsql as $body$
    begin
      if actual <> expected then
        raise exception 'vault: % changed % rows, not %', what, actual, expected using errcode = 'VX001';
      end if;
      return actual;
    end
    $body$`.execute(db);
}
