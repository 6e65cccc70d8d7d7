// What a batch of writes (server/db/write-batch.ts) must not change from the one transaction it
// replaced, found by a review: writes that would see each other differently per engine are refused,
// and no transaction is left open. A confirmation whose lease was taken over writes no card: see
// confirm-lease-fence.test.ts.
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { columnsOf, prepared } from '../../server/db/prepared-query.ts';
import { atomically } from '../../server/db/write-batch.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { useMigratedDatabase } from '../helpers/migrated-database.ts';

const insertLease = prepared((q, row: { name: string; holder: string; until: string }) =>
  q.insertInto('leases').values(columnsOf(row, ['name', 'holder', 'until'])),
);
const moveLease = prepared((q, a: { name: string; from: string; to: string }) =>
  q.updateTable('leases').set({ holder: a.to }).where('name', '=', a.name).where('holder', '=', a.from),
);

describeEachDb('a batch whose writes depend on each other', (target) => {
  const handle = useMigratedDatabase(target);
  afterEach(() => handle.db.deleteFrom('leases').execute());

  // On PostgreSQL one WITH statement runs its writes on one snapshot: an UPDATE would miss the row the
  // same batch inserted, and of two UPDATEs of one row only one would land, where SQLite, one write
  // after the other, would see both. Such a batch is refused on both engines, and writes nothing.
  it('is refused when it updates a row it inserted, and writes nothing', async () => {
    const attempt = atomically(handle.db, async (atomic) => {
      atomic.write(insertLease.compiled(handle.db, { name: 'dep-1', holder: 'a', until: '2030' }));
      atomic.write(moveLease.compiled(handle.db, { name: 'dep-1', from: 'a', to: 'b' }));
    });
    await expect(attempt).rejects.toThrow(/writes "leases" twice other than by INSERTs/);
    expect(await handle.db.selectFrom('leases').selectAll().execute()).toEqual([]);
  });

  it('is refused when it updates one table twice, and leaves the row as it was', async () => {
    await insertLease(handle.db, { name: 'dep-2', holder: 'a', until: '2030' });
    const attempt = atomically(handle.db, async (atomic) => {
      atomic.write(moveLease.compiled(handle.db, { name: 'dep-2', from: 'a', to: 'b' }));
      atomic.write(moveLease.compiled(handle.db, { name: 'dep-2', from: 'b', to: 'c' }));
    });
    await expect(attempt).rejects.toThrow(/twice other than by INSERTs/);
    expect((await handle.db.selectFrom('leases').select('holder').where('name', '=', 'dep-2').executeTakeFirst())?.holder).toBe('a');
  });

  it('may insert into one table several times (the events of one record)', async () => {
    await atomically(handle.db, async (atomic) => {
      atomic.write(insertLease.compiled(handle.db, { name: 'ins-1', holder: 'a', until: '2030' }));
      atomic.write(insertLease.compiled(handle.db, { name: 'ins-2', holder: 'a', until: '2030' }));
    });
    expect(await handle.db.selectFrom('leases').select('name').orderBy('name').execute()).toEqual([{ name: 'ins-1' }, { name: 'ins-2' }]);
  });
});

describeEachDb('a batch and its transaction', (target) => {
  const handle = useMigratedDatabase(target);
  it.runIf(target === 'postgres')('leave no transaction open after a caller that throws, a fence that fails, and a write that fails', async () => {
    const db = handle.db;
    await insertLease(db, { name: 'leak-1', holder: 'h', until: '2030' });
    const runs = [
      atomically(db, async (atomic) => {
        void atomic.tx();
        throw new Error('caller');
      }),
      atomically(db, async (atomic) => {
        await (await atomic.tx()).selectFrom('leases').selectAll().execute();
        atomic.write(insertLease.compiled(db, { name: 'leak-2', holder: 'h', until: '2030' }));
        atomic.write(moveLease.compiled(db, { name: 'leak-none', from: 'h', to: 'x' }), { expectOne: () => new Error('fence') });
      }),
      atomically(db, async (atomic) => {
        await atomic.tx();
        atomic.write(insertLease.compiled(db, { name: 'leak-1', holder: 'dup', until: '2030' }));
      }),
    ];
    // Settled together: each rejects while the others still run.
    expect((await Promise.allSettled(runs)).map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const open = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`.execute(db);
    expect(open.rows[0].n).toBe(0);
    expect((await db.selectFrom('leases').select('name').orderBy('name').execute()).map((r) => r.name)).toEqual(['leak-1']);
  });
});
