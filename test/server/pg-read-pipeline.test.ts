// The hot paths' reads on one pipelined PostgreSQL connection (server/db/pg-read-pipeline.ts): concurrent
// reads share it, transactions and writes never use it, a write waiting for a row lock holds up no read
// (the deadlock the rule exists for), and a lost connection or a stale statement costs at most one read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DbHandle } from '../../server/db/database.ts';
import { columnsOf, prepared } from '../../server/db/prepared-query.ts';
import { isPlainRead } from '../../server/db/pg-read-pipeline.ts';
import { targets } from '../helpers/databases.ts';
import { openMigratedPostgres, type MigratedPostgres } from '../helpers/migrated-database.ts';

const leaseOf = prepared((q, a: { name: string }) => q.selectFrom('leases').selectAll().where('name', '=', a.name));
const insertLease = prepared((q, row: { name: string; holder: string; until: string }) =>
  q.insertInto('leases').values(columnsOf(row, ['name', 'holder', 'until'])),
);
const moveLease = prepared((q, a: { name: string; holder: string }) => q.updateTable('leases').set({ holder: a.holder }).where('name', '=', a.name));

const withPg = targets.includes('postgres');
const suite = withPg ? describe : describe.skip;

suite(`PostgreSQL reads on one pipelined connection${withPg ? '' : ' skipped: TEST_DATABASE_URL is not set'}`, () => {
  let store: MigratedPostgres;
  let handle: DbHandle;
  let admin: MigratedPostgres['admin'];
  const databaseName = () => store.name;
  /** The vault's connections to its database, by application name. */
  const connections = async () => {
    const { rows } = await admin.query('select application_name from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [databaseName()]);
    return rows.map((r) => r.application_name as string);
  };

  beforeAll(async () => {
    store = await openMigratedPostgres();
    ({ handle, admin } = store);
    await insertLease(handle.db, { name: 'r1', holder: 'h', until: '2030-01-01' });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('serves twenty reads at once through one connection, with every answer its own', async () => {
    await Promise.all(Array.from({ length: 5 }, (_, i) => insertLease(handle.db, { name: `many${i}`, holder: `h${i}`, until: '2030-01-01' })));
    const before = (await connections()).filter((name) => name === 'card-vault reads').length;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => leaseOf(handle.db, { name: `many${i % 5}` })));
    for (const [i, { rows }] of answers.entries()) expect(rows).toEqual([{ name: `many${i % 5}`, holder: `h${i % 5}`, until: '2030-01-01' }]);
    expect(before).toBeLessThanOrEqual(1);
    expect((await connections()).filter((name) => name === 'card-vault reads')).toHaveLength(1);
  });

  it("reads a transaction's own writes inside it, and nothing of them outside it before it commits", async () => {
    await handle.db.transaction().execute(async (trx) => {
      await insertLease(trx, { name: 'inside', holder: 'h', until: '2030-01-02' });
      expect((await leaseOf(trx, { name: 'inside' })).rows).toHaveLength(1);
      expect((await leaseOf(handle.db, { name: 'inside' })).rows).toHaveLength(0);
    });
    expect((await leaseOf(handle.db, { name: 'inside' })).rows).toHaveLength(1);
  });

  it('answers reads while a write waits for a row a transaction holds, and that transaction goes on to commit', async () => {
    await insertLease(handle.db, { name: 'locked', holder: 'first', until: '2030-01-03' });
    const waiting = handle.db.transaction().execute(async (trx) => {
      await moveLease(trx, { name: 'locked', holder: 'second' });
      // Another request's write now waits for this row…
      const blocked = moveLease(handle.db, { name: 'locked', holder: 'third' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      // …while this request reads outside its transaction. Queued behind that write on one connection,
      // the read would never be answered and the transaction would never commit.
      const read = await Promise.race([
        leaseOf(handle.db, { name: 'r1' }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the read waited behind the blocked write')), 5_000)),
      ]);
      expect(read.rows).toHaveLength(1);
      // Handed out unawaited: it can only finish once this transaction commits.
      return { blocked };
    });
    const { blocked } = await waiting;
    await blocked;
    expect((await leaseOf(handle.db, { name: 'locked' })).rows[0].holder).toBe('third');
  });

  it('opens a new connection after its own was cut off, losing at most the read in flight', async () => {
    expect((await leaseOf(handle.db, { name: 'r1' })).rows).toHaveLength(1);
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'card-vault reads'`, [databaseName()]);
    const outcomes = [];
    for (let i = 0; i < 3; i++)
      outcomes.push(
        await leaseOf(handle.db, { name: 'r1' }).then(
          (r) => r.rows.length,
          (err: Error) => err.message,
        ),
      );
    expect(outcomes.slice(1)).toEqual([1, 1]);
    expect([1, expect.stringMatching(/terminat|connection|closed|ended/i)]).toContainEqual(outcomes[0]);
  });

  it('sends only plain SELECTs there: no write, no row lock, no advisory lock, no sequence', () => {
    expect(isPlainRead('select * from "leases" where "name" = $1')).toBe(true);
    expect(isPlainRead('SELECT 1')).toBe(true);
    for (const text of [
      'select * from "leases" where "name" = $1 for update',
      'select * from "leases" for no key update',
      'select * from "leases" for share',
      'select pg_advisory_lock(1)',
      "select nextval('s')",
      'with w as (delete from "leases" returning 1) select count(*) from w',
      'update "leases" set "holder" = $1',
      'begin',
    ]) {
      expect(isPlainRead(text), text).toBe(false);
    }
  });

  it('turns off with named statements (PG_NAMED_STATEMENTS=off): every read goes through the pool', async () => {
    const plain = openDatabase({ databaseUrl: store.url, dataDir: '', namedStatements: false });
    try {
      const before = (await connections()).filter((name) => name === 'card-vault reads').length;
      await Promise.all(Array.from({ length: 5 }, () => leaseOf(plain.db, { name: 'r1' })));
      expect((await connections()).filter((name) => name === 'card-vault reads')).toHaveLength(before);
    } finally {
      await plain.close();
    }
  });
});
