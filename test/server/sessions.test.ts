import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('POST /v1/sessions and GET /v1/sessions/:id', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  it('creates an open payment session with a client secret that is not its id', async () => {
    const res = await v.api('POST', '/v1/sessions', { body: { amount: 1999, currency: 'USD', customer: 'c-1', order: 'A-1' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'open', mode: 'payment', amount: 1999, currency: 'USD', customer: 'c-1', order: 'A-1' });
    expect(res.body.id).toMatch(/^cs_/);
    expect(res.body.client_secret).toMatch(new RegExp(`^${res.body.id}_secret_`));
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeGreaterThan(1790_000);
  });

  it('reads a session back without its client secret', async () => {
    const s = await openSession(v);
    const res = await v.api('GET', `/v1/sessions/${s.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: s.id, status: 'open', charge: null, card: null });
    expect(res.body.client_secret).toBeUndefined();
  });

  it('requires amount and currency in payment mode', async () => {
    const res = await v.api('POST', '/v1/sessions', { body: { currency: 'USD' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing', param: 'amount' });
  });

  it('rejects a negative amount, a lower-case currency and an unknown field with their names', async () => {
    const bad = await v.api('POST', '/v1/sessions', { body: { amount: -5, currency: 'USD' } });
    expect(bad.body.error).toMatchObject({ code: 'parameter_invalid', param: 'amount', message: 'amount must be a positive integer' });
    const cur = await v.api('POST', '/v1/sessions', { body: { amount: 5, currency: 'usd' } });
    expect(cur.body.error).toMatchObject({ code: 'parameter_invalid', param: 'currency' });
    const unknown = await v.api('POST', '/v1/sessions', { body: { amount: 5, currency: 'USD', tip: 1 } });
    expect(unknown.body.error).toMatchObject({ code: 'parameter_unknown', param: 'tip' });
  });

  it('needs a customer to save a card, in setup mode and for a recurring agreement', async () => {
    const setup = await v.api('POST', '/v1/sessions', { body: { mode: 'setup' } });
    expect(setup.body.error).toMatchObject({ code: 'parameter_missing', param: 'customer' });
    const ok = await v.api('POST', '/v1/sessions', { body: { mode: 'setup', customer: 'c-2' } });
    expect(ok.status).toBe(201);
    expect(ok.body.save_card).toBe('require');
  });

  it('checks a recurring agreement: amounts in order, end date not past, amount inside it', async () => {
    const recurring = { min_amount: 500, max_amount: 100, frequency_days: 30, end_date: '2099-01-01' };
    const res = await v.api('POST', '/v1/sessions', { body: { amount: 1000, currency: 'USD', customer: 'c-3', recurring } });
    expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'recurring.min_amount' });
    const past = await v.api('POST', '/v1/sessions', {
      body: { amount: 1000, currency: 'USD', customer: 'c-3', recurring: { ...recurring, max_amount: 5000, end_date: '2001-01-01' } },
    });
    expect(past.body.error).toMatchObject({ param: 'recurring.end_date' });
    const good = await v.api('POST', '/v1/sessions', {
      body: { amount: 1000, currency: 'USD', customer: 'c-3', recurring: { ...recurring, max_amount: 5000 } },
    });
    expect(good.status).toBe(201);
    expect(good.body.recurring).toEqual({ ...recurring, max_amount: 5000 });
  });

  it('reports a session past expires_at as expired', async () => {
    const res = await v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD', expires_in: 1 } });
    v.setNow(new Date(Date.now() + 5000));
    const read = await v.api('GET', `/v1/sessions/${res.body.id}`);
    v.setNow(undefined);
    expect(read.body.status).toBe('expired');
  });

  it('answers a session of another merchant group exactly as a missing one', async () => {
    const other = await v.newMerchant();
    const s = await openSession(v, {}, other.secret_key);
    const foreign = await v.api('GET', `/v1/sessions/${s.id}`);
    const missing = await v.api('GET', '/v1/sessions/cs_doesnotexist');
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ error: { ...missing.body.error } });
  });
});
