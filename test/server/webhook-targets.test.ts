// Webhooks as a port scanner: a merchant points its webhook at the vault's own network and reads the
// answers back. Every way in is tried as an attacker would; none reaches the local server or tells
// more than an error class.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../server/env.ts';
import { emitEvent } from '../../server/events/emit-event.ts';
import { deliverDueEvents } from '../../server/jobs/webhook-worker.ts';
import { postToWebhook, systemResolve, webhookTargetPolicy } from '../../server/jobs/webhook-target.ts';
import type { CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';
import { dnsAnswers } from '../helpers/dns-answers.ts';

/** A service on the vault's machine that no merchant should reach: it counts what arrives. */
async function localServer(host = '127.0.0.1', port = 0, answer: (res: http.ServerResponse) => void = (res) => res.end('internal')) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://${host}:${bound}/hooks`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describeEachDb('Webhook targets', (target) => {
  let v: TestVault;
  let internal: Awaited<ReturnType<typeof localServer>>;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    v = await startTestVault(target);
    internal = await localServer();
  });
  afterAll(async () => {
    await internal.close();
    await v.close();
  });
  afterEach(async () => {
    v.runtime.deps.webhookTargets.resolve = systemResolve;
    v.runtime.deps.webhookTargets.allowPrivate = false;
    while (cleanups.length) await cleanups.pop()!();
    // A test's undelivered events would otherwise go out in the next test's delivery pass.
    await v.runtime.deps.db
      .updateTable('events')
      .set({ delivery: 'none', next_attempt_at: null })
      .where((eb) => eb.or([eb('delivery', 'is', null), eb('delivery', '=', 'pending')]))
      .execute();
  });

  const newMerchant = async () => {
    const m = await v.newMerchant();
    await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { rate_limit: 0 } });
    return m;
  };
  const setWebhook = (m: CreatedMerchant, url: string | null) => v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: url } });
  /** What an operator's direct write (or a row from before the check) leaves: no set-time check at all. */
  const writeRow = (m: CreatedMerchant, url: string) => v.runtime.deps.db.updateTable('merchants').set({ webhook_url: url }).where('id', '=', m.id).execute();
  const emit = (m: CreatedMerchant) =>
    emitEvent(v.runtime.deps.db, { merchantId: m.id, groupId: m.group, type: 'card.expiring', data: { card: 'card_x', customer: 'c1' }, now: new Date() });
  const attemptsOf = async (m: CreatedMerchant, id: string) => (await v.api('GET', `/v1/events/${id}/attempts`, { key: m.secret_key })).body.data;

  describe("POST /v1/merchant refuses a webhook_url into the vault's own network", () => {
    const attacks = (port: number) => [
      `http://127.0.0.1:${port}/hooks`,
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      `http://[::ffff:127.0.0.1]:${port}/hooks`,
      `http://[::1]:${port}/hooks`,
      `http://localhost:${port}/hooks`,
      `http://2130706433:${port}/hooks`,
      `http://0177.0.0.1:${port}/hooks`,
      `http://0x7f.1:${port}/hooks`,
      `http://0.0.0.0:${port}/hooks`,
      `http://[::]:${port}/hooks`,
      'http://10.0.0.5/hooks',
      'http://172.16.3.4/hooks',
      'http://192.168.1.1/hooks',
      'http://100.64.0.1/hooks',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://[fe80::1]/hooks',
      `http://[64:ff9b::7f00:1]:${port}/hooks`,
      `http://[2002:7f00:1::1]:${port}/hooks`,
    ];

    it('answers 400 parameter_invalid for every loopback, private, link-local and unspecified form, and stores nothing', async () => {
      const m = await newMerchant();
      for (const url of attacks(internal.port)) {
        const res = await setWebhook(m, url);
        expect(res.status, url).toBe(400);
        expect(res.body.error, url).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'webhook_url' });
        expect(res.body.error.message, url).not.toContain(String(internal.port));
      }
      expect((await v.api('GET', '/v1/merchant', { key: m.secret_key })).body.webhook_url).toBeNull();
      expect(internal.requests).toEqual([]);
    });

    it('refuses credentials in the URL, even on a public host', async () => {
      const m = await newMerchant();
      v.runtime.deps.webhookTargets.resolve = dnsAnswers(['93.184.216.34']).resolve;
      for (const url of [
        `http://user:pass@127.0.0.1:${internal.port}/hooks`,
        'https://user:pass@hooks.shop.example/hooks',
        'https://token@hooks.shop.example/hooks',
      ]) {
        const res = await setWebhook(m, url);
        expect(res.status, url).toBe(400);
        expect(res.body.error, url).toMatchObject({ code: 'parameter_invalid', param: 'webhook_url', message: expect.stringContaining('credentials') });
      }
      expect((await v.api('GET', '/v1/merchant', { key: m.secret_key })).body.webhook_url).toBeNull();
    });

    it('refuses a name that resolves into private space, or to a public and a private address at once', async () => {
      const m = await newMerchant();
      for (const answer of [['10.1.2.3'], ['93.184.216.34', '127.0.0.1'], ['::ffff:169.254.169.254']]) {
        v.runtime.deps.webhookTargets.resolve = dnsAnswers(answer).resolve;
        const res = await setWebhook(m, 'https://hooks.shop.example/hooks');
        expect(res.status, answer.join()).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'webhook_url' });
      }
    });

    it('refuses a name that does not resolve with the same answer as a private one, so DNS is no oracle', async () => {
      const m = await newMerchant();
      v.runtime.deps.webhookTargets.resolve = dnsAnswers([]).resolve;
      const missing = await setWebhook(m, 'https://no-such-host.shop.example/hooks');
      v.runtime.deps.webhookTargets.resolve = dnsAnswers(['10.0.0.7']).resolve;
      const internalName = await setWebhook(m, 'https://db.internal.example/hooks');
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual(internalName.body);
    });

    it('accepts a public address and a name that resolves only to public addresses', async () => {
      const m = await newMerchant();
      expect((await setWebhook(m, 'https://93.184.216.34/hooks')).status).toBe(200);
      const dns = dnsAnswers(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
      v.runtime.deps.webhookTargets.resolve = dns.resolve;
      const res = await setWebhook(m, 'https://hooks.shop.example/hooks');
      expect(res.status).toBe(200);
      expect(res.body.webhook_url).toBe('https://hooks.shop.example/hooks');
      expect(dns.calls).toEqual(['hooks.shop.example']);
      expect((await setWebhook(m, null)).body.webhook_url).toBeNull();
    });
  });

  describe('each delivery checks again, after resolution', () => {
    it('refuses a name that was public when set and resolves to loopback at delivery (DNS rebinding)', async () => {
      const m = await newMerchant();
      v.runtime.deps.webhookTargets.resolve = dnsAnswers(['93.184.216.34'], ['127.0.0.1']).resolve;
      expect((await setWebhook(m, `http://hooks.shop.example:${internal.port}/hooks`)).status).toBe(200);
      const id = await emit(m);

      await deliverDueEvents(v.runtime.deps);
      const redelivered = await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
      expect(redelivered.status).toBe(200);
      expect(redelivered.body).toMatchObject({ status_code: null, error: 'address_not_allowed', delivery: { status: 'pending' } });
      expect((await attemptsOf(m, id)).map((a: any) => [a.status_code, a.error])).toEqual([
        [null, 'address_not_allowed'],
        [null, 'address_not_allowed'],
      ]);
      expect(internal.requests).toEqual([]);
    });

    it('refuses a loopback URL written straight into the database, and an open port looks like a closed one', async () => {
      const closed = await localServer();
      await closed.close();
      const results = [];
      for (const url of [internal.url, closed.url, 'http://user:pw@hooks.shop.example/hooks']) {
        const m = await newMerchant();
        await writeRow(m, url);
        const id = await emit(m);
        const res = await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
        expect(res.status).toBe(200);
        results.push([res.body.status_code, res.body.error]);
        expect(res.text).not.toContain('user:pw');
      }
      expect(results).toEqual([
        [null, 'address_not_allowed'],
        [null, 'address_not_allowed'],
        [null, 'url_not_allowed'],
      ]);
      expect(internal.requests).toEqual([]);
    });

    it('connects to the address it checked, not to a second answer from DNS', async () => {
      // Two loopback receivers on one port: 127.0.0.1 is checked, then DNS would say 127.0.0.2.
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const checked = await localServer('127.0.0.1');
      const other = await localServer('127.0.0.2', checked.port);
      cleanups.push(checked.close, other.close);
      const dns = dnsAnswers(['127.0.0.1'], ['127.0.0.1'], ['127.0.0.2']);
      v.runtime.deps.webhookTargets.resolve = dns.resolve;
      const m = await newMerchant();
      expect((await setWebhook(m, `http://hooks.shop.example:${checked.port}/hooks`)).status).toBe(200);
      const id = await emit(m);
      await deliverDueEvents(v.runtime.deps);
      expect(checked.requests).toEqual(['POST /hooks']);
      expect(other.requests).toEqual([]);
      // One lookup at set time, one for the delivery: the connection itself looked nothing up.
      expect(dns.calls).toHaveLength(2);
      expect((await attemptsOf(m, id))[0]).toMatchObject({ status_code: 200, error: null });
    });
  });

  describe('what an attempt tells the merchant', () => {
    it('a redirect to a second local server is not followed: http_status, and the second gets nothing', async () => {
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const second = await localServer();
      const first = await localServer('127.0.0.1', 0, (res) => res.writeHead(302, { location: second.url }).end());
      cleanups.push(first.close, second.close);
      const m = await newMerchant();
      expect((await setWebhook(m, first.url)).status).toBe(200);
      const id = await emit(m);
      await deliverDueEvents(v.runtime.deps);
      expect(first.requests).toHaveLength(1);
      expect(second.requests).toEqual([]);
      expect((await attemptsOf(m, id))[0]).toMatchObject({ status_code: 302, error: 'http_status' });
    });

    it('redeliver to a closed port answers connection_failed, not the socket error with its port', async () => {
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const closed = await localServer();
      await closed.close();
      const m = await newMerchant();
      expect((await setWebhook(m, closed.url)).status).toBe(200);
      const id = await emit(m);
      const res = await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status_code: null, error: 'connection_failed', url: closed.url });
      expect(res.text).not.toMatch(/ECONNREFUSED|refused/i);
      expect((await attemptsOf(m, id)).map((a: any) => a.error)).toEqual(['connection_failed']);
    });

    it('https to a server that does not speak TLS is a tls_error', async () => {
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const plain = await localServer();
      cleanups.push(plain.close);
      const m = await newMerchant();
      expect((await setWebhook(m, plain.url.replace('http:', 'https:'))).status).toBe(200);
      const id = await emit(m);
      const res = await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
      expect(res.body).toMatchObject({ status_code: null, error: 'tls_error' });
    });
  });
});

