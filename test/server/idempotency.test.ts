import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('Idempotency-Key', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  const createSession = (key: string, body: object = { amount: 1999, currency: 'USD' }, secret?: string) =>
    v.api('POST', '/v1/sessions', { key: secret, body, headers: { 'idempotency-key': key } });

  it('returns the stored response byte for byte, marked as replayed', async () => {
    const first = await createSession('k-replay');
    const again = await createSession('k-replay');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
  });

  it("keeps a session's client secret sealed, never in the clear, and still replays it", async () => {
    const first = await createSession('k-sealed');
    const secret: string = first.body.client_secret;
    expect(secret).toBeTruthy();
    const stored = await v.runtime.deps.db.selectFrom('idempotency_keys').selectAll().where('key', '=', 'k-sealed').execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(stored)).not.toContain(first.body.id);
    const again = await createSession('k-sealed');
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await v.frame('/frame/v1/session', again.body.client_secret)).status).toBe(200);
  });

  it('takes any UUID or time stamp as a key, those whose digits pass Luhn included, and refuses a card number written as one', async () => {
    // Random UUIDs (the SDK's keys), and a key ending in a millisecond time stamp, whose digits pass Luhn.
    for (const key of ['7285b28f-723d-408c-8733-976891057096', '12041376-2399-4cd7-bfdf-f1a68970ca87', 'order-1764933412009']) {
      expect((await createSession(key)).status, key).toBe(201);
    }
    for (const key of ['4242424242424242', 'order-4242 4242 4242 4242', '3782-822463-10005']) {
      const res = await createSession(key);
      expect(res.status, key).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'Idempotency-Key' });
      expect(res.text).not.toContain(key);
    }
  });

  it('refuses a card number in a key in any grouping, with any separators, and stores none', async () => {
    // Reviews' keys, each taken and stored before: other separators, mixed ones, two or three of them, %20,
    // Amex grouped in fours, UnionPay; and a number with a time stamp after it, or a UUID before it.
    const refused = [
      'order:4242:4242:4242:4242',
      'order,4242,4242,4242,4242',
      '4242+4242+4242+4242',
      '4242-4242 4242-4242',
      '4242  4242  4242  4242',
      '4242 - 4242 - 4242 - 4242',
      '4242%204242%204242%204242',
      '3782 8224 6310 005',
      'x-6200:0000:0000:0005',
      'order-4242-4242-4242-4242-1764933412009',
      '7285b28f-723d-408c-8733-976891057096:4242:4242:4242:4242',
    ];
    const answers = [];
    for (const key of refused) answers.push(await createSession(key));
    expect
      .soft(Object.fromEntries(answers.map((res, i) => [refused[i], [res.status, res.body.error?.code, res.body.error?.param]])))
      .toEqual(Object.fromEntries(refused.map((key) => [key, [400, 'parameter_invalid', 'Idempotency-Key']])));
    // Nor on a charge, where the key would also name the operation at the processor.
    const card = await saveCardFor(v, 'idem-pan');
    const charge = await v.api('POST', '/v1/charges', {
      body: { customer: 'idem-pan', card, amount: 500, currency: 'USD' },
      headers: { 'idempotency-key': 'chg:4242:4242:4242:4242' },
    });
    expect.soft([charge.status, charge.body.error]).toMatchObject([400, { code: 'parameter_invalid', param: 'Idempotency-Key' }]);
    const stored = (await v.runtime.deps.db.selectFrom('idempotency_keys').select('key').execute()).map((r) => r.key);
    expect(stored.filter((k) => [...refused, 'chg:4242:4242:4242:4242'].includes(k))).toEqual([]);

    // Honest keys that a search for a number across every separator and inside every group would refuse:
    // UUIDs whose digit groups, joined by their dashes, hold a valid number, time stamps after digits, an
    // order number before a Unix time, and two numeric ids (8 and 8, 4 and 12 digits) that together make
    // a valid number: none is a layout card numbers are written in.
    for (const key of [
      'af737b2a-8109-4541-9780-25df2f22ae32',
      'c5825388-7619-4409-9c58-771470652147',
      '135b096e-b838-4098-a70f-95c2052c9486-1791593511273',
      'order-6-1927537598272',
      '1816695277931-55',
      'order-666-1972118569',
      'order-594-1834782377',
      '22250693-21201576',
      'order-4478-100000744386',
    ]) {
      expect((await createSession(key)).status, key).toBe(201);
    }
  });

  it('refuses the same key with a different body', async () => {
    await createSession('k-reused');
    const res = await createSession('k-reused', { amount: 2000, currency: 'USD' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_reused' });
  });

  it('lets only one of many concurrent identical requests run', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, () => createSession('k-race', { amount: 4321, currency: 'EUR', customer: 'race' })));
    const created = new Set(replies.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(created.size).toBe(1);
    for (const r of replies.filter((r) => r.status !== 201)) expect(r.body.error.code).toBe('request_in_progress');
    const stored = await v.runtime.deps.db.selectFrom('sessions').select('id').where('merchant_id', '=', v.merchant.id).where('amount', '=', 4321).execute();
    expect(stored).toHaveLength(1);
  });

  it('never refunds twice for concurrent identical refund requests', async () => {
    await saveCardFor(v, 'idem-refund');
    const charges = await v.api('GET', '/v1/charges?customer=idem-refund');
    const charge = charges.body.data[0].id;
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => v.api('POST', `/v1/charges/${charge}/refunds`, { body: { amount: 100 }, headers: { 'idempotency-key': 'k-refund' } })),
    );
    const ok = replies.filter((r) => r.status === 201);
    expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
    const after = await v.api('GET', `/v1/charges/${charge}`);
    expect(after.body.amount_refunded).toBe(100);
  });

  it('answers request_in_progress while the first holder may still be alive, then takes the key over within 60 seconds', async () => {
    const { db } = v.runtime.deps;
    // Renewed 10 seconds ago: a live holder renews its key every few seconds.
    const lockedAt = new Date(Date.now() - 10_000).toISOString();
    const body = JSON.stringify({ amount: 1234, currency: 'USD' });
    // A request that died after taking its key: same body hash, still running.
    const { requestDigest } = await import('../../server/middleware/idempotency.ts');
    await db
      .insertInto('idempotency_keys')
      .values({
        merchant_id: v.merchant.id,
        key: 'k-dead',
        request_hash: v.runtime.deps.fingerprints.make((k) => requestDigest(k, 'POST', '/v1/sessions', body)),
        state: 'running',
        response_status: null,
        response_body: null,
        locked_at: lockedAt,
        created_at: lockedAt,
        holder: 'dead-instance',
      })
      .execute();
    const early = await v.api('POST', '/v1/sessions', { raw: body, headers: { 'content-type': 'application/json', 'idempotency-key': 'k-dead' } });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('request_in_progress');
    // 60 seconds after the last renewal at the latest, as the contract says.
    v.setNow(new Date(Date.now() + 50_000));
    const later = await v.api('POST', '/v1/sessions', { raw: body, headers: { 'content-type': 'application/json', 'idempotency-key': 'k-dead' } });
    v.setNow(undefined);
    expect(later.status).toBe(201);
  });

  it('forgets a key after 24 hours', async () => {
    await createSession('k-old');
    v.setNow(new Date(Date.now() + 25 * 3600 * 1000));
    const res = await createSession('k-old', { amount: 5, currency: 'USD' });
    v.setNow(undefined);
    expect(res.status).toBe(201);
  });

  it('keeps keys per merchant', async () => {
    const other = await v.newMerchant();
    await createSession('k-shared');
    const res = await createSession('k-shared', { amount: 7, currency: 'USD' }, other.secret_key);
    expect(res.status).toBe(201);
  });

  it('refuses a key longer than 255 characters', async () => {
    const res = await createSession('x'.repeat(256));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'Idempotency-Key' });
  });

  it('requires a key on POST /v1/charges', async () => {
    const res = await v.api('POST', '/v1/charges', { body: { customer: 'x', card: 'card_x', amount: 100, currency: 'USD' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'parameter_missing', param: 'Idempotency-Key' });
  });
});
