import { describe, expect, it } from 'vitest';
import type { ChallengeTable, DisputeTable, EventTable, InvoiceStatus, InvoiceTable, MandateTable, RefundTable, SessionTable } from '../../server/db/schema.ts';
import { challengeMachine, settleChallenge, settleWithIssuerAnswer, useChallenge } from '../../server/challenges/challenge-status.ts';
import { keepLateIssuerAnswer } from '../../server/challenges/challenge-store.ts';
import { chargeMachine } from '../../server/charges/charge-status.ts';
import { closeDispute, disputeMachine } from '../../server/disputes/dispute-status.ts';
import { deliveryMachine } from '../../server/events/delivery-status.ts';
import { markDelivered, settleDelivery, settleUnaddressed } from '../../server/events/outbox.ts';
import { invoiceMachine, markInvoicePaid, markPastDue } from '../../server/invoices/invoice-status.ts';
import { IllegalTransition, moveRows, type Machine } from '../../server/db/state-machine.ts';
import { cancelMandateRow, endMandates, mandateMachine } from '../../server/mandates/mandate-status.ts';
import { messageMachine } from '../../server/messages/message-status.ts';
import { markMessage, recordMessage } from '../../server/messages/message-store.ts';
import { failRefund, refundMachine, reverseRefund, succeedRefund } from '../../server/refunds/refund-status.ts';
import { claimSession, completeSession, queueCompleteSession, reopenSession, sessionMachine } from '../../server/sessions/session-status.ts';
import { atomically } from '../../server/db/write-batch.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { useMigratedDatabase } from '../helpers/migrated-database.ts';

interface Expected {
  machine: Machine<string, any>;
  statuses: string[];
  initial: string[];
  allowed: string[];
}

const MACHINES: Record<string, Expected> = {
  session: {
    machine: sessionMachine,
    // expired is the API's word for a session past its expires_at, never a stored status.
    statuses: ['open', 'processing', 'complete'],
    initial: ['open'],
    allowed: ['open → processing', 'processing → open', 'processing → complete'],
  },
  charge: {
    machine: chargeMachine,
    statuses: ['succeeded', 'failed'],
    // Inserted with the processor's answer, never changed.
    initial: ['succeeded', 'failed'],
    allowed: [],
  },
  refund: {
    machine: refundMachine,
    statuses: ['pending', 'succeeded', 'failed'],
    initial: ['pending'],
    allowed: ['pending → succeeded', 'pending → failed', 'succeeded → failed'],
  },
  mandate: {
    machine: mandateMachine,
    statuses: ['active', 'cancelled', 'ended'],
    initial: ['active'],
    allowed: ['active → cancelled', 'active → ended'],
  },
  invoice: {
    machine: invoiceMachine,
    statuses: ['open', 'paid', 'past_due'],
    initial: ['open'],
    allowed: ['open → paid', 'open → past_due', 'past_due → paid'],
  },
  challenge: {
    machine: challengeMachine,
    statuses: ['pending', 'passed', 'failed', 'used'],
    initial: ['pending'],
    // pending → used: a redirect whose return never reached the vault, approved by the provider's ledger.
    allowed: ['pending → passed', 'pending → failed', 'pending → used', 'passed → used'],
  },
  dispute: {
    machine: disputeMachine,
    statuses: ['open', 'won', 'lost'],
    // Created closed when the opening was missed.
    initial: ['open', 'won', 'lost'],
    allowed: ['open → won', 'open → lost', 'won → lost', 'lost → won'],
  },
  message: {
    machine: messageMachine,
    statuses: ['queued', 'sent', 'failed'],
    // The outbox's messages stay queued.
    initial: ['queued'],
    allowed: ['queued → sent', 'queued → failed'],
  },
  delivery: {
    machine: deliveryMachine,
    statuses: ['pending', 'delivered', 'failed', 'none'],
    // pending is written as NULL; none when the merchant has no webhook URL.
    initial: ['pending', 'none'],
    // pending → pending: a failed attempt, retried later. → delivered from failed or none: a redelivery that succeeded.
    allowed: ['pending → pending', 'pending → delivered', 'pending → failed', 'pending → none', 'failed → delivered', 'none → delivered'],
  },
};