describeEachDb('ALLOW_PRIVATE_WEBHOOKS=1', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { allowPrivateWebhooks: true });
  });
  afterAll(() => v.close());

  it('delivers to a local receiver, and still refuses link-local metadata and credentials', async () => {
    const local = await localServer();
    try {
      const m = await v.newMerchant();
      const set = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: local.url, rate_limit: 0 } });
      expect(set.status).toBe(200);
      const id = await emitEvent(v.runtime.deps.db, { merchantId: m.id, groupId: m.group, type: 'card.expiring', data: { card: 'card_x' }, now: new Date() });
      const report = await deliverDueEvents(v.runtime.deps);
      expect(report.delivered).toBeGreaterThanOrEqual(1);
      expect(local.requests).toEqual(['POST /hooks']);
      const row = await v.runtime.deps.db.selectFrom('events').select('delivery').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.delivery).toBe('delivered');

      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://[fe80::1]/hooks',
        `http://0.0.0.0:${local.port}/hooks`,
        local.url.replace('http://', 'http://a:b@'),
      ]) {
        const res = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: url } });
        expect(res.status, url).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'webhook_url' });
      }
    } finally {
      await local.close();
    }
  });
});

describe('the webhook target outside the API', () => {
  it('classes a receiver that never answers as a timeout', async () => {
    const silent = await localServer('127.0.0.1', 0, () => {});
    try {
      const outcome = await postToWebhook(webhookTargetPolicy(true), silent.url, { live: false }, {}, '{}', 100);
      expect(outcome).toMatchObject({ error: 'timeout' });
      expect(silent.requests).toEqual(['POST /hooks']);
    } finally {
      await silent.close();
    }
  });

  it('ALLOW_PRIVATE_WEBHOOKS is off unless set to 1, and a bad value stops the start naming it', () => {
    expect(parseEnv({}).ALLOW_PRIVATE_WEBHOOKS).toBe(false);
    expect(parseEnv({ ALLOW_PRIVATE_WEBHOOKS: '1' }).ALLOW_PRIVATE_WEBHOOKS).toBe(true);
    expect(parseEnv({ ALLOW_PRIVATE_WEBHOOKS: '0' }).ALLOW_PRIVATE_WEBHOOKS).toBe(false);
    expect(() => parseEnv({ ALLOW_PRIVATE_WEBHOOKS: 'yes' })).toThrow(/ALLOW_PRIVATE_WEBHOOKS/);
  });

  it('npm run merchant -- create --webhook refuses a loopback URL before creating anything', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-cli-'));
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      ['server/cli/merchant.ts', 'create', '--name', 'Scanner', '--origin', 'http://shop.test', '--webhook', 'http://127.0.0.1:5432/'],
      {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, ALLOW_PRIVATE_WEBHOOKS: '' },
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(out).toContain('--webhook: webhook_url');
    expect(out).not.toContain('sk_test_');
    expect(fs.readdirSync(dataDir)).toEqual([]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 20_000);
});
