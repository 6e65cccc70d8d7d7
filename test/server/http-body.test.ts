// The request body as a real HTTP server receives it: the vault reads POST bodies straight from Node's
// stream (not through a web Request), so the contract's answers are checked over a socket here, where
// app.request() in the other tests never goes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

function post(
  port: number,
  path: string,
  headers: Record<string, string>,
  chunks: Array<string | Buffer>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    // The server may answer (and close) before a too-large body is fully sent.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describeEachDb('request bodies over HTTP', (target) => {
  let v: TestVault;
  let server: ReturnType<typeof serve>;
  let port: number;
  let auth: Record<string, string>;

  beforeAll(async () => {
    v = await startTestVault(target);
    server = serve({ fetch: v.runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    port = (server.address() as AddressInfo).port;
    auth = { authorization: `Bearer ${v.merchant.secret_key}`, 'content-type': 'application/json' };
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await v.close();
  });

  it('reads a JSON body sent in several pieces', async () => {
    const res = await post(port, '/v1/sessions', auth, ['{"amount":', '1999,"curr', 'ency":"USD"}']);
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ amount: 1999, currency: 'USD', status: 'open' });
  });

  it('answers 413 body_too_large for a body over 1 MB, with or without Content-Length', async () => {
    const big = `{"amount":1999,"currency":"USD","order":"${'x'.repeat(1024 * 1024)}"}`;
    const declared = await post(port, '/v1/sessions', auth, [big]);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error.code).toBe('body_too_large');
    const chunked = await post(port, '/v1/sessions', { ...auth, 'transfer-encoding': 'chunked' }, [big.slice(0, 600_000), big.slice(600_000)]);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe('body_too_large');
  });

  it('takes an empty body as no parameters, even under Content-Type: application/json (as curl sends it)', async () => {
    const session = JSON.parse((await post(port, '/v1/sessions', auth, ['{"amount":700,"currency":"EUR","customer":"empty-body"}'])).body);
    const frame = { authorization: `Bearer ${session.client_secret}`, origin: v.runtime.deps.publicUrl, 'checkout-host-origin': 'http://shop.test' };
    const read = await post(port, '/frame/v1/session', { ...frame, 'content-type': 'application/json' }, []);
    expect(read.status, read.body).toBe(200);
    expect(JSON.parse(read.body)).toMatchObject({ id: session.id, status: 'open' });
    const settings = await post(port, '/v1/merchant', auth, []);
    expect(settings.status, settings.body).toBe(200);
  });

  it('takes an empty body as no parameters under any Content-Type, or none (curl -X POST with no -d)', async () => {
    const { authorization } = auth;
    const forms: Array<Record<string, string>> = [
      { authorization },
      { authorization, 'content-type': 'text/plain' },
      { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    ];
    for (const headers of forms) {
      // The customer's settings: every parameter optional, so no parameters is a 200.
      const customer = await post(port, '/v1/customers/empty-body-customer', headers, []);
      expect(customer.status, `${JSON.stringify(headers)}: ${customer.body}`).toBe(200);
      expect(JSON.parse(customer.body)).toMatchObject({ customer: 'empty-body-customer', status: 'none' });
      // A session needs an amount: the contract's 400 naming it, not a server error.
      const session = await post(port, '/v1/sessions', headers, []);
      expect(session.status, session.body).toBe(400);
      expect(JSON.parse(session.body).error).toMatchObject({ code: 'parameter_missing', param: 'amount' });
    }
  });

  it("refuses a body that is not JSON with the contract's error", async () => {
    const res = await post(port, '/v1/sessions', auth, ['{"amount":']);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('body_not_json');
  });

  it('replays an idempotent request byte for byte, and refuses the key with another body', async () => {
    const headers = { ...auth, 'idempotency-key': `http-body-${target}` };
    const first = await post(port, '/v1/sessions', headers, ['{"amount":500,"currency":"EUR"}']);
    const again = await post(port, '/v1/sessions', headers, ['{"amount":500,', '"currency":"EUR"}']);
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 201, body: first.body });
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await post(port, '/v1/sessions', headers, ['{"amount":501,"currency":"EUR"}']);
    expect(other.status).toBe(409);
    expect(JSON.parse(other.body).error.code).toBe('idempotency_key_reused');
  });
});
