import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

// Every /v1 path of the contract with its methods, in OpenAPI's path template syntax.
const CONTRACT_PATHS: Record<string, string[]> = {
  '/v1/sessions': ['post'],
  '/v1/sessions/{id}': ['get'],
  '/v1/customers/{customer}': ['get', 'post'],
  '/v1/customers/{customer}/cards': ['get', 'post'],
  '/v1/customers/{customer}/cards/{token}': ['post', 'delete'],
  '/v1/charges': ['get', 'post'],
  '/v1/charges/{id}': ['get'],
  '/v1/charges/{id}/refunds': ['post'],
  '/v1/merchant': ['get', 'post'],
  '/v1/events': ['get'],
};

describeEachDb('GET /openapi.json', (target) => {
  let v: TestVault;
  let doc: any;
  beforeAll(async () => {
    v = await startTestVault(target);
    const res = await v.api('GET', '/openapi.json', { key: '' });
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => v.close());

  it('is an OpenAPI 3.1 document served as JSON without a key', async () => {
    const res = await v.api('GET', '/openapi.json', { key: '' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.paths).toBeTypeOf('object');
  });

  it('lists every /v1 path of the contract with its methods', () => {
    for (const [path, methods] of Object.entries(CONTRACT_PATHS)) {
      expect(doc.paths, path).toHaveProperty([path]);
      for (const method of methods) expect(doc.paths[path], `${method.toUpperCase()} ${path}`).toHaveProperty([method]);
    }
  });

  it('declares a success response for every contract operation', () => {
    for (const [path, methods] of Object.entries(CONTRACT_PATHS)) {
      for (const method of methods) {
        const codes = Object.keys(doc.paths[path]?.[method]?.responses ?? {});
        expect(
          codes.some((c) => c.startsWith('2')),
          `${method.toUpperCase()} ${path}`,
        ).toBe(true);
      }
    }
  });

  it('declares every path parameter of the contract paths', () => {
    for (const [path, methods] of Object.entries(CONTRACT_PATHS)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const method of methods) {
        const op = doc.paths[path]?.[method] ?? {};
        const declared = [...(doc.paths[path]?.parameters ?? []), ...(op.parameters ?? [])].filter((p: any) => p.in === 'path').map((p: any) => p.name);
        expect(declared.sort(), `${method.toUpperCase()} ${path}`).toEqual([...names].sort());
      }
    }
  });

  it('describes the secret key as a bearer scheme that the /v1 operations require', () => {
    const schemes = doc.components?.securitySchemes ?? {};
    const bearer = Object.entries(schemes)
      .filter(([, s]: [string, any]) => s.type === 'http' && s.scheme === 'bearer')
      .map(([name]) => name);
    expect(bearer.length).toBeGreaterThan(0);
    for (const [path, methods] of Object.entries(CONTRACT_PATHS)) {
      for (const method of methods) {
        const security = doc.paths[path]?.[method]?.security ?? doc.security ?? [];
        const names = security.flatMap((s: Record<string, unknown>) => Object.keys(s));
        expect(
          names.some((n: string) => bearer.includes(n)),
          `${method.toUpperCase()} ${path}`,
        ).toBe(true);
      }
    }
  });

  it('gives every contract POST that takes parameters a JSON request body', () => {
    const withBody = [
      '/v1/sessions',
      '/v1/customers/{customer}',
      '/v1/customers/{customer}/cards',
      '/v1/customers/{customer}/cards/{token}',
      '/v1/charges',
      '/v1/charges/{id}/refunds',
      '/v1/merchant',
    ];
    for (const path of withBody) {
      const body = doc.paths[path]?.post?.requestBody;
      expect(body?.content?.['application/json']?.schema, `POST ${path}`).toBeTruthy();
    }
  });
});
