// Idempotency keys and answers that say "try again": a 429, a 409 request_in_progress and a 5xx are not
// stored, so a retry with the same key runs again; the key still remembers its body, so another body
// is refused instead of recording the first attempt's approval under a new amount. Expired keys are purged.
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const nextYear = new Date().getUTCFullYear() + 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDb('Idempotency-Key and answers that say "try again"', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0 } });
  });
  afterAll(() => v.close());
  afterEach(() => {
    vi.restoreAllMocks();
    v.setNow(undefined);
  });

  /** A card imported with an agreement recorded through the API: ready for merchant-initiated charges. */
  async function subscribe(customer: string, number: string = CARDS.visa) {
    const imported = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number, exp_month: 12, exp_year: nextYear + 1 } });
    if (imported.status !== 201) throw new Error(`card not imported: ${imported.text}`);
    const mandate = await v.api('POST', `/v1/customers/${customer}/mandates`, {
      body: {
        card: imported.body.token,
        min_amount: 100,
        max_amount: 10_000,
        currency: 'USD',
        frequency_days: 0,
        end_date: `${nextYear}-12-31`,
        consent: { text: 'Agreed by phone', accepted_at: '2024-01-01T00:00:00Z', network_transaction_id: 'ntid_agreed' },
      },
    });
    if (mandate.status !== 201) throw new Error(`mandate not recorded: ${mandate.text}`);
    return { customer, card: imported.body.token as string, mandate: mandate.body.id as string };
  }
  const charge = (body: Record<string, unknown>, key: string) =>
    v.api('POST', '/v1/charges', { body: { currency: 'USD', ...body }, headers: { 'idempotency-key': key } });
  const recorded = (customer: string) =>
    v.runtime.deps.db.selectFrom('charges').selectAll().where('customer', '=', customer).where('merchant_id', '=', v.merchant.id).execute();
  const ledger = (key: string) =>
    v.runtime.deps.db.selectFrom('simulated_operations').selectAll().where('reference', 'like', `idem:${v.merchant.id}:${key}@%`).execute();

  it('does not store a 429: the same key runs once the window has passed', async () => {
    const limited = await v.newMerchant();
    await v.api('POST', '/v1/merchant', { key: limited.secret_key, body: { rate_limit: 1 } });
    const session = () =>
      v.api('POST', '/v1/sessions', { key: limited.secret_key, body: { amount: 1500, currency: 'USD' }, headers: { 'idempotency-key': 'k-429' } });
    const refused = await session();
    expect(refused.status).toBe(429);
    await sleep(1100);
    const retry = await session();
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('does not store a 409 request_in_progress met at a customer another instance is charging: the retry charges', async () => {
    const sub = await subscribe('busy');
    const lease = `charge:${v.merchant.group}:busy`;
    const { db } = v.runtime.deps;
    // Another vault instance is charging this customer right now: its lease is live.
    await db
      .insertInto('leases')
      .values({ name: lease, holder: 'other-instance', until: new Date(Date.now() + 60_000).toISOString() })
      .execute();
    const body = { customer: 'busy', card: sub.card, mandate: sub.mandate, amount: 1200 };
    const pending = charge(body, 'k-busy');
    await sleep(200);
    // Its wait for the lease runs out (15 seconds) without waiting them out here.
    const realNow = Date.now;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 16_000);
    const busy = await pending;
    vi.restoreAllMocks();
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('request_in_progress');
    expect(await recorded('busy')).toEqual([]);

    await db.deleteFrom('leases').where('name', '=', lease).execute();
    const retry = await charge(body, 'k-busy');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body).toMatchObject({ status: 'succeeded', amount: 1200 });
    expect(await recorded('busy')).toHaveLength(1);
  });

  it('does not store a 502 processing_error: the same key asks again, another body is refused', async () => {
    const sub = await subscribe('proc-error', CARDS.processingError);
    const body = { customer: 'proc-error', card: sub.card, mandate: sub.mandate, amount: 900 };
    const first = await charge(body, 'k-502');
    expect(first.status).toBe(502);
    expect(first.body.error.code).toBe('processor_unavailable');
    const again = await charge(body, 'k-502');
    expect(again.status).toBe(502);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    const other = await charge({ ...body, amount: 950 }, 'k-502');
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await recorded('proc-error')).toEqual([]);
  });

  it('after a 502 whose approval was lost, refuses the key with another amount and settles the first amount once', async () => {
    const sub = await subscribe('lost-answer');
    const processor = v.runtime.deps.processor;
    const authorize = processor.authorize.bind(processor);
    let approvals = 0;
    // The processor approves, but its answer never arrives, and it cannot be asked about it for a while.
    vi.spyOn(processor, 'authorize').mockImplementation(async (request) => {
      const result = await authorize(request);
      if (result.outcome === 'approved') approvals++;
      throw new Error('socket hang up');
    });
    vi.spyOn(processor, 'lookup').mockRejectedValue(new Error('connection refused'));
    const body = { customer: 'lost-answer', card: sub.card, mandate: sub.mandate, amount: 1000 };
    const first = await charge(body, 'k-lost');
    vi.restoreAllMocks();
    expect(first.status).toBe(502);
    expect(approvals).toBe(1);

    const otherAmount = await charge({ ...body, amount: 2000 }, 'k-lost');
    expect(otherAmount.status).toBe(409);
    expect(otherAmount.body.error.code).toBe('idempotency_key_reused');
    expect(await recorded('lost-answer')).toEqual([]);

    const same = await charge(body, 'k-lost');
    expect(same.status).toBe(201);
    expect(same.headers.get('idempotent-replayed')).toBeNull();
    expect(same.body).toMatchObject({ status: 'succeeded', amount: 1000 });
    const charges = await recorded('lost-answer');
    expect(charges.map((c) => [c.amount, c.processor_ref])).toEqual([[1000, expect.stringMatching(new RegExp(`^idem:${v.merchant.id}:k-lost@`))]]);
    expect(await ledger('k-lost')).toHaveLength(1);
    expect(approvals).toBe(1);
  });

  it('never takes over the key of a slow request that is still running', async () => {
    const sub = await subscribe('slow');
    const processor = v.runtime.deps.processor;
    const authorize = processor.authorize.bind(processor);
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    let asked!: () => void;
    const atProcessor = new Promise<void>((resolve) => (asked = resolve));
    vi.spyOn(processor, 'authorize').mockImplementation(async (request) => {
      asked();
      await answered;
      return authorize(request);
    });
    const start = Date.now();
    const body = { customer: 'slow', card: sub.card, mandate: sub.mandate, amount: 700 };
    const first = charge(body, 'k-slow');
    await atProcessor;
    // 15 seconds pass on the vault's clock while the processor thinks; the request keeps its key alive.
    v.setNow(new Date(start + 15_000));
    // Until its heartbeat (every 3 s of real time) has renewed the key at that time: a fixed wait of
    // 3.5 s left a slow machine's late renewal out, and the retry then took a 30 s old key over.
    const renewed = async () =>
      (
        await v.runtime.deps.db
          .selectFrom('idempotency_keys')
          .select('locked_at')
          .where('merchant_id', '=', v.merchant.id)
          .where('key', '=', 'k-slow')
          .executeTakeFirstOrThrow()
      ).locked_at;
    await expect.poll(renewed, { timeout: 15_000, interval: 100 }).toBe(new Date(start + 15_000).toISOString());
    // 30 seconds after it began: long past a dead holder's takeover, but this holder is alive.
    v.setNow(new Date(start + 30_000));
    const retry = charge(body, 'k-slow');
    // A retry that took the key over would wait behind the held charge until answer(): 10 s tells the
    // two apart, where 2 s also caught a refusal that was merely slow on a busy machine.
    const early = await Promise.race([retry, sleep(10_000).then(() => undefined)]);
    answer();
    expect(early?.status).toBe(409);
    expect(early?.body.error.code).toBe('request_in_progress');
    expect((await first).status).toBe(201);
    await retry;
    const replay = await charge(body, 'k-slow');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await recorded('slow')).toHaveLength(1);
    expect(await ledger('k-slow')).toHaveLength(1);
  });

  it('purges every expired key without anyone using those keys again', async () => {
    const { db } = v.runtime.deps;
    const other = await v.newMerchant();
    const old = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
    const rows = Array.from({ length: 1500 }, (_, i) => ({
      merchant_id: i % 2 ? v.merchant.id : other.id,
      key: `stale-${i}`,
      request_hash: 'h',
      state: 'done',
      response_status: 201,
      response_body: '{}',
      locked_at: old,
      created_at: old,
    }));
    for (let i = 0; i < rows.length; i += 300)
      await db
        .insertInto('idempotency_keys')
        .values(rows.slice(i, i + 300))
        .execute();
    const recent = await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD' }, headers: { 'idempotency-key': 'k-recent' } });
    expect(recent.status).toBe(201);
    const expired = async () =>
      Number(
        (
          await db
            .selectFrom('idempotency_keys')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('created_at', '<', new Date(Date.now() - 24 * 3600 * 1000).toISOString())
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await expired()).toBe(1500);

    // A minute later, other requests (with other keys, or none) clear them away.
    v.setNow(new Date(Date.now() + 61_000));
    for (let i = 0; i < 3 && (await expired()) > 0; i++)
      await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD' }, headers: { 'idempotency-key': `k-later-${i}` } });
    expect(await expired()).toBe(0);
    const kept = await db.selectFrom('idempotency_keys').select('key').where('merchant_id', '=', v.merchant.id).where('key', '=', 'k-recent').execute();
    expect(kept).toHaveLength(1);
  });

  it('names new operations with a key reused after its 24 hours: a new charge and a new refund, never the old ones', async () => {
    const a = await subscribe('reuse-a');
    const b = await subscribe('reuse-b');
    const first = await charge({ customer: a.customer, card: a.card, mandate: a.mandate, amount: 1000 }, 'order-reused');
    expect(first.status).toBe(201);
    const refundA = await v.api('POST', `/v1/charges/${first.body.id}/refunds`, { body: { amount: 100 }, headers: { 'idempotency-key': 'refund-reused' } });
    expect(refundA.status, refundA.text).toBe(201);
    v.setNow(new Date(Date.now() + 25 * 3600_000));
    const second = await charge({ customer: b.customer, card: b.card, mandate: b.mandate, amount: 2500 }, 'order-reused');
    expect(second.status, second.text).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body).toMatchObject({ customer: 'reuse-b', amount: 2500 });
    expect(second.body.id).not.toBe(first.body.id);
    expect((await recorded('reuse-b')).map((c) => c.amount)).toEqual([2500]);
    const refundB = await v.api('POST', `/v1/charges/${second.body.id}/refunds`, { body: { amount: 200 }, headers: { 'idempotency-key': 'refund-reused' } });
    expect(refundB.status, refundB.text).toBe(201);
    expect(refundB.body).toMatchObject({ charge: second.body.id, amount: 200 });
    expect(refundB.body.id).not.toBe(refundA.body.id);
    expect((await v.api('GET', `/v1/charges/${second.body.id}`)).body.amount_refunded).toBe(200);
  });
});
