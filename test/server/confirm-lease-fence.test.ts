// A customer's own payment holds the same fenced lease as a merchant-initiated charge: a confirmation
// whose lease was taken over while the processor answered (its instance stalled, another took the
// customer) records nothing over the newer holder, and the approval is settled once, from the
// processor's ledger, when the session is read after it has gone stale.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Processor } from '../../server/payments/processor.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('the fenced lease of a customer-initiated payment', (target) => {
  let v: TestVault;
  let real: Processor;
  beforeAll(async () => {
    v = await startTestVault(target);
    real = v.runtime.deps.processor;
  });
  afterAll(() => {
    v.runtime.deps.processor = real;
    return v.close();
  });

  it('records nothing once its lease was taken over, and the approval is settled once later', async () => {
    const customer = 'fenced-payer';
    const s = await openSession(v, { customer, amount: 1500 });
    const lease = `charge:${(await v.api('GET', '/v1/merchant')).body.group}:${customer}`;
    // The processor approves; meanwhile another instance takes the customer's lease (this one stalled).
    v.runtime.deps.processor = Object.assign(Object.create(real), {
      async authorize(request: Parameters<Processor['authorize']>[0]) {
        const result = await real.authorize(request);
        await v.runtime.deps.db.updateTable('leases').set({ holder: 'another-instance' }).where('name', '=', lease).execute();
        return result;
      },
    });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    v.runtime.deps.processor = real;
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal');
    const charges = () => v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).execute();
    expect(await charges()).toEqual([]);
    // The newer holder's lease is untouched by the stalled one.
    expect((await v.runtime.deps.db.selectFrom('leases').select('holder').where('name', '=', lease).executeTakeFirst())?.holder).toBe('another-instance');

    v.setNow(new Date(Date.now() + 61_000));
    try {
      const settled = await v.api('GET', `/v1/sessions/${s.id}`);
      expect(settled.body).toMatchObject({ status: 'complete', charge: expect.stringMatching(/^ch_/) });
      expect(await charges()).toMatchObject([{ id: settled.body.charge, amount: 1500, status: 'succeeded' }]);
    } finally {
      v.setNow(undefined);
    }
  });

  it.runIf(target === 'postgres')('writes no card row version at all when it would have saved the card: the fence comes first', async () => {
    const db = v.runtime.deps.db;
    await sql`create extension if not exists pageinspect`.execute(db);
    const versions = async () =>
      Number(
        (
          await sql<{ n: number }>`select count(*)::int as n from generate_series(0, (pg_relation_size('cards') / 8192)::int - 1) as p,
                                   lateral heap_page_items(get_raw_page('cards', p)) where t_data is not null`.execute(db)
        ).rows[0].n,
      );
    const before = await versions();
    const customer = 'fenced-saver';
    const s = await openSession(v, { customer, amount: 1500 });
    const lease = `charge:${(await v.api('GET', '/v1/merchant')).body.group}:${customer}`;
    v.runtime.deps.processor = Object.assign(Object.create(real), {
      async authorize(request: Parameters<Processor['authorize']>[0]) {
        const result = await real.authorize(request);
        await db.updateTable('leases').set({ holder: 'another-instance' }).where('name', '=', lease).execute();
        return result;
      },
    });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
    v.runtime.deps.processor = real;
    expect(res.status).toBe(500);
    expect(await db.selectFrom('cards').select('token').where('customer', '=', customer).execute()).toEqual([]);
    // A holder whose lease was taken over writes nothing: no dead row version holding the sealed number
    // and the fingerprint is left in the cards table for a scrub nobody scheduled.
    expect(await versions()).toBe(before);
  });
});
