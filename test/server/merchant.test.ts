import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('GET and POST /v1/merchant', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  /** A merchant of its own, so that changing settings leaves the other tests' merchant as created. */
  async function freshMerchant() {
    const m = await v.newMerchant();
    return { ...m, api: (method: string, path: string, body?: unknown) => v.api(method, path, { key: m.secret_key, body }) };
  }

  it('shows a new merchant the default settings', async () => {
    const res = await v.api('GET', '/v1/merchant');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: v.merchant.id,
      auto_pay_days: 3,
      need_cvc: true,
      three_d_secure: 'when_required',
      one_click_after: 1,
      rate_limit: 100,
    });
  });

  it('never shows the secret key or the webhook signing secret', async () => {
    const read = await v.api('GET', '/v1/merchant');
    const changed = await v.api('POST', '/v1/merchant', { body: { auto_pay_days: 3 } });
    for (const res of [read, changed]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(v.merchant.secret_key);
      expect(res.text).not.toContain(v.merchant.webhook_secret);
      expect(res.text).not.toContain('sk_test_');
      expect(res.text).not.toContain('whsec_');
    }
  });

  it('shows no trace of the secret key: no field named for a secret, not even its hash', async () => {
    const res = await v.api('GET', '/v1/merchant');
    expect(res.status).toBe(200);
    // previous_secret_key_expires_at is a time, not a secret: when the key before a roll stops working.
    expect(Object.keys(res.body).filter((k) => /secret|hash/i.test(k) && k !== 'previous_secret_key_expires_at')).toEqual([]);
    const hash = crypto.createHash('sha256').update(v.merchant.secret_key).digest('hex');
    expect(res.text).not.toContain(hash);
  });

  it('changes the settings and keeps the change', async () => {
    const m = await freshMerchant();
    const changes = { auto_pay_days: 5, need_cvc: false, three_d_secure: 'always', one_click_after: 2, rate_limit: 50 };
    const res = await m.api('POST', '/v1/merchant', changes);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: m.id, ...changes });
    const read = await m.api('GET', '/v1/merchant');
    expect(read.body).toMatchObject(changes);
  });

  it('changes only the settings sent', async () => {
    const m = await freshMerchant();
    await m.api('POST', '/v1/merchant', { one_click_after: 0 });
    const res = await m.api('POST', '/v1/merchant', { auto_pay_days: 7 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ auto_pay_days: 7, one_click_after: 0, need_cvc: true, three_d_secure: 'when_required', rate_limit: 100 });
  });

  it('changes one merchant without touching another of the same group', async () => {
    const m = await freshMerchant();
    const sibling = await v.newMerchant({ group: m.group });
    await m.api('POST', '/v1/merchant', { need_cvc: false, auto_pay_days: 9 });
    const read = await v.api('GET', '/v1/merchant', { key: sibling.secret_key });
    expect(read.body).toMatchObject({ id: sibling.id, need_cvc: true, auto_pay_days: 3 });
  });

  it('replaces the allowed origins with valid http(s) origins', async () => {
    const m = await freshMerchant();
    const res = await m.api('POST', '/v1/merchant', { allowed_origins: ['https://shop.example', 'http://localhost:3000'] });
    expect(res.status).toBe(200);
    expect(res.body.allowed_origins).toEqual(['https://shop.example', 'http://localhost:3000']);
  });

  it('refuses an allowed origin that is not an http(s) origin, naming the parameter', async () => {
    const m = await freshMerchant();
    for (const origin of ['not a url', 'ftp://shop.example', 'https://shop.example/checkout', 'javascript:alert(1)']) {
      const res = await m.api('POST', '/v1/merchant', { allowed_origins: [origin] });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid' });
      expect(res.body.error.param).toMatch(/^allowed_origins/);
    }
    const read = await m.api('GET', '/v1/merchant');
    expect(read.body.allowed_origins).toEqual(['http://shop.test']);
  });

  it('refuses a value outside an enum or of the wrong type, naming the parameter', async () => {
    const m = await freshMerchant();
    const cases: [Record<string, unknown>, string][] = [
      [{ three_d_secure: 'sometimes' }, 'three_d_secure'],
      [{ need_cvc: 'yes' }, 'need_cvc'],
      [{ auto_pay_days: -1 }, 'auto_pay_days'],
      [{ auto_pay_days: 2.5 }, 'auto_pay_days'],
      [{ one_click_after: '1' }, 'one_click_after'],
      [{ rate_limit: -5 }, 'rate_limit'],
    ];
    for (const [body, param] of cases) {
      const res = await m.api('POST', '/v1/merchant', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param });
    }
    const read = await m.api('GET', '/v1/merchant');
    expect(read.body).toMatchObject({ three_d_secure: 'when_required', need_cvc: true, auto_pay_days: 3, one_click_after: 1, rate_limit: 100 });
  });

  it('refuses an unknown field with parameter_unknown and changes nothing', async () => {
    const m = await freshMerchant();
    const res = await m.api('POST', '/v1/merchant', { auto_pay_days: 10, colour: 'blue' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_unknown', param: 'colour' });
    const read = await m.api('GET', '/v1/merchant');
    expect(read.body.auto_pay_days).toBe(3);
  });

  it('does not let a merchant set its own keys or group through the settings', async () => {
    const m = await freshMerchant();
    for (const field of ['secret_key', 'webhook_secret', 'group', 'id']) {
      const res = await m.api('POST', '/v1/merchant', { [field]: 'x' });
      expect(res.status, field).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_unknown', param: field });
    }
    const read = await m.api('GET', '/v1/merchant');
    expect(read.body).toMatchObject({ id: m.id, group: m.group });
  });

  it('answers requests beyond rate_limit a second with 429 rate_limited and Retry-After', async () => {
    const m = await freshMerchant();
    const set = await m.api('POST', '/v1/merchant', { rate_limit: 2 });
    expect(set.status).toBe(200);
    const burst = await Promise.all(Array.from({ length: 8 }, () => m.api('GET', '/v1/merchant')));
    const limited = burst.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(burst.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    for (const res of limited) {
      expect(res.body).toEqual({ error: expect.objectContaining({ type: 'rate_limit_error', code: 'rate_limited' }) });
      const retryAfter = res.headers.get('retry-after');
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    }
  });

  it('limits each merchant on its own: a limited merchant does not slow down another', async () => {
    const m = await freshMerchant();
    await m.api('POST', '/v1/merchant', { rate_limit: 1 });
    await Promise.all(Array.from({ length: 5 }, () => m.api('GET', '/v1/merchant')));
    const other = await v.api('GET', '/v1/merchant');
    expect(other.status).toBe(200);
  });

  it('does not limit a merchant whose rate_limit is 0', async () => {
    const m = await freshMerchant();
    const set = await m.api('POST', '/v1/merchant', { rate_limit: 0 });
    expect(set.status).toBe(200);
    expect(set.body.rate_limit).toBe(0);
    // More requests at once than the default limit of 100 a second allows.
    const burst = await Promise.all(Array.from({ length: 150 }, () => m.api('GET', '/v1/merchant')));
    expect(burst.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
  });
});