describe('status machines', () => {
  for (const [name, { machine, statuses, initial, allowed }] of Object.entries(MACHINES)) {
    it(`${name}: has exactly its statuses and initial statuses`, () => {
      expect(machine.name).toBe(name);
      expect([...machine.statuses].sort()).toEqual([...statuses].sort());
      expect([...machine.initial].sort()).toEqual([...initial].sort());
    });

    it(`${name}: allows exactly ${allowed.length ? allowed.join(', ') : 'no transition'}, and throws IllegalTransition on any other pair`, () => {
      const found: string[] = [];
      for (const from of statuses) {
        for (const to of statuses) {
          const pair = `${from} → ${to}`;
          if (machine.allows(from, to)) {
            found.push(pair);
            expect(() => machine.check(from, to)).not.toThrow();
            continue;
          }
          let thrown: unknown;
          try {
            machine.check(from, to);
          } catch (err) {
            thrown = err;
          }
          expect(thrown, pair).toBeInstanceOf(IllegalTransition);
          expect(thrown).toMatchObject({ name: 'IllegalTransition', machine: name, from, to });
        }
      }
      expect(found.sort()).toEqual([...allowed].sort());
    });
  }

  it('refuses a transition between literal statuses at compile time too', () => {
    // @ts-expect-error a complete session is final: this line must not compile.
    expect(() => sessionMachine.check('complete', 'open')).toThrow(IllegalTransition);
    // @ts-expect-error expired is no stored status: a session expires by its expires_at.
    expect(() => sessionMachine.check('open', 'expired')).toThrow(IllegalTransition);
    // Statuses known only at run time compile, and are checked then: each from must allow the move.
    const from: InvoiceStatus[] = ['open', 'past_due'];
    expect(() => invoiceMachine.check(from, 'past_due')).toThrow(IllegalTransition);
    expect(() => invoiceMachine.check(from, 'paid')).not.toThrow();
    // @ts-expect-error a spent challenge is never passed again.
    expect(() => challengeMachine.check('used', 'passed')).toThrow(IllegalTransition);
    // @ts-expect-error a closed dispute never reopens.
    expect(() => disputeMachine.check('lost', 'open')).toThrow(IllegalTransition);
    // @ts-expect-error a message is settled once.
    expect(() => messageMachine.check('failed', 'sent')).toThrow(IllegalTransition);
    // @ts-expect-error a delivered event is never sent again by the schedule.
    expect(() => deliveryMachine.check('delivered', 'pending')).toThrow(IllegalTransition);
  });
});

const NOW = '2031-05-10T12:00:00.000Z';

function sessionRow(id: string, over: Partial<SessionTable> = {}): SessionTable {
  return {
    id,
    merchant_id: 'm_1',
    group_id: 'g_1',
    client_secret_hash: 'h',
    mode: 'payment',
    amount: 1000,
    currency: 'USD',
    customer: null,
    order_ref: null,
    save_card: 'off',
    recurring: null,
    status: 'open',
    failed_attempts: 0,
    expires_at: '2031-05-10T13:00:00.000Z',
    charge_id: null,
    card_token: null,
    card_masked: null,
    mandate_id: null,
    saved: 0,
    created_at: NOW,
    completed_at: null,
    attempt: null,
    processing_since: null,
    merchant_name: null,
    forward: null,
    forward_result: null,
    ...over,
  };
}

const refundRow = (id: string, status: RefundTable['status']): RefundTable => ({
  id,
  charge_id: 'ch_1',
  merchant_id: 'm_1',
  amount: 500,
  status,
  processor_ref: `ref-${id}`,
  created_at: NOW,
  processor_id: null,
  failure_reason: null,
  checked_at: null,
});

