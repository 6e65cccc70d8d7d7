import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

  it('names and summarises every operation, with operationIds unique across the document', () => {
    const ids: string[] = [];
    for (const [p, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        expect(op.operationId, `${method} ${p}`).toMatch(/^[a-z][A-Za-z]+$/);
        expect(op.summary, `${method} ${p}`).toBeTruthy();
        ids.push(op.operationId);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/health'].get.operationId).toBe('health');
  });

  it('declares what the shared middleware answers: 401, 403 and 429 with Retry-After on /v1, 413 with a body', () => {
    for (const [p, item] of Object.entries<any>(doc.paths)) {
      if (!p.startsWith('/v1/')) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        for (const status of ['400', '401', '403', '429', '500']) expect(op.responses[status], `${method} ${p} ${status}`).toBeTruthy();
        expect(op.responses['429'].headers['Retry-After'], `${method} ${p}`).toBeTruthy();
        if (op.requestBody) expect(op.responses['413'], `${method} ${p}`).toBeTruthy();
      }
    }
  });

  it('declares the Idempotency-Key on every merchant POST, required where the vault requires it, and Idempotent-Replayed on its answers', () => {
    for (const [p, item] of Object.entries<any>(doc.paths)) {
      if (!p.startsWith('/v1/') || !item.post) continue;
      const key = item.post.parameters.find((x: any) => x.in === 'header' && x.name === 'Idempotency-Key');
      expect(key, `POST ${p}`).toBeTruthy();
      expect(key.required, `POST ${p}`).toBe(p === '/v1/charges' || p === '/v1/forward');
      expect(item.post.responses['409'].headers['Retry-After'], `POST ${p}`).toBeTruthy();
      const success = Object.entries<any>(item.post.responses).filter(([status]) => status.startsWith('2'));
      for (const [status, response] of success) expect(response.headers['Idempotent-Replayed'], `POST ${p} ${status}`).toBeTruthy();
    }
  });

  it("declares the fields' confirm answers: a decline, a closed session, a wrong secret, the rate limit", () => {
    const confirm = doc.paths['/frame/v1/confirm'].post.responses;
    for (const status of ['200', '400', '402', '403', '404', '409', '410', '429', '502']) expect(confirm[status], status).toBeTruthy();
  });

  it('promises client_secret on a created session, which always has it, and not on a session read back, which never does', async () => {
    const schemaOf = (response: any) => {
      const schema = response.content['application/json'].schema;
      return schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
    };
    const created = schemaOf(doc.paths['/v1/sessions'].post.responses['201']);
    expect(created.required).toContain('client_secret');
    const read = schemaOf(doc.paths['/v1/sessions/{id}'].get.responses['200']);
    expect(read.required).not.toContain('client_secret');
    // What the vault answers agrees.
    const opened = await v.api('POST', '/v1/sessions', { body: { amount: 1999, currency: 'USD' } });
    expect(opened.body.client_secret).toMatch(/^cs_/);
    expect((await v.api('GET', `/v1/sessions/${opened.body.id}`)).body).not.toHaveProperty('client_secret');
  });

  it("gives the whole lists the paged lists' shape: data and has_more", () => {
    for (const p of ['/v1/customers/{customer}/cards', '/v1/customers/{customer}/mandates', '/v1/charges', '/v1/invoices', '/v1/events']) {
      const schema = doc.paths[p].get.responses['200'].content['application/json'].schema;
      const resolved = schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
      expect(Object.keys(resolved.properties).sort(), p).toEqual(['data', 'has_more']);
    }
  });

  it("passes Redocly's linter with its recommended rules, without an error", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-')), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    // No telemetry, no update check: the tests reach no network.
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' };
    const bin = path.resolve(import.meta.dirname, '../../node_modules/.bin/redocly');
    const run = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(bin, ['lint', file, '--extends', 'recommended', '--format', 'summary'], { env }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as any).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      ),
    );
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    expect(run.out).not.toMatch(/^error\s/m);
    expect(run.code, run.out).toBe(0);
  });
});
