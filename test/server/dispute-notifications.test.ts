// What a provider's dispute notifications do to the vault's dispute and the merchant's events
// (dispute-status.ts): a dispute opens once, closes won or lost, may turn after (Adyen's reversed
// chargeback then second chargeback), never reopens, and each change of outcome is told once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Merchant } from '../../server/merchants/merchant-store.ts';
import type { ProcessorNotification } from '../../server/payments/processor.ts';
import { applyNotification } from '../../server/processors/notifications.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('dispute notifications', (target) => {
  let v: TestVault;
  let merchant: Merchant;
  let serial = 0;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await v.api('POST', '/v1/merchant', { body: { frame_limit_per_address: 0, rate_limit: 0 } });
    merchant = (await v.runtime.deps.merchants.byId(v.merchant.id))!;
  });
  afterAll(() => v.close());

  /** A paid charge: its id, and the payment id the provider's notifications name it by. */
  async function paid() {
    const s = await openSession(v, { amount: 2700 });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    expect(res.status, res.text).toBe(200);
    const row = await v.runtime.deps.db.selectFrom('charges').select('processor_id').where('id', '=', res.body.charge).executeTakeFirstOrThrow();
    return { charge: res.body.charge as string, payment: row.processor_id! };
  }
  const opened = (payment: string, dispute: string): ProcessorNotification => ({
    id: `n${++serial}`,
    kind: 'dispute_opened',
    payment,
    dispute,
    amount: 2700,
    currency: 'usd',
  });
  const closed = (payment: string, dispute: string, outcome: 'won' | 'lost', at?: string): ProcessorNotification => ({
    id: `n${++serial}`,
    kind: 'dispute_closed',
    payment,
    dispute,
    outcome,
    ...(at ? { at } : {}),
  });
  const apply = (n: ProcessorNotification) => applyNotification(v.runtime.deps, merchant, n);
  const disputeOf = (dispute: string) =>
    v.runtime.deps.db.selectFrom('disputes').selectAll().where('processor_dispute_id', '=', dispute).executeTakeFirstOrThrow();
  /** The events of this type about the charge, oldest first. */
  async function events(type: string, charge: string) {
    const list = (await v.api('GET', `/v1/events?type=${type}&limit=100`)).body.data as any[];
    return list.filter((e) => e.data.charge === charge).reverse();
  }

  it('a dispute won, then lost on a second chargeback, ends lost, and each closing is told', async () => {
    const { charge, payment } = await paid();
    expect(await apply(opened(payment, 'dp-turn'))).toBe('applied');
    expect(await apply(closed(payment, 'dp-turn', 'won'))).toBe('applied');
    expect((await disputeOf('dp-turn')).status).toBe('won');
    expect(await apply(closed(payment, 'dp-turn', 'lost'))).toBe('applied');
    const dispute = await disputeOf('dp-turn');
    expect(dispute.status).toBe('lost');
    expect((await events('charge.dispute.created', charge)).map((e) => e.data.dispute)).toEqual([dispute.id]);
    expect((await events('charge.dispute.closed', charge)).map((e) => e.data)).toEqual([
      { charge, dispute: dispute.id, status: 'won' },
      { charge, dispute: dispute.id, status: 'lost' },
    ]);
    // Pre-arbitration won: it turns back.
    expect(await apply(closed(payment, 'dp-turn', 'won'))).toBe('applied');
    expect((await disputeOf('dp-turn')).status).toBe('won');
    expect(await events('charge.dispute.closed', charge)).toHaveLength(3);
  });

  it('the outcome it has already, said again under another notification, changes nothing and is not told twice', async () => {
    const { charge, payment } = await paid();
    await apply(opened(payment, 'dp-same'));
    expect(await apply(closed(payment, 'dp-same', 'won'))).toBe('applied');
    const before = await disputeOf('dp-same');
    v.setNow(new Date(Date.now() + 3600_000));
    try {
      expect(await apply(closed(payment, 'dp-same', 'won'))).toBe('duplicate');
    } finally {
      v.setNow(undefined);
    }
    expect(await disputeOf('dp-same')).toEqual(before);
    expect(await events('charge.dispute.closed', charge)).toHaveLength(1);
    // The very same notification delivered again is a duplicate too.
    const lost = closed(payment, 'dp-same', 'lost');
    expect(await apply(lost)).toBe('applied');
    expect(await apply(lost)).toBe('duplicate');
    expect(await events('charge.dispute.closed', charge)).toHaveLength(2);
  });

  it('a closing heard of before the opening creates the dispute closed; the late opening does not reopen it', async () => {
    const { charge, payment } = await paid();
    expect(await apply(closed(payment, 'dp-late', 'lost'))).toBe('applied');
    expect(await disputeOf('dp-late')).toMatchObject({ status: 'lost', amount: 2700, charge_id: charge });
    expect(await apply(opened(payment, 'dp-late'))).toBe('duplicate');
    expect((await disputeOf('dp-late')).status).toBe('lost');
    expect(await events('charge.dispute.created', charge)).toEqual([]);
    expect(await events('charge.dispute.closed', charge)).toHaveLength(1);
  });

  it(
    "closings heard out of order end as the provider's last one says: a reversal heard after the second chargeback that followed it " + 'changes nothing',
    async () => {
      const { charge, payment } = await paid();
      await apply(opened(payment, 'dp-order'));
      // At the provider: reversed (won) at 10:00, then a second chargeback (lost) at 12:00; heard the other way round.
      expect(await apply(closed(payment, 'dp-order', 'lost', '2031-03-01T12:00:00.000Z'))).toBe('applied');
      expect(await apply(closed(payment, 'dp-order', 'won', '2031-03-01T10:00:00.000Z'))).toBe('duplicate');
      expect((await disputeOf('dp-order')).status).toBe('lost');
      expect((await events('charge.dispute.closed', charge)).map((e) => e.data.status)).toEqual(['lost']);
      // Pre-arbitration won later still turns it.
      expect(await apply(closed(payment, 'dp-order', 'won', '2031-03-09T09:00:00.000Z'))).toBe('applied');
      expect((await disputeOf('dp-order')).status).toBe('won');
    },
  );
});
