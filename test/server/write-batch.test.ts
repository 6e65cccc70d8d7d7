// A commit's writes as one batch (server/db/write-batch.ts): all of them or none, a fenced write that
// finds no row undoing the others, counts told back, and on PostgreSQL one statement instead of a
// transaction's round trips.
import { sql } from 'kysely';
import pg from 'pg';
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
const dropLease = prepared((q, a: { name: string; holder: string }) => q.deleteFrom('leases').where('name', '=', a.name).where('holder', '=', a.holder));
// Two more tables: a batch writes a table once, or only inserts into it (write-batch-fence.test.ts).
const record = prepared((q, a: { reference: string }) =>
  q.insertInto('simulated_operations').values({ reference: a.reference, kind: 'test', result: '{}', created_at: '2030' }),
);
const dropGroup = prepared((q, a: { id: string }) => q.deleteFrom('merchant_groups').where('id', '=', a.id));
const addGroup = prepared((q, a: { id: string }) => q.insertInto('merchant_groups').values({ id: a.id, created_at: '2030' }));

class Fenced extends Error {}

/** The texts PostgreSQL was sent while `fn` ran (every query goes through pg.Client#query). */
async function statementsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
    const q = args[0];
    sent.push(typeof q === 'string' ? q : q.text);
    return (query as any).apply(this, args);
  } as any;
  try {
    await fn().catch(() => undefined);
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

describeEachDb('a batch of writes', (target) => {
  const handle = useMigratedDatabase(target);
  const holders = async (prefix: string) =>
    Object.fromEntries(
      (await handle.db.selectFrom('leases').select(['name', 'holder']).where('name', 'like', `${prefix}%`).orderBy('name').execute()).map((r) => [
        r.name,
        r.holder,
      ]),
    );
  const records = async (prefix: string) =>
    (await handle.db.selectFrom('simulated_operations').select('reference').where('reference', 'like', `${prefix}%`).orderBy('reference').execute()).map(
      (r) => r.reference,
    );
  const groups = async (prefix: string) =>
    (await handle.db.selectFrom('merchant_groups').select('id').where('id', 'like', `${prefix}%`).execute()).map((r) => r.id);
  afterEach(async () => {
    await handle.db.deleteFrom('leases').execute();
    await handle.db.deleteFrom('simulated_operations').execute();
  });

  it('makes every queued write, and tells each how many rows it changed', async () => {
    await insertLease(handle.db, { name: 'a-1', holder: 'h', until: '2030' });
    const counts: number[] = [];
    const result = await atomically(handle.db, async (atomic) => {
      atomic.write(record.compiled(handle.db, { reference: 'a-2' }), { counted: (n) => counts.push(n) });
      atomic.write(moveLease.compiled(handle.db, { name: 'a-1', from: 'h', to: 'moved' }), { counted: (n) => counts.push(n) });
      atomic.write(dropGroup.compiled(handle.db, { id: 'a-none' }), { counted: (n) => counts.push(n) });
      return 'done';
    });
    expect(result).toBe('done');
    expect(counts).toEqual([1, 1, 0]);
    expect(await holders('a-')).toEqual({ 'a-1': 'moved' });
    expect(await records('a-')).toEqual(['a-2']);
  });

  it("keeps nothing when a fenced write finds its row gone, and throws the fence's own error", async () => {
    await insertLease(handle.db, { name: 'f-lease', holder: 'newer', until: '2030' });
    const counted: number[] = [];
    const attempt = atomically(handle.db, async (atomic) => {
      atomic.write(record.compiled(handle.db, { reference: 'f-charge' }), { counted: (n) => counted.push(n) });
      // The late holder's lease was taken over: its fenced delete finds no row of its own.
      atomic.write(dropLease.compiled(handle.db, { name: 'f-lease', holder: 'late' }), { expectOne: () => new Fenced('lease lost') });
      atomic.write(addGroup.compiled(handle.db, { id: 'f-event' }));
    });
    await expect(attempt).rejects.toBeInstanceOf(Fenced);
    expect(await holders('f-')).toEqual({ 'f-lease': 'newer' });
    expect(await records('f-')).toEqual([]);
    expect(await groups('f-')).toEqual([]);
    // Nobody is told of a write that was undone.
    expect(counted).toEqual([]);
  });

  it('keeps nothing when one write fails in the database', async () => {
    await insertLease(handle.db, { name: 'd-taken', holder: 'first', until: '2030' });
    const attempt = atomically(handle.db, async (atomic) => {
      atomic.write(record.compiled(handle.db, { reference: 'd-new' }));
      atomic.write(insertLease.compiled(handle.db, { name: 'd-taken', holder: 'second', until: '2030' }));
    });
    await expect(attempt).rejects.toThrow();
    expect(await holders('d-')).toEqual({ 'd-taken': 'first' });
    expect(await records('d-')).toEqual([]);
  });

  it('writes nothing when the caller throws after queuing', async () => {
    const attempt = atomically(handle.db, async (atomic) => {
      atomic.write(insertLease.compiled(handle.db, { name: 't-1', holder: 'h', until: '2030' }));
      throw new Error('changed its mind');
    });
    await expect(attempt).rejects.toThrow('changed its mind');
    expect(await holders('t-')).toEqual({});
  });

  it("commits the transaction's own reads and writes with the batch, and undoes them with it", async () => {
    await atomically(handle.db, async (atomic) => {
      const trx = await atomic.tx();
      await insertLease(trx, { name: 'x-read', holder: 'h', until: '2030' });
      // Read back inside the same transaction.
      expect((await trx.selectFrom('leases').select('holder').where('name', '=', 'x-read').executeTakeFirst())?.holder).toBe('h');
      atomic.write(record.compiled(handle.db, { reference: 'x-batch' }));
      atomic.write(moveLease.compiled(handle.db, { name: 'x-read', from: 'h', to: 'moved' }), { expectOne: () => new Fenced('gone') });
    });
    expect(await holders('x-')).toEqual({ 'x-read': 'moved' });
    expect(await records('x-')).toEqual(['x-batch']);

    const undone = atomically(handle.db, async (atomic) => {
      await insertLease(await atomic.tx(), { name: 'y-read', holder: 'h', until: '2030' });
      atomic.write(record.compiled(handle.db, { reference: 'y-batch' }));
      atomic.write(moveLease.compiled(handle.db, { name: 'y-none', from: 'h', to: 'x' }), { expectOne: () => new Fenced('gone') });
    });
    await expect(undone).rejects.toBeInstanceOf(Fenced);
    expect(await holders('y-')).toEqual({});
    expect(await records('y-')).toEqual([]);
  });

  it.runIf(target === 'postgres')('sends a batch without reads as one statement: no BEGIN, no COMMIT', async () => {
    await insertLease(handle.db, { name: 's-1', holder: 'h', until: '2030' });
    const sent = await statementsDuring(() =>
      atomically(handle.db, async (atomic) => {
        atomic.write(dropLease.compiled(handle.db, { name: 's-1', holder: 'h' }), { expectOne: () => new Fenced('gone') });
        atomic.write(record.compiled(handle.db, { reference: 's-2' }));
        atomic.write(record.compiled(handle.db, { reference: 's-3' }));
      }),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^with w0 as \(delete from "leases"/);
    expect(await holders('s-')).toEqual({});
    expect(await records('s-')).toEqual(['s-2', 's-3']);
  });

  it('refuses a text it cannot combine safely rather than sending it, and writes nothing', async () => {
    const unsafe = [
      handle.db.insertInto('leases').values({ name: 'r-2', holder: 'h', until: '2030' }).returning('name').compile(),
      // A comment would swallow what the batch appends; a literal or a dollar quote may hold a `$n` that is no parameter.
      sql`insert into "leases" ("name", "holder", "until") values (${'r-3'}, ${'h'}, ${'2030'}) -- note`.compile(handle.db),
      sql`update "leases" set "holder" = 'x$1' where "name" = ${'r-1'}`.compile(handle.db),
      sql`update "leases" set "holder" = $$x$$ where "name" = ${'r-1'}`.compile(handle.db),
      // Fewer values than placeholders would borrow the next write's values once renumbered.
      { ...insertLease.compiled(handle.db, { name: 'r-4', holder: 'h', until: '2030' }), parameters: ['r-4', 'h'] },
      sql`select 1`.compile(handle.db),
    ];
    for (const query of unsafe) {
      const attempt = atomically(handle.db, async (atomic) => {
        atomic.write(insertLease.compiled(handle.db, { name: 'r-1', holder: 'h', until: '2030' }));
        atomic.write(query);
      });
      await expect(attempt, query.sql).rejects.toThrow(/not a batchable write/);
    }
    expect(await holders('r-')).toEqual({});
  });
});
