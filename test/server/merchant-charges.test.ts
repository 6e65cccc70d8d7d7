// POST /v1/charges: merchant-initiated charges under a mandate. Every check of the contract, what the
// processor is told, declines, retries, and the limits and frequencies under concurrency.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizeRequest } from '../../server/payments/processor.ts';
import { requestDigest } from '../../server/middleware/idempotency.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, type TestVault, startTestVault, LIFTABLE_LIMITS, recordAuthorizations } from '../helpers/test-vault.ts';

const DAY = 86_400_000;
const nextYear = new Date().getUTCFullYear() + 1;

describeEachDb('POST /v1/charges (merchant-initiated)', (target) => {
  let v: TestVault;
  /** Every authorisation the processor is asked for, recorded on the way through to the real one. */
  let calls: AuthorizeRequest[] = [];
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0 } });
    calls = recordAuthorizations(v);
  });
  afterAll(() => v.close());
  beforeEach(() => {
    calls.length = 0;
    v.setNow(undefined);
  });

  /** A card saved by a recurring setup session (no charge counts toward the frequency): its token and mandate. */
  async function subscribe(customer: string, recurring: Record<string, unknown> = {}, number: string = CARDS.visa) {
    const s = await openSession(v, {
      customer,
      mode: 'setup',
      amount: undefined,
      recurring: { min_amount: 500, max_amount: 2000, frequency_days: 0, end_date: `${nextYear}-12-31`, ...recurring },
    });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true, consent_text: 'I agree' });
    if (res.status !== 200) throw new Error(`not confirmed: ${res.text}`);
    calls.length = 0;
    return { card: res.body.card.token as string, mandate: res.body.mandate as string };
  }

  let keys = 0;
  const charge = (body: Record<string, unknown>, key = `mit-${target}-${++keys}`) =>
    v.api('POST', '/v1/charges', { body: { currency: 'USD', ...body }, headers: { 'idempotency-key': key } });
  const recorded = async (customer: string) =>
    v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).where('initiator', '=', 'merchant').execute();
  const mandateRow = (id: string) => v.runtime.deps.db.selectFrom('mandates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('charges under the mandate: flagged merchant-initiated with its network transaction id and no CVC', async () => {
    const { card, mandate } = await subscribe('mit-ok');
    const ntid = (await mandateRow(mandate)).network_transaction_id;
    const res = await charge({ customer: 'mit-ok', card, amount: 1200, order: 'SUB-7', mandate });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^ch_/),
      status: 'succeeded',
      amount: 1200,
      currency: 'USD',
      customer: 'mit-ok',
      card,
      order: 'SUB-7',
      initiator: 'merchant',
      mandate,
      network_transaction_id: ntid,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ initiator: 'merchant', stored_credential: true, capture: true, network_transaction_id: ntid, amount: 1200 });
    expect(calls[0].card.cvc).toBeUndefined();
    expect(ntid).toMatch(/^ntid_/);

    expect((await mandateRow(mandate)).last_charge_at).toBe(res.body.created);
    const cards = await v.api('GET', '/v1/customers/mit-ok/cards');
    expect(cards.body.data[0].successful_payments).toBe(1);
    const events = await v.api('GET', '/v1/events?type=charge.succeeded&limit=100');
    expect(events.body.data.some((e: any) => e.data.charge === res.body.id && e.data.initiator === 'merchant')).toBe(true);
    expect((await v.api('GET', `/v1/charges/${res.body.id}`)).body).toEqual(res.body);
  });

  describe('refuses with 402 and records no charge when', () => {
    const refused = async (customer: string, res: { status: number; body: any }, code: string) => {
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({ type: 'card_error', code });
      expect(res.body.error.charge).toBeUndefined();
      expect(calls).toEqual([]);
      expect((await recorded(customer)).filter((c) => c.status === 'failed')).toEqual([]);
    };

    it("the amount is outside the mandate's range", async () => {
      const { card, mandate } = await subscribe('mit-range');
      await refused('mit-range', await charge({ customer: 'mit-range', card, amount: 499, mandate }), 'mandate_violation');
      await refused('mit-range', await charge({ customer: 'mit-range', card, amount: 2001, mandate }), 'mandate_violation');
      expect(await recorded('mit-range')).toEqual([]);
    });

    it('the last successful charge is more recent than frequency_days', async () => {
      const { card, mandate } = await subscribe('mit-freq', { frequency_days: 30 });
      expect((await charge({ customer: 'mit-freq', card, amount: 1000, mandate })).status).toBe(201);
      calls.length = 0;
      v.setNow(new Date(Date.now() + 29 * DAY));
      await refused('mit-freq', await charge({ customer: 'mit-freq', card, amount: 1000, mandate }), 'mandate_violation');
      v.setNow(new Date(Date.now() + 30 * DAY));
      expect((await charge({ customer: 'mit-freq', card, amount: 1000, mandate })).status).toBe(201);
      expect(await recorded('mit-freq')).toHaveLength(2);
    });

    it('today is after the end date', async () => {
      const end = new Date(Date.now() + 5 * DAY).toISOString().slice(0, 10);
      const { card, mandate } = await subscribe('mit-end', { end_date: end });
      v.setNow(new Date(Date.parse(`${end}T00:00:00Z`) + DAY));
      await refused('mit-end', await charge({ customer: 'mit-end', card, amount: 1000, mandate }), 'mandate_violation');
      expect(await recorded('mit-end')).toEqual([]);
    });

    it('the mandate is cancelled', async () => {
      const { card, mandate } = await subscribe('mit-cancelled');
      expect((await v.api('DELETE', `/v1/mandates/${mandate}`)).status).toBe(200);
      await refused('mit-cancelled', await charge({ customer: 'mit-cancelled', card, amount: 1000, mandate }), 'mandate_violation');
      expect(await recorded('mit-cancelled')).toEqual([]);
    });

    it('the mandate belongs to another customer, or names no mandate, or none is given', async () => {
      const a = await subscribe('mit-owner-a');
      const b = await subscribe('mit-owner-b', {}, CARDS.mastercard);
      await refused('mit-owner-b', await charge({ customer: 'mit-owner-b', card: b.card, amount: 1000, mandate: a.mandate }), 'mandate_violation');
      await refused('mit-owner-b', await charge({ customer: 'mit-owner-b', card: b.card, amount: 1000, mandate: 'mdt_doesnotexist' }), 'mandate_violation');
      await refused('mit-owner-b', await charge({ customer: 'mit-owner-b', card: b.card, amount: 1000 }), 'mandate_violation');
      // A card of another customer is not this customer's card at all: 404, as the contract says.
      const foreignCard = await charge({ customer: 'mit-owner-a', card: b.card, amount: 1000, mandate: a.mandate });
      expect(foreignCard.status).toBe(404);
      expect(foreignCard.body.error).toMatchObject({ code: 'resource_missing', param: 'card' });
      expect([...(await recorded('mit-owner-a')), ...(await recorded('mit-owner-b'))]).toEqual([]);
    });

    it('the card has expired', async () => {
      const { card, mandate } = await subscribe('mit-expired', { end_date: '2099-12-31' });
      v.setNow(new Date(Date.UTC(new Date().getUTCFullYear() + 5, 0, 15)));
      await refused('mit-expired', await charge({ customer: 'mit-expired', card, amount: 1000, mandate }), 'expired_card');
      expect(await recorded('mit-expired')).toEqual([]);
    });

    it("the customer's daily limit would be passed", async () => {
      const { card, mandate } = await subscribe('mit-daily');
      await v.api('POST', '/v1/customers/mit-daily', { body: { limits: { daily: 1500 } } });
      expect((await charge({ customer: 'mit-daily', card, amount: 1000, mandate })).status).toBe(201);
      calls.length = 0;
      await refused('mit-daily', await charge({ customer: 'mit-daily', card, amount: 600, mandate }), 'limit_exceeded');
      expect(await recorded('mit-daily')).toHaveLength(1);
    });

    it("the customer's weekly limit would be passed", async () => {
      const { card, mandate } = await subscribe('mit-weekly');
      await v.api('POST', '/v1/customers/mit-weekly', { body: { limits: { weekly: 1500 } } });
      expect((await charge({ customer: 'mit-weekly', card, amount: 1000, mandate })).status).toBe(201);
      calls.length = 0;
      v.setNow(new Date(Date.now() + 2 * DAY));
      await refused('mit-weekly', await charge({ customer: 'mit-weekly', card, amount: 600, mandate }), 'limit_exceeded');
      v.setNow(new Date(Date.now() + 8 * DAY));
      expect((await charge({ customer: 'mit-weekly', card, amount: 600, mandate })).status).toBe(201);
    });
  });

  it('allows back-to-back charges under frequency_days 0', async () => {
    const { card, mandate } = await subscribe('mit-anytime', { frequency_days: 0 });
    for (let i = 0; i < 3; i++) expect((await charge({ customer: 'mit-anytime', card, amount: 700, mandate })).status).toBe(201);
    expect(await recorded('mit-anytime')).toHaveLength(3);
  });

  it("charges an imported card under an agreement recorded through the API, with that agreement's network transaction id", async () => {
    const imported = await v.api('POST', '/v1/customers/mit-import/cards', { body: { number: CARDS.mastercard, exp_month: 10, exp_year: nextYear + 1 } });
    const card = imported.body.token;
    const m = await v.api('POST', '/v1/customers/mit-import/mandates', {
      body: {
        card,
        min_amount: 100,
        max_amount: 10_000,
        currency: 'USD',
        frequency_days: 0,
        end_date: `${nextYear}-12-31`,
        consent: { text: 'Agreed at the old provider', accepted_at: '2024-01-01T00:00:00Z', network_transaction_id: 'ntid_old_provider' },
      },
    });
    expect(m.status).toBe(201);
    const res = await charge({ customer: 'mit-import', card, amount: 4200, mandate: m.body.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'succeeded', initiator: 'merchant', mandate: m.body.id, network_transaction_id: 'ntid_old_provider' });
    expect(calls[0]).toMatchObject({ initiator: 'merchant', stored_credential: true, network_transaction_id: 'ntid_old_provider' });
  });

  it('records a decline and answers 402 naming the failed charge', async () => {
    const { card, mandate } = await subscribe('mit-decline', {}, CARDS.declineAfterSave);
    const res = await charge({ customer: 'mit-decline', card, amount: 1000, mandate });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', charge: expect.stringMatching(/^ch_/) });
    const failed = await v.api('GET', `/v1/charges/${res.body.error.charge}`);
    expect(failed.body).toMatchObject({ status: 'failed', initiator: 'merchant', mandate, failure: { code: 'card_declined' } });
    expect((await mandateRow(mandate)).last_charge_at).toBeNull();
    const events = await v.api('GET', '/v1/events?type=charge.failed&limit=100');
    expect(events.body.data.some((e: any) => e.data.charge === res.body.error.charge)).toBe(true);
  });

  it('answers 502 when the processor cannot be reached, records nothing, and a retry with the key charges once', async () => {
    const { card, mandate } = await subscribe('mit-down');
    const processor = v.runtime.deps.processor;
    const working = processor.authorize;
    processor.authorize = async () => {
      throw new Error('connection reset');
    };
    const body = { customer: 'mit-down', card, amount: 900, mandate };
    const down = await charge(body, 'mit-down-key');
    processor.authorize = working;
    expect(down.status).toBe(502);
    expect(down.body.error).toMatchObject({ type: 'api_error', code: 'processor_unavailable' });
    expect(await recorded('mit-down')).toEqual([]);
    const retry = await charge(body, 'mit-down-key');
    expect(retry.status).toBe(201);
    expect(await recorded('mit-down')).toHaveLength(1);
  });

  it('replays a repeated key with the same charge, without asking the processor again', async () => {
    const { card, mandate } = await subscribe('mit-replay');
    const body = { customer: 'mit-replay', card, amount: 800, mandate };
    const first = await charge(body, 'mit-replay-key');
    const second = await charge(body, 'mit-replay-key');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(calls).toHaveLength(1);
    expect(await recorded('mit-replay')).toHaveLength(1);
  });

  it('records what the processor did for a key whose vault died after the processor answered, without charging again', async () => {
    const { card, mandate } = await subscribe('mit-crash');
    // What the dead vault left: its key, still running, stored a minute ago, and the processor's approval under the key's reference.
    const body = { currency: 'USD', customer: 'mit-crash', card, amount: 1000, mandate };
    const since = new Date(Date.now() - 60_000).toISOString();
    await v.runtime.deps.db
      .insertInto('idempotency_keys')
      .values({
        merchant_id: v.merchant.id,
        key: 'mit-crash-key',
        request_hash: v.runtime.deps.fingerprints.make((k) => requestDigest(k, 'POST', '/v1/charges', JSON.stringify(body))),
        state: 'running',
        response_status: null,
        response_body: null,
        locked_at: since,
        created_at: since,
        holder: 'dead-vault',
      })
      .execute();
    const reference = `idem:${v.merchant.id}:mit-crash-key@${since}`;
    await v.runtime.deps.db
      .insertInto('simulated_operations')
      .values({
        reference,
        kind: 'authorize',
        result: JSON.stringify({ outcome: 'approved', processor_id: 'sim_crash', network_transaction_id: 'ntid_crash' }),
        created_at: new Date().toISOString(),
      })
      .execute();
    const res = await charge(body, 'mit-crash-key');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'succeeded', network_transaction_id: 'ntid_crash' });
    expect(calls).toEqual([]);
    expect(await recorded('mit-crash')).toHaveLength(1);
  });

  describe('under concurrency', () => {
    it('never passes a daily limit: of 20 charges at once within 5 x amount, exactly 5 succeed', async () => {
      const { card, mandate } = await subscribe('mit-race-limit');
      await v.api('POST', '/v1/customers/mit-race-limit', { body: { limits: { daily: 5 * 1000 } } });
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => charge({ customer: 'mit-race-limit', card, amount: 1000, mandate }, `race-limit-${target}-${i}`)),
      );
      expect(replies.filter((r) => r.status === 201)).toHaveLength(5);
      expect(replies.filter((r) => r.status === 402).map((r) => r.body.error.code)).toEqual(Array(15).fill('limit_exceeded'));
      expect((await recorded('mit-race-limit')).filter((c) => c.status === 'succeeded')).toHaveLength(5);
      expect(calls).toHaveLength(5);
    });

    it("never passes a mandate's frequency: of 20 charges at once under frequency_days 30, exactly 1 succeeds", async () => {
      const { card, mandate } = await subscribe('mit-race-freq', { frequency_days: 30 });
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => charge({ customer: 'mit-race-freq', card, amount: 1000, mandate }, `race-freq-${target}-${i}`)),
      );
      expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
      expect(replies.filter((r) => r.status === 402).map((r) => r.body.error.code)).toEqual(Array(19).fill('mandate_violation'));
      expect(await recorded('mit-race-freq')).toHaveLength(1);
    });

    it('charges once for 10 identical requests at once with one key', async () => {
      const { card, mandate } = await subscribe('mit-race-key');
      const replies = await Promise.all(
        Array.from({ length: 10 }, () => charge({ customer: 'mit-race-key', card, amount: 1000, mandate }, `race-key-${target}`)),
      );
      expect(replies.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(1);
      expect(replies.every((r) => r.status === 201 || (r.status === 409 && r.body.error.code === 'request_in_progress'))).toBe(true);
      expect(await recorded('mit-race-key')).toHaveLength(1);
      expect(calls).toHaveLength(1);
    });
  });
});