const mandateRow = (id: string, card: string, status: MandateTable['status'] = 'active'): MandateTable => ({
  id,
  merchant_id: 'm_1',
  group_id: 'g_1',
  customer: 'c_1',
  card_token: card,
  min_amount: 100,
  max_amount: 5000,
  currency: 'USD',
  frequency_days: 30,
  end_date: '2032-01-01',
  status,
  network_transaction_id: null,
  consent: '{}',
  last_charge_at: null,
  created_at: NOW,
  ended_at: status === 'active' ? null : '2031-01-01T00:00:00.000Z',
});

const invoiceRow = (id: string, due: string, status: InvoiceTable['status'] = 'open', merchant = 'm_1'): InvoiceTable => ({
  id,
  merchant_id: merchant,
  group_id: 'g_1',
  customer: 'c_1',
  amount: 1000,
  currency: 'USD',
  due_date: due,
  description: null,
  auto_pay: 1,
  status,
  last_attempt_on: null,
  pending_ref: null,
  pending_card: null,
  pending_checked_on: null,
  attempts: 0,
  charge_id: status === 'paid' ? 'ch_paid' : null,
  failure_code: 'card_declined',
  decline_code: 'insufficient_funds',
  created_at: NOW,
  paid_at: status === 'paid' ? NOW : null,
});

const challengeRow = (id: string, over: Partial<ChallengeTable> = {}): ChallengeTable => ({
  id,
  session_id: 'cs_1',
  fingerprint: 'fp_1',
  status: 'pending',
  attempts: 0,
  created_at: NOW,
  kind: 'code',
  processor_ref: null,
  processor_id: null,
  action: null,
  result: null,
  card_token: null,
  ...over,
});

const disputeRow = (id: string, status: DisputeTable['status']): DisputeTable => ({
  id,
  merchant_id: 'm_1',
  charge_id: 'ch_1',
  processor_dispute_id: `pd-${id}`,
  status,
  amount: 1000,
  currency: 'USD',
  reason: null,
  created_at: NOW,
  updated_at: NOW,
  outcome_at: null,
});

const eventRow = (id: string, over: Partial<EventTable> = {}): EventTable => ({
  id,
  merchant_id: 'm_1',
  group_id: 'g_1',
  type: 'charge.succeeded',
  data: '{}',
  created_at: NOW,
  delivery: null,
  attempts: 0,
  next_attempt_at: null,
  lease_until: null,
  ...over,
});

