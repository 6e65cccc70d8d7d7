import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, type Reply, type TestVault } from '../helpers/test-vault.ts';

/** The contract's error shape: one `error` object with a type, a code and a message. */
function expectError(res: Reply, status: number, type: string, code?: string) {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.type).toBe(type);
  if (code) expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

// One GET and one POST of each secret-key resource the contract lists.
const SECRET_ENDPOINTS: [string, string, unknown?][] = [
  ['GET', '/v1/merchant'],
  ['POST', '/v1/merchant', {}],
  ['POST', '/v1/sessions', { amount: 1999, currency: 'USD' }],
  ['GET', '/v1/sessions/cs_anything'],
  ['GET', '/v1/customers/c-auth'],
  ['POST', '/v1/customers/c-auth', { email: 'a@example.com' }],
  ['GET', '/v1/customers/c-auth/cards'],
  ['GET', '/v1/charges?customer=c-auth'],
  ['GET', '/v1/charges/ch_anything'],
  ['GET', '/v1/events'],
];

describeEachDb('Authentication with the secret key', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  it('refuses every /v1 call without an Authorization header with 401 invalid_api_key', async () => {
    for (const [method, path, body] of SECRET_ENDPOINTS) {
      const res = await v.api(method, path, { key: '', body });
      expectError(res, 401, 'authentication_error', 'invalid_api_key');
    }
  });

  it('refuses a malformed Authorization header with 401 invalid_api_key', async () => {
    const key = v.merchant.secret_key;
    for (const authorization of [`Basic ${key}`, key, 'Bearer', 'Bearer ', `Bearer ${key} extra`, `Token ${key}`]) {
      const res = await v.api('GET', '/v1/merchant', { key: '', headers: { authorization } });
      expectError(res, 401, 'authentication_error', 'invalid_api_key');
    }
  });

  it('refuses a wrong or made-up secret key with 401 invalid_api_key', async () => {
    const almost = v.merchant.secret_key.slice(0, -1) + (v.merchant.secret_key.endsWith('A') ? 'B' : 'A');
    for (const key of ['sk_test_doesnotexist', almost, 'pk_test_doesnotexist', 'whatever']) {
      for (const [method, path, body] of SECRET_ENDPOINTS) {
        const res = await v.api(method, path, { key, body });
        expectError(res, 401, 'authentication_error', 'invalid_api_key');
      }
    }
  });

  it('does not accept the webhook signing secret as an API key', async () => {
    const res = await v.api('GET', '/v1/merchant', { key: v.merchant.webhook_secret });
    expectError(res, 401, 'authentication_error', 'invalid_api_key');
  });

  it('answers a publishable key used on a secret-key endpoint with 403 permission_error', async () => {
    for (const [method, path, body] of SECRET_ENDPOINTS) {
      const res = await v.api(method, path, { key: v.merchant.publishable_key, body });
      expectError(res, 403, 'permission_error');
    }
  });

  it('acts as the merchant whose secret key is given', async () => {
    const other = await v.newMerchant();
    const mine = await v.api('GET', '/v1/merchant');
    const theirs = await v.api('GET', '/v1/merchant', { key: other.secret_key });
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(200);
    expect(mine.body.id).toBe(v.merchant.id);
    expect(theirs.body.id).toBe(other.id);
  });

  it('answers an unknown /v1 endpoint with 404 in the error shape', async () => {
    const res = await v.api('GET', '/v1/nothing-here');
    expectError(res, 404, 'invalid_request_error', 'resource_missing');
    const post = await v.api('POST', '/v1/customers/c-1/nothing', { body: {} });
    expectError(post, 404, 'invalid_request_error', 'resource_missing');
  });

  it('answers an unknown path outside /v1 with 404 in the error shape', async () => {
    const res = await v.api('GET', '/no/such/page', { key: '' });
    expectError(res, 404, 'invalid_request_error', 'resource_missing');
  });

  it('answers a method the endpoint does not have with an error in the contract shape, not a page', async () => {
    const res = await v.api('DELETE', '/v1/merchant');
    expect([404, 405]).toContain(res.status);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error' });
  });

  it('serves GET /health without a key', async () => {
    const res = await v.api('GET', '/health', { key: '' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('serves GET /health whatever Authorization header comes with it', async () => {
    const res = await v.api('GET', '/health', { key: 'sk_test_wrong' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
