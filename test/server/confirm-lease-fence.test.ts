// A customer's own payment holds the same fenced lease as a merchant-initiated charge: a confirmation
// whose lease was taken over while the processor answered (its instance stalled, another took the
// customer) records nothing over the newer holder, and the approval is settled once, from the
// processor's ledger, when the session is read after it has gone stale.
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
});
