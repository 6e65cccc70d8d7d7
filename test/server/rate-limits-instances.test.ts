import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { createRuntime, type VaultRuntime } from '../../server/vault-runtime.ts';
import { createPgDatabase, targets } from '../helpers/databases.ts';
import { describeWithRedis, redisPrefix } from '../helpers/redis.ts';
import { SHOP, VAULT } from '../helpers/test-vault.ts';

interface Instance {
  name: string;
  runtime: VaultRuntime;
  server: http.Server;
  port: number;
  dataDir: string;
}

async function startInstance(name: string, env: Parameters<typeof createRuntime>[0]): Promise<Instance> {
  const runtime = await createRuntime(env);
  const server = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server;
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  return { name, runtime, server, port: (server.address() as AddressInfo).port, dataDir: env.DATA_DIR };
}

/** The operator's load balancer: sends requests to the instances in turn and appends who connected to X-Forwarded-For. */
async function startProxy(instances: Instance[]) {
  const served: string[] = [];
  let next = 0;
  const server = http.createServer((req, res) => {
    const to = instances[next++ % instances.length];
    served.push(to.name);
    const prior = req.headers['x-forwarded-for'];
    const headers = { ...req.headers, 'x-forwarded-for': prior ? `${prior}, ${req.socket.remoteAddress}` : req.socket.remoteAddress };
    const upstream = http.request({ host: '127.0.0.1', port: to.port, method: req.method, path: req.url, headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, served, port: (server.address() as AddressInfo).port };
}

/** A customer's browser, or an attacker's script: connects from its own loopback address, sets any header. */
function post(port: number, from: string, url: string, headers: Record<string, string>, body: unknown) {
  return new Promise<{ status: number; retryAfter?: string; body: any }>((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress: from,
        method: 'POST',
        path: url,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const suite = (redisUrl: string) => {
  const keys = redisPrefix(redisUrl);
  let pgDb: Awaited<ReturnType<typeof createPgDatabase>>;
  let a: Instance;
  let b: Instance;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let merchant: CreatedMerchant;

  beforeAll(async () => {
    pgDb = await createPgDatabase();
    // One database, one key ring, one Redis: two instances of the same vault behind one proxy.
    const shared = {
      DATABASE_URL: pgDb.url,
      VAULT_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
      PUBLIC_URL: VAULT,
      LOG_LEVEL: 'silent' as const,
      TRUST_PROXY: 1,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: keys.prefix,
    };
    a = await startInstance('a', { ...shared, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'vault-limits-a-')) });
    b = await startInstance('b', { ...shared, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'vault-limits-b-')) });
    proxy = await startProxy([a, b]);
    merchant = await createMerchant(a.runtime.deps, { name: 'Two instances', origins: [SHOP] });
    const set = await post(proxy.port, '127.0.0.1', '/v1/merchant', { authorization: `Bearer ${merchant.secret_key}` }, { frame_limit_per_address: 3 });
    expect(set.status).toBe(200);
  });

  afterAll(async () => {
    await new Promise((r) => proxy?.server.close(r));
    for (const i of [a, b]) {
      if (!i) continue;
      await new Promise((r) => i.server.close(r));
      await i.runtime.close();
      fs.rmSync(i.dataDir, { recursive: true, force: true });
    }
    await pgDb?.drop();
    await keys.drop();
  });

  async function clientSecret(): Promise<string> {
    const res = await post(proxy.port, '127.0.0.1', '/v1/sessions', { authorization: `Bearer ${merchant.secret_key}` }, { amount: 1999, currency: 'USD' });
    expect(res.status).toBe(201);
    return res.body.client_secret;
  }

  const fields = (from: string, secret: string, extra: Record<string, string> = {}) =>
    post(proxy.port, from, '/frame/v1/session', { origin: VAULT, 'checkout-host-origin': SHOP, authorization: `Bearer ${secret}`, ...extra }, {});

  it('holds the per-address limit across both instances, each customer counted by the address the proxy saw', async () => {
    const secret = await clientSecret();
    const start = proxy.served.length;
    const first = [];
    for (let i = 0; i < 3; i++) first.push((await fields('127.0.0.2', secret)).status);
    expect(first).toEqual([200, 200, 200]);
    const fourth = await fields('127.0.0.2', secret);
    expect(fourth.status).toBe(429);
    expect(fourth.body.error).toMatchObject({ code: 'rate_limited' });
    expect(Number(fourth.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(fourth.retryAfter)).toBeLessThanOrEqual(60);
    // The hits went to both instances in turn: neither saw more than two of them.
    expect(new Set(proxy.served.slice(start))).toEqual(new Set(['a', 'b']));
    // Another customer behind the same proxy is counted on its own.
    expect((await fields('127.0.0.3', secret)).status).toBe(200);
    // The limited customer names the other in its own X-Forwarded-For: the proxy's entry decides.
    expect((await fields('127.0.0.2', secret, { 'x-forwarded-for': '127.0.0.3' })).status).toBe(429);
    expect((await fields('127.0.0.2', secret, { 'x-forwarded-for': '192.0.2.200' })).status).toBe(429);
    // The counts live in Redis, under this run's prefix, by the customer's address.
    const stored = await keys.keys();
    expect(stored).toContain(`${keys.prefix}rl60:frame-addr:${merchant.id}:127.0.0.2`);
    expect(stored).toContain(`${keys.prefix}rl60:frame-addr:${merchant.id}:127.0.0.3`);
    expect(stored.some((k) => k.includes('192.0.2.200'))).toBe(false);
  });
};

if (targets.includes('postgres')) describeWithRedis('rate limits on two vault instances sharing PostgreSQL and Redis', suite);
else describe.skip('rate limits on two vault instances skipped: TEST_DATABASE_URL is not set', () => it('needs PostgreSQL (TEST_DATABASE_URL)', () => {}));
