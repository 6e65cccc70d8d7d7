import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { columnsOf, prepared } from '../../server/db/prepared-query.ts';
import { openDatabase } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrations.ts';
import { createPgDatabase, describeEachDb } from '../helpers/databases.ts';
import { useMigratedDatabase } from '../helpers/migrated-database.ts';

const insertLease = prepared((q, row: { name: string; holder: string; until: string }) =>
  q.insertInto('leases').values(columnsOf(row, ['name', 'holder', 'until'])),
);
const leaseOf = prepared((q, a: { name: string }) => q.selectFrom('leases').selectAll().where('name', '=', a.name));
const takeOver = prepared((q, a: { name: string; holder: string; before: string }) =>
  q.updateTable('leases').set({ holder: a.holder }).where('name', '=', a.name).where('until', '<', a.before),
);

describeEachDb('prepared queries', (target) => {
  const handle = useMigratedDatabase(target);

  it("binds each call's own values, every time", async () => {
    for (let i = 0; i < 5; i++) await insertLease(handle.db, { name: `p${i}`, holder: `h${i}`, until: `2030-01-0${i + 1}` });
    for (let i = 0; i < 5; i++) {
      const { rows } = await leaseOf(handle.db, { name: `p${i}` });
      expect(rows).toEqual([{ name: `p${i}`, holder: `h${i}`, until: `2030-01-0${i + 1}` }]);
    }
    expect((await leaseOf(handle.db, { name: 'nobody' })).rows).toEqual([]);
  });

  it('reports the rows an update changed, and runs inside a transaction on its connection', async () => {
    expect(Number((await takeOver(handle.db, { name: 'p0', holder: 'late', before: '2029-01-01' })).numAffectedRows)).toBe(0);
    await expect(
      handle.db.transaction().execute(async (trx) => {
        const moved = await takeOver(trx, { name: 'p1', holder: 'new', before: '2031-01-01' });
        expect(Number(moved.numAffectedRows)).toBe(1);
        expect((await leaseOf(trx, { name: 'p1' })).rows[0].holder).toBe('new');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // Rolled back with its transaction.
    expect((await leaseOf(handle.db, { name: 'p1' })).rows[0].holder).toBe('h1');
  });

  it("never reads another request's open transaction: a read meanwhile never sees what it then rolls back", async () => {
    await insertLease(handle.db, { name: 'open-txn', holder: 'before', until: '2030-01-01' });
    let inside!: () => void;
    const written = new Promise<void>((resolve) => (inside = resolve));
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const transaction = handle.db.transaction().execute(async (trx) => {
      await takeOver(trx, { name: 'open-txn', holder: 'rolled back', before: '2031-01-01' });
      inside();
      // The transaction stays open, its update not committed, across other requests' turns.
      await held;
      throw new Error('roll back');
    });
    await written;
    // SQLite's read waits for the transaction's end, PostgreSQL's reads the row as committed.
    const meanwhile = leaseOf(handle.db, { name: 'open-txn' });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    finish();
    await expect(transaction).rejects.toThrow('roll back');
    expect((await meanwhile).rows[0].holder).toBe('before');
  });

  it('refuses a query whose argument chooses its shape instead of being a value', async () => {
    const shaped = prepared((q, a: { name: string; newest: boolean }) => {
      const base = q.selectFrom('leases').selectAll().where('name', '=', a.name);
      return a.newest ? base.orderBy('until', 'desc') : base;
    });
    await expect(shaped(handle.db, { name: 'p2', newest: false })).rejects.toThrow(/newest other than as a value/);
  });
});

describeEachDb('prepared queries on PostgreSQL, as named statements', (target) => {
  const handle = useMigratedDatabase(target);

  it.runIf(target === 'postgres')('are parsed once per connection and only bound after that; other queries stay unnamed', async () => {
    await handle.db.transaction().execute(async (trx) => {
      // One transaction: one connection, whose own prepared statements pg_prepared_statements lists.
      const statements = async () => (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(trx)).rows.map((r) => r.statement);
      const before = await statements();
      await insertLease(trx, { name: 'n1', holder: 'h', until: '2030-01-01' });
      await insertLease(trx, { name: 'n2', holder: 'h', until: '2030-01-02' });
      expect((await leaseOf(trx, { name: 'n2' })).rows).toEqual([{ name: 'n2', holder: 'h', until: '2030-01-02' }]);
      await trx.selectFrom('leases').select('name').where('holder', '=', 'h').execute();
      const added = (await statements()).filter((s) => !before.includes(s));
      expect(added.sort()).toEqual(['insert into "leases" ("name", "holder", "until") values ($1, $2, $3)', 'select * from "leases" where "name" = $1'].sort());
    });
  });
});

describeEachDb("named statements after another instance's migration", (target) => {
  const handle = useMigratedDatabase(target);
  const pgOnly = it.runIf(target === 'postgres');

  pgOnly('answers a `select *` planned before a column was added, on every connection, and then plans it afresh', async () => {
    // Planned on several connections at once, as a busy instance would have.
    await insertLease(handle.db, { name: 'm1', holder: 'h', until: '2030-01-01' });
    await Promise.all(Array.from({ length: 6 }, () => leaseOf(handle.db, { name: 'm1' })));
    // Another instance migrates: the same table gains a column.
    await sql`alter table leases add column note text`.execute(handle.db);
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(Array.from({ length: 6 }, () => leaseOf(handle.db, { name: 'm1' })));
      for (const { rows } of answers) expect(rows).toEqual([{ name: 'm1', holder: 'h', until: '2030-01-01', note: null }]);
    }
  });

  pgOnly('fails such a query once inside a transaction (which PostgreSQL has aborted), and the retry succeeds', async () => {
    await insertLease(handle.db, { name: 'm2', holder: 'h', until: '2030-01-02' });
    await handle.db.transaction().execute(async (trx) => {
      await leaseOf(trx, { name: 'm2' });
    });
    // The pool gives the same idle connection back: its statement now returns the wrong columns.
    await sql`alter table leases add column note2 text`.execute(handle.db);
    const attempt = () => handle.db.transaction().execute(async (trx) => (await leaseOf(trx, { name: 'm2' })).rows);
    const outcomes = [await attempt().catch((err: Error) => err), await attempt().catch((err: Error) => err)];
    // At most the first fails, with PostgreSQL's own error; the next runs on a connection planned afresh.
    expect(outcomes[1]).toEqual([{ name: 'm2', holder: 'h', until: '2030-01-02', note: null, note2: null }]);
    if (outcomes[0] instanceof Error) expect(outcomes[0].message).toMatch(/cached plan must not change result type/);
  });
});

describeEachDb('PG_NAMED_STATEMENTS=off', (target) => {
  it.runIf(target === 'postgres')('sends every query unnamed, for a pooler that cannot keep prepared statements', async () => {
    const pg = await createPgDatabase();
    const handle = openDatabase({ databaseUrl: pg.url, dataDir: '', namedStatements: false });
    try {
      await migrate(handle.db);
      await handle.db.transaction().execute(async (trx) => {
        await insertLease(trx, { name: 'u1', holder: 'h', until: '2030-01-01' });
        expect((await leaseOf(trx, { name: 'u1' })).rows).toEqual([{ name: 'u1', holder: 'h', until: '2030-01-01' }]);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(trx);
        expect(rows[0].n).toBe(0);
      });
    } finally {
      await handle.close();
      await pg.drop();
    }
  });
});
