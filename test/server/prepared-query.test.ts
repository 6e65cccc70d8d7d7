import { expect, it } from 'vitest';
import { columnsOf, prepared } from '../../server/db/prepared-query.ts';
import { describeEachDb } from '../helpers/databases.ts';
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

  it('refuses a query whose argument chooses its shape instead of being a value', async () => {
    const shaped = prepared((q, a: { name: string; newest: boolean }) => {
      const base = q.selectFrom('leases').selectAll().where('name', '=', a.name);
      return a.newest ? base.orderBy('until', 'desc') : base;
    });
    await expect(shaped(handle.db, { name: 'p2', newest: false })).rejects.toThrow(/newest other than as a value/);
  });
});