describeEachDb('status transitions on the database', (target) => {
  const handle = useMigratedDatabase(target);

  const session = (id: string) => handle.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('session: of two concurrent claims one wins; a late reopen or second completion changes nothing', async () => {
    const { db } = handle;
    await db.insertInto('sessions').values(sessionRow('cs_race')).execute();
    const claims = await Promise.all(['a', 'b'].map((n) => claimSession(db, 'cs_race', { attempt: `{"ref":"${n}"}`, processing_since: NOW })));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const claimed = await session('cs_race');
    expect(claimed.status).toBe('processing');
    expect(claimed.attempt).toBe(`{"ref":"${claims[0] ? 'a' : 'b'}"}`);

    // A claim of a processing session (another tab confirming) does not move it.
    expect(await claimSession(db, 'cs_race', { attempt: '{"ref":"c"}', processing_since: NOW })).toBe(false);
    expect(await session('cs_race')).toEqual(claimed);

    const completion = { charge_id: 'ch_1', card_token: null, card_masked: '{"last4":"4242"}', saved: 0, completed_at: NOW, mandate_id: null };
    expect(await db.transaction().execute((trx) => completeSession(trx, 'cs_race', completion))).toBe(true);
    const done = await session('cs_race');
    expect(done).toMatchObject({ status: 'complete', charge_id: 'ch_1', attempt: null, processing_since: null });

    // The decline of a stale attempt arriving after the approval: neither reopens nor counts.
    expect(await reopenSession(db, 'cs_race', { failed: true })).toBe(false);
    expect(await completeSession(db, 'cs_race', { ...completion, charge_id: 'ch_2' })).toBe(false);
    expect(await session('cs_race')).toEqual(done);
  });

  it('session: a claim moves nothing when its other conditions fail; a failed attempt reopens and counts', async () => {
    const { db } = handle;
    await db
      .insertInto('sessions')
      .values(sessionRow('cs_closed', { failed_attempts: 5 }))
      .execute();
    expect(await claimSession(db, 'cs_closed', { attempt: '{}', processing_since: NOW }, { maxFailed: 5, now: NOW })).toBe(false);
    expect((await session('cs_closed')).status).toBe('open');

    await db
      .insertInto('sessions')
      .values(sessionRow('cs_retry', { failed_attempts: 1 }))
      .execute();
    expect(await claimSession(db, 'cs_retry', { attempt: '{}', processing_since: NOW }, { maxFailed: 5, now: NOW })).toBe(true);
    expect(await reopenSession(db, 'cs_retry', { failed: true })).toBe(true);
    expect(await session('cs_retry')).toMatchObject({ status: 'open', failed_attempts: 2, attempt: null, processing_since: null });
    expect(await reopenSession(db, 'cs_retry', { failed: true })).toBe(false);
    expect((await session('cs_retry')).failed_attempts).toBe(2);
  });

  it('refund: settled once; a late answer is ignored; only a succeeded refund is reversed, once', async () => {
    const { db } = handle;
    const refund = () => db.selectFrom('refunds').selectAll().where('id', '=', 're_1').executeTakeFirstOrThrow();
    await db.insertInto('refunds').values(refundRow('re_1', 'pending')).execute();
    const answers = await Promise.all([succeedRefund(db, 're_1', 'p_ok'), failRefund(db, 're_1', 'p_late')]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    const settled = await refund();
    expect(settled).toMatchObject(answers[0] ? { status: 'succeeded', processor_id: 'p_ok' } : { status: 'failed', processor_id: 'p_late' });

    await db.deleteFrom('refunds').where('id', '=', 're_1').execute();
    await db.insertInto('refunds').values(refundRow('re_1', 'pending')).execute();
    expect(await reverseRefund(db, 're_1', 'too early')).toBe(false);
    expect(await succeedRefund(db, 're_1', 'p_ok')).toBe(true);
    expect(await reverseRefund(db, 're_1', 'insufficient_funds')).toBe(true);
    expect(await refund()).toMatchObject({ status: 'failed', failure_reason: 'insufficient_funds' });
    expect(await reverseRefund(db, 're_1', 'again')).toBe(false);
    expect(await succeedRefund(db, 're_1', 'p_again')).toBe(false);
    expect(await refund()).toMatchObject({ status: 'failed', failure_reason: 'insufficient_funds', processor_id: 'p_ok' });
  });

  it('mandate: cancelled once; ending by card moves only the active ones', async () => {
    const { db } = handle;
    const mandate = (id: string) => db.selectFrom('mandates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await db
      .insertInto('mandates')
      .values([mandateRow('mdt_1', 'card_a'), mandateRow('mdt_2', 'card_a'), mandateRow('mdt_3', 'card_a', 'cancelled'), mandateRow('mdt_4', 'card_b')])
      .execute();
    const later = new Date('2031-06-01T00:00:00.000Z');
    const cancels = await Promise.all([cancelMandateRow(db, 'mdt_1', new Date(NOW)), cancelMandateRow(db, 'mdt_1', later)]);
    expect(cancels.filter(Boolean)).toHaveLength(1);
    const cancelled = await mandate('mdt_1');
    expect(cancelled.status).toBe('cancelled');

    expect(await endMandates(db, (eb) => eb('card_token', '=', 'card_a'), later)).toBe(1);
    expect(await mandate('mdt_1')).toEqual(cancelled);
    expect(await mandate('mdt_2')).toMatchObject({ status: 'ended', ended_at: later.toISOString() });
    expect(await mandate('mdt_3')).toMatchObject({ status: 'cancelled', ended_at: '2031-01-01T00:00:00.000Z' });
    expect((await mandate('mdt_4')).status).toBe('active');
    expect(await endMandates(db, 'mdt_2', later)).toBe(0);
    expect(await cancelMandateRow(db, 'mdt_2', later)).toBe(false);
    expect((await mandate('mdt_2')).status).toBe('ended');
  });

  it('invoice: only open invoices become past due; paid once, from open or past due', async () => {
    const { db } = handle;
    const invoice = (id: string) => db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await db
      .insertInto('invoices')
      .values([
        invoiceRow('inv_late', '2031-05-01'),
        invoiceRow('inv_due', '2031-05-20'),
        invoiceRow('inv_paid', '2031-05-01', 'paid'),
        invoiceRow('inv_other', '2031-05-01', 'open', 'm_2'),
      ])
      .execute();
    const overdue = (eb: any) => eb.and([eb('due_date', '<', '2031-05-10'), eb('merchant_id', '=', 'm_1')]);
    expect(await markPastDue(db, overdue)).toBe(1);
    expect(await markPastDue(db, overdue)).toBe(0);
    expect((await invoice('inv_late')).status).toBe('past_due');
    expect((await invoice('inv_due')).status).toBe('open');
    expect((await invoice('inv_paid')).status).toBe('paid');
    expect((await invoice('inv_other')).status).toBe('open');

    expect(await markInvoicePaid(db, 'inv_late', { charge_id: 'ch_1', paid_at: NOW })).toBe(true);
    expect(await invoice('inv_late')).toMatchObject({ status: 'paid', charge_id: 'ch_1', paid_at: NOW, failure_code: null, decline_code: null });
    expect(await markInvoicePaid(db, 'inv_due', { charge_id: 'ch_2', paid_at: NOW })).toBe(true);
    expect(await markInvoicePaid(db, 'inv_due', { charge_id: 'ch_3', paid_at: NOW })).toBe(false);
    expect((await invoice('inv_due')).charge_id).toBe('ch_2');
  });

  it('challenge: settled once; the first issuer answer is kept with its verdict', async () => {
    const { db } = handle;
    const challenge = (id: string) => db.selectFrom('challenges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await db
      .insertInto('challenges')
      .values([challengeRow('chl_code'), challengeRow('chl_redirect', { kind: 'redirect' })])
      .execute();
    const verdicts = await Promise.all([settleChallenge(db, 'chl_code', 'passed'), settleChallenge(db, 'chl_code', 'failed')]);
    expect(verdicts.filter(Boolean)).toHaveLength(1);
    const settled = (await challenge('chl_code')).status;
    expect(await settleChallenge(db, 'chl_code', settled === 'passed' ? 'failed' : 'passed')).toBe(false);
    expect((await challenge('chl_code')).status).toBe(settled);

    expect(await settleWithIssuerAnswer(db, 'chl_redirect', 'failed', '{"outcome":"declined"}')).toBe(true);
    expect(await settleWithIssuerAnswer(db, 'chl_redirect', 'passed', '{"outcome":"approved"}')).toBe(false);
    expect(await challenge('chl_redirect')).toMatchObject({ status: 'failed', result: '{"outcome":"declined"}' });

    // Settled and spent before the issuer's return arrived: the return's answer is kept beside it, its status stays.
    await db
      .insertInto('challenges')
      .values(challengeRow('chl_spent', { kind: 'redirect', status: 'used' }))
      .execute();
    expect(await settleWithIssuerAnswer(db, 'chl_spent', 'passed', '{"outcome":"approved"}')).toBe(false);
    expect(await keepLateIssuerAnswer(db, 'chl_spent', '{"outcome":"approved"}')).toBe(true);
    expect(await keepLateIssuerAnswer(db, 'chl_spent', '{"outcome":"declined"}')).toBe(false);
    expect(await challenge('chl_spent')).toMatchObject({ status: 'used', result: '{"outcome":"approved"}' });
  });

  it('challenge: spent once, in the approval batch; only a passed one, or a redirect still pending, is spent', async () => {
    const { db } = handle;
    const status = async (id: string) => (await db.selectFrom('challenges').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    const use = async (id: string) => Number((await useChallenge(db, { id })).numAffectedRows);
    await db
      .insertInto('challenges')
      .values([
        challengeRow('chl_passed', { status: 'passed' }),
        challengeRow('chl_pending'),
        challengeRow('chl_failed', { status: 'failed' }),
        challengeRow('chl_away', { kind: 'redirect' }),
        challengeRow('chl_refused', { kind: 'redirect', status: 'failed' }),
      ])
      .execute();
    await db
      .insertInto('sessions')
      .values(sessionRow('cs_spend', { status: 'processing', attempt: '{}', processing_since: NOW }))
      .execute();

    // As the approval records it: with the session's completion, in one batch (one statement on PostgreSQL).
    const counted: number[] = [];
    await atomically(db, async (atomic) => {
      atomic.write(useChallenge.compiled(db, { id: 'chl_passed' }), { counted: (n) => counted.push(n) });
      const completion = { charge_id: 'ch_1', card_token: null, card_masked: '{}', saved: 0, completed_at: NOW, mandate_id: null };
      queueCompleteSession(atomic, 'cs_spend', completion, () => new Error('lost'));
    });
    expect(counted).toEqual([1]);
    expect(await status('chl_passed')).toBe('used');
    // Spent: it moves no further, and stays spent.
    expect(await use('chl_passed')).toBe(0);
    expect(await status('chl_passed')).toBe('used');
    // A code challenge that was never passed (or failed) is not spent.
    expect(await use('chl_pending')).toBe(0);
    expect(await use('chl_failed')).toBe(0);
    expect(await status('chl_pending')).toBe('pending');
    expect(await status('chl_failed')).toBe('failed');
    // A redirect the provider approved without the customer's return: pending → used; a failed one stays.
    expect(await use('chl_away')).toBe(1);
    expect(await status('chl_away')).toBe('used');
    expect(await use('chl_refused')).toBe(0);
    expect(await status('chl_refused')).toBe('failed');
    // A challenge already gone moves nothing and stops nothing.
    expect(await use('chl_gone')).toBe(0);
  });

  it('dispute: closes won or lost, turns either way after, never reopens; the same outcome again moves nothing', async () => {
    const { db } = handle;
    const dispute = (id: string) => db.selectFrom('disputes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await db
      .insertInto('disputes')
      .values([disputeRow('dp_1', 'open'), disputeRow('dp_2', 'lost')])
      .execute();
    const later = new Date('2031-06-01T00:00:00.000Z');
    expect(await closeDispute(db, 'dp_1', 'won', later)).toBe(true);
    expect(await dispute('dp_1')).toMatchObject({ status: 'won', updated_at: later.toISOString() });
    expect(await closeDispute(db, 'dp_1', 'won', new Date('2031-06-02T00:00:00.000Z'))).toBe(false);
    expect(await dispute('dp_1')).toMatchObject({ status: 'won', updated_at: later.toISOString() });
    expect(await closeDispute(db, 'dp_1', 'lost', later)).toBe(true);
    expect((await dispute('dp_1')).status).toBe('lost');
    expect(await closeDispute(db, 'dp_2', 'won', later)).toBe(true);
    expect((await dispute('dp_2')).status).toBe('won');
    const reopen = { rows: 'dp_2', from: 'won', to: 'open' } as any;
    await expect(moveRows(db, 'disputes', disputeMachine, reopen)).rejects.toMatchObject({
      name: 'IllegalTransition',
      machine: 'dispute',
      from: 'won',
      to: 'open',
    });
    expect((await dispute('dp_2')).status).toBe('won');
  });

  it('message: recorded queued, settled once by its transport', async () => {
    const { db } = handle;
    const message = (id: string) => db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const row = {
      merchant_id: 'm_1',
      group_id: 'g_1',
      customer: 'c_1',
      channel: 'email',
      recipient: 'c@example.com',
      template: 'card_saved',
      locale: 'en',
      subject: 'Saved',
      body: 'Saved',
      transport: 'smtp',
      error: null,
    };
    const id = await recordMessage(db, row, new Date(NOW));
    expect(await message(id)).toMatchObject({ status: 'queued', error: null, created_at: NOW });
    const settled = await Promise.all([markMessage(db, id, 'sent', null), markMessage(db, id, 'failed', 'late')]);
    expect(settled.filter(Boolean)).toHaveLength(1);
    const first = await message(id);
    expect(first).toMatchObject(settled[0] ? { status: 'sent', error: null } : { status: 'failed', error: 'late' });
    expect(await markMessage(db, id, 'failed', 'again')).toBe(false);
    expect(await message(id)).toEqual(first);
  });

  it('delivery: a NULL is pending; settled once by a pass; a redelivery delivers a failed or unaddressed event, never regresses one', async () => {
    const { db } = handle;
    const event = (id: string) => db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await db
      .insertInto('events')
      .values([
        eventRow('evt_new', { lease_until: NOW }),
        eventRow('evt_retry', { delivery: 'pending', attempts: 1 }),
        eventRow('evt_gone'),
        eventRow('evt_failed', { delivery: 'failed', attempts: 9 }),
        eventRow('evt_none', { delivery: 'none' }),
      ])
      .execute();
    await settleDelivery(db, 'evt_new', { to: 'pending', attempts: 1, next_attempt_at: '2031-05-10T12:00:30.000Z' });
    expect(await event('evt_new')).toMatchObject({ delivery: 'pending', attempts: 1, next_attempt_at: '2031-05-10T12:00:30.000Z', lease_until: null });
    await settleDelivery(db, 'evt_retry', { to: 'delivered', attempts: 2 });
    expect(await event('evt_retry')).toMatchObject({ delivery: 'delivered', attempts: 2, next_attempt_at: null });
    // A late outcome of the same event (its redelivery won the race) changes nothing.
    await settleDelivery(db, 'evt_retry', { to: 'pending', attempts: 3, next_attempt_at: NOW });
    expect(await event('evt_retry')).toMatchObject({ delivery: 'delivered', attempts: 2, next_attempt_at: null });

    // The URL removed: only the events still due are settled none.
    expect(await settleUnaddressed(db, ['evt_gone', 'evt_new', 'evt_failed'], new Date(NOW))).toBe(1);
    expect((await event('evt_gone')).delivery).toBe('none');
    expect((await event('evt_new')).delivery).toBe('pending');
    expect((await event('evt_failed')).delivery).toBe('failed');

    await markDelivered(db, 'evt_failed');
    await markDelivered(db, 'evt_none');
    expect(await event('evt_failed')).toMatchObject({ delivery: 'delivered', attempts: 9 });
    expect((await event('evt_none')).delivery).toBe('delivered');
    await settleDelivery(db, 'evt_failed', { to: 'failed', attempts: 10 });
    expect(await event('evt_failed')).toMatchObject({ delivery: 'delivered', attempts: 9 });
  });

  it('an illegal move throws IllegalTransition before it touches the row', async () => {
    const { db } = handle;
    await db
      .insertInto('sessions')
      .values(sessionRow('cs_final', { status: 'complete' }))
      .execute();
    const before = await session('cs_final');
    const move = { rows: 'cs_final', from: 'complete', to: 'open' } as any;
    await expect(moveRows(db, 'sessions', sessionMachine, move)).rejects.toMatchObject({
      name: 'IllegalTransition',
      machine: 'session',
      from: 'complete',
      to: 'open',
    });
    await expect(moveRows(db, 'sessions', sessionMachine, move)).rejects.toBeInstanceOf(IllegalTransition);
    expect(await session('cs_final')).toEqual(before);
  });
});
