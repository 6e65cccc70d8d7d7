// The operations that need an Idempotency-Key are listed once (server/middleware/key-required.ts): the
// vault refuses each without the header, and its OpenAPI document declares the header required on
// exactly those, so a merchant's generated client sends it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_REQUIRED } from '../../server/middleware/key-required.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

describe('operations that need an Idempotency-Key', () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault('sqlite');
  });
  afterAll(() => v.close());

  it('are declared with the header required in /openapi.json, and no other operation is', async () => {
    const doc = (await v.api('GET', '/openapi.json', { key: '' })).body;
    type Operation = { parameters?: { name: string; in: string; required?: boolean }[] };
    const needsKey = (op: Operation) => op.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key' && p.required) ?? false;
    const declared = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => needsKey(op))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(declared.sort()).toEqual(KEY_REQUIRED.map((path) => `POST ${path}`).sort());
  });

  it.each(KEY_REQUIRED)('POST %s without the header is refused before it runs', async (path) => {
    const res = await v.api('POST', path, { body: {} });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing', param: 'Idempotency-Key' });
  });

  it('lets other POSTs run without one', async () => {
    const res = await v.api('POST', '/v1/sessions', { body: { amount: 500, currency: 'USD' } });
    expect(res.status).toBe(201);
  });
});
