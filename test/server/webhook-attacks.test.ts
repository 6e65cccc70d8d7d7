// Attacks on the vault's outgoing webhooks and its events API, as a merchant (or a staff user of its
// dashboard) would make them: a webhook_url aimed at the vault's own network in every spelling, DNS that
// changes its answer between the check and the send, redirects, a second merchant reading, redelivering
// or probing the first one's events, forged and replayed signatures, a rotated secret, and card data or
// secrets reaching an event, a delivery, a log line or a stored row. Each test asserts the safe behaviour.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyWebhook } from '../../sdk/verify-webhook.ts';
import { emitEvent } from '../../server/events/emit-event.ts';
import { deliverDueEvents } from '../../server/jobs/webhook-worker.ts';
import { systemResolve } from '../../server/jobs/webhook-target.ts';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { everyRow } from '../helpers/storage-scan.ts';
import { CARDS, LIVE_SHOP, newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';
import { dnsAnswers } from '../helpers/dns-answers.ts';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A server on this machine: a service the vault must not reach, or (where the operator allows it) a merchant's endpoint. */
async function localServer(answer: (res: http.ServerResponse, n: number) => void = (res) => res.end('ok'), host = '127.0.0.1') {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${host}:${port}/hooks`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
type LocalServer = Awaited<ReturnType<typeof localServer>>;

/** A public address (documentation space is refused; this one is not): set-time checks pass, nothing connects to it in these tests. */
const PUBLIC = '93.184.216.34';
const PUBLIC_URL = `https://${PUBLIC}/hooks`;
const unix = (d: Date) => Math.floor(d.getTime() / 1000);
/** Every spelling of a card number a scan must not find. */
const spellings = (pan: string) => [pan, pan.replace(/(\d{4})(?=\d)/g, '$1 '), pan.replace(/(\d{4})(?=\d)/g, '$1-')];

describeEachDb('webhook and events attacks', (target) => {
  let v: TestVault;
  let internal: LocalServer;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    internal = await localServer((res) => res.end('internal service'));
  });
  afterAll(async () => {
    await internal?.close();
    await v?.close();
  });
  afterEach(async () => {
    v.setNow(undefined);
    v.runtime.deps.webhookTargets.resolve = systemResolve;
    v.runtime.deps.webhookTargets.allowPrivate = false;
    vi.restoreAllMocks();
    while (cleanups.length) await cleanups.pop()!();
    // Undelivered events of one test would otherwise go out in the next test's delivery pass.
    await v.runtime.deps.db
      .updateTable('events')
      .set({ delivery: 'none', next_attempt_at: null })
      .where((eb) => eb.or([eb('delivery', 'is', null), eb('delivery', '=', 'pending')]))
      .execute();
  });

  async function server(...args: Parameters<typeof localServer>) {
    const s = await localServer(...args);
    cleanups.push(s.close);
    return s;
  }
  const merchant = async (group?: string) => {
    const m = await v.newMerchant({ group });
    expect((await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { rate_limit: 0 } })).status).toBe(200);
    return m;
  };
  const setWebhook = (m: CreatedMerchant, url: string | null) => v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: url } });
  const writeRow = (m: CreatedMerchant, url: string) => v.runtime.deps.db.updateTable('merchants').set({ webhook_url: url }).where('id', '=', m.id).execute();
  const emit = (m: CreatedMerchant, data: object = { card: 'card_x', customer: 'c1' }) =>
    emitEvent(v.runtime.deps.db, { merchantId: m.id, groupId: m.group, type: 'card.expiring', data, now: new Date() });
  const attemptsOf = async (m: CreatedMerchant, id: string) => (await v.api('GET', `/v1/events/${id}/attempts`, { key: m.secret_key })).body;
  const storedUrl = async (m: CreatedMerchant) => (await v.api('GET', '/v1/merchant', { key: m.secret_key })).body.webhook_url;

  describe("a webhook_url aimed at the vault's own network", () => {
    const spelled = (port: number) => [
      `http://127.0.0.1:${port}/hooks`,
      `http://127.1:${port}/hooks`,
      `http://127.0.0.1.:${port}/hooks`,
      `http://2130706433:${port}/hooks`,
      `http://0177.0.0.1:${port}/hooks`,
      `http://0x7f.1:${port}/hooks`,
      `http://0x7f000001:${port}/hooks`,
      `http://017700000001:${port}/hooks`,
      `http://localhost:${port}/hooks`,
      `http://LOCALHOST:${port}/hooks`,
      `http://[::1]:${port}/hooks`,
      `http://[0:0:0:0:0:0:0:1]:${port}/hooks`,
      `http://[::ffff:127.0.0.1]:${port}/hooks`,
      `http://[::ffff:7f00:1]:${port}/hooks`,
      `http://[::127.0.0.1]:${port}/hooks`,
      `http://[64:ff9b::127.0.0.1]:${port}/hooks`,
      `http://[2002:7f00:1::]:${port}/hooks`,
      `http://0.0.0.0:${port}/hooks`,
      `http://0:${port}/hooks`,
      `http://[::]:${port}/hooks`,
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://2852039166/latest/meta-data/',
      'http://0xa9fea9fe/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://100.100.100.200/latest/meta-data/',
      'http://168.63.129.16/machine',
      'http://10.0.0.1/hooks',
      'http://10.255.255.254/hooks',
      'http://172.16.0.1/hooks',
      'http://172.31.255.254/hooks',
      'http://192.168.0.1/hooks',
      'http://100.64.0.1/hooks',
      'http://[fc00::1]/hooks',
      'http://[fd12:3456:789a::1]/hooks',
      'http://[fe80::1]/hooks',
      'http://[ff02::1]/hooks',
      'http://224.0.0.1/hooks',
      'http://255.255.255.255/hooks',
      `https://127.0.0.1:${port}/hooks`,
    ];

    it('answers every spelling of loopback, private, link-local, metadata and unspecified with 400 and keeps the URL it had', async () => {
      const m = await merchant();
      expect((await setWebhook(m, PUBLIC_URL)).status).toBe(200);
      for (const url of spelled(internal.port)) {
        const res = await setWebhook(m, url);
        expect(res.status, url).toBe(400);
        expect(res.body.error, url).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'webhook_url' });
        // The answer tells no address, no port and no host back.
        expect(res.body.error.message, url).not.toMatch(new RegExp(`${internal.port}|127\\.|169\\.254|::1|localhost`, 'i'));
      }
      expect(await storedUrl(m)).toBe(PUBLIC_URL);
      expect(internal.requests).toEqual([]);
    });

    it('refuses a name that resolves into private space, alone or beside a public address, in either family', async () => {
      const m = await merchant();
      for (const answer of [
        ['10.1.2.3'],
        ['172.20.0.5'],
        ['192.168.10.10'],
        ['127.0.0.53'],
        ['169.254.169.254'],
        ['::1'],
        ['fd12:3456::1'],
        ['fe80::1'],
        ['::ffff:127.0.0.1'],
        ['64:ff9b::a9fe:a9fe'],
        ['0.0.0.0'],
        [PUBLIC, '127.0.0.1'],
        ['2606:2800:220:1::1', '::1'],
        ['2606:2800:220:1::1', '10.0.0.1'],
      ]) {
        v.runtime.deps.webhookTargets.resolve = dnsAnswers(answer).resolve;
        const res = await setWebhook(m, `https://hooks.attacker.example:${internal.port}/hooks`);
        expect(res.status, answer.join()).toBe(400);
        expect(res.body.error, answer.join()).toMatchObject({ code: 'parameter_invalid', param: 'webhook_url' });
        expect(res.body.error.message).not.toContain(answer[answer.length - 1]);
      }
      expect(await storedUrl(m)).toBeNull();
    });

    it('refuses credentials in a URL, which the attempts and answers would otherwise echo', async () => {
      const m = await merchant();
      for (const url of [`https://admin:hunter2@${PUBLIC}/hooks`, `https://token@${PUBLIC}/hooks`]) {
        const res = await setWebhook(m, url);
        expect(res.status, url).toBe(400);
        expect(res.text).not.toContain('hunter2');
      }
    });

    it('checks again at every delivery: a name public when set and private when sent (DNS rebinding) gets nothing, by the worker or by redeliver', async () => {
      for (const rebound of [['127.0.0.1'], ['::ffff:127.0.0.1'], ['169.254.169.254'], [PUBLIC, '127.0.0.1']]) {
        const m = await merchant();
        v.runtime.deps.webhookTargets.resolve = dnsAnswers([PUBLIC], rebound).resolve;
        expect((await setWebhook(m, `http://rebind.attacker.example:${internal.port}/hooks`)).status).toBe(200);
        const id = await emit(m);
        await deliverDueEvents(v.runtime.deps);
        const again = await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
        expect(again.status).toBe(200);
        expect(again.body).toMatchObject({ status_code: null, error: 'address_not_allowed' });
        expect((await attemptsOf(m, id)).data.map((a: any) => a.error)).toEqual(['address_not_allowed', 'address_not_allowed']);
      }
      expect(internal.requests).toEqual([]);
    });

    it('refuses at delivery a private URL stored without the set-time check (an old row, a direct write), whatever its spelling', async () => {
      for (const url of [
        `http://2130706433:${internal.port}/hooks`,
        `http://0x7f.1:${internal.port}/hooks`,
        `http://[::ffff:7f00:1]:${internal.port}/hooks`,
        `http://localhost:${internal.port}/hooks`,
        'http://169.254.169.254/latest/meta-data/',
      ]) {
        const m = await merchant();
        await writeRow(m, url);
        const id = await emit(m);
        const res = await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
        expect(res.body, url).toMatchObject({ status_code: null, error: 'address_not_allowed' });
      }
      expect(internal.requests).toEqual([]);
    });

    it('follows no redirect: an endpoint answering 301/302/303/307/308 toward another local service or the metadata address', async () => {
      // The operator allows private receivers here (ALLOW_PRIVATE_WEBHOOKS), so that the first hop answers at all.
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const second = await server();
      for (const [status, location] of [
        [301, second.url],
        [302, second.url],
        [303, second.url],
        [307, second.url],
        [308, second.url],
        [302, 'http://169.254.169.254/latest/meta-data/'],
      ] as const) {
        const first = await server((res) => res.writeHead(status, { location }).end());
        const m = await merchant();
        expect((await setWebhook(m, first.url)).status).toBe(200);
        const id = await emit(m);
        await deliverDueEvents(v.runtime.deps);
        expect(first.requests).toHaveLength(1);
        expect((await attemptsOf(m, id)).data[0]).toMatchObject({ status_code: status, error: 'http_status' });
      }
      expect(second.requests).toEqual([]);
    });

    it('tells the merchant the same thing at delivery for a name that does not resolve and a name that resolves into the private network', async () => {
      // The set-time answer is the same for both ("the answer must not tell which"). At delivery, a name the
      // attacker's DNS points (CNAME) at an internal name of the vault's resolver must not reveal whether that
      // name exists inside: otherwise the attempts list enumerates the vault's internal DNS.
      const classes: string[] = [];
      for (const atDelivery of [[], ['10.20.30.40']]) {
        const m = await merchant();
        v.runtime.deps.webhookTargets.resolve = dnsAnswers([PUBLIC], atDelivery).resolve;
        expect((await setWebhook(m, 'http://probe.attacker.example/hooks')).status).toBe(200);
        const id = await emit(m);
        const res = await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
        expect(res.status).toBe(200);
        classes.push(res.body.error);
      }
      expect(classes[0], `NXDOMAIN is recorded as ${classes[0]}, a private answer as ${classes[1]}`).toBe(classes[1]);
    });

    it('lets a staff admin of the dashboard set no internal URL either, and a viewer set none at all', async () => {
      const d = dashboard(v);
      const m = await merchant();
      const admin = await d.signedIn(`admin-${crypto.randomUUID()}@shop.test`, 'a long staff password 1', { merchant: m.id });
      const adminCsrf = (await d.me(admin)).csrf_token;
      const viewer = await d.signedIn(`viewer-${crypto.randomUUID()}@shop.test`, 'a long staff password 2', { merchant: m.id, role: 'viewer' });
      const viewerCsrf = (await d.me(viewer)).csrf_token;
      for (const url of [`http://127.0.0.1:${internal.port}/hooks`, 'http://169.254.169.254/latest/meta-data/', `http://[::ffff:7f00:1]:${internal.port}/`]) {
        const res = await d.call('POST', '/v1/merchant', { cookie: admin, csrf: adminCsrf, body: { webhook_url: url } });
        expect(res.status, url).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'webhook_url' });
      }
      const byViewer = await d.call('POST', '/v1/merchant', { cookie: viewer, csrf: viewerCsrf, body: { webhook_url: PUBLIC_URL } });
      expect(byViewer.status).toBe(403);
      expect(await storedUrl(m)).toBeNull();
      expect(internal.requests).toEqual([]);
    });
  });

  describe("a second merchant and the first one's events", () => {
    it("cannot list, read, read the attempts of, redeliver or page from another merchant's event, nor tell it from one that does not exist", async () => {
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const receiverA = await server();
      const a = await merchant();
      expect((await setWebhook(a, receiverA.url)).status).toBe(200);
      const saved = await v.api('POST', '/v1/customers/c-victim/cards', {
        key: a.secret_key,
        body: { number: CARDS.visa, exp_month: 12, exp_year: new Date().getUTCFullYear() + 2 },
      });
      expect(saved.status).toBe(201);
      const [event] = (await v.api('GET', '/v1/events', { key: a.secret_key })).body.data;
      expect(event.type).toBe('card.saved');
      await deliverDueEvents(v.runtime.deps);
      expect(receiverA.requests).toHaveLength(1);
      const before = await attemptsOf(a, event.id);

      // Another shop with a receiver of its own, and a sister shop of A's group (they share customers and cards).
      const receiverB = await server();
      const stranger = await merchant();
      const sister = await merchant(a.group);
      for (const b of [stranger, sister]) {
        expect((await setWebhook(b, receiverB.url)).status).toBe(200);
        const listed = await v.api('GET', '/v1/events?limit=100', { key: b.secret_key });
        expect(listed.status).toBe(200);
        expect(listed.text).not.toContain(event.id);
        expect((await v.api('GET', '/v1/events?type=card.saved', { key: b.secret_key })).text).not.toContain(event.id);
        const missing = `evt_${crypto.randomBytes(12).toString('hex')}`;
        for (const [method, path] of [
          ['GET', `/v1/events/{id}`],
          ['GET', `/v1/events/{id}/attempts`],
          ['POST', `/v1/events/{id}/redeliver`],
          ['GET', `/v1/events?starting_after={id}`],
        ] as const) {
          const theirs = await v.api(method, path.replace('{id}', event.id), { key: b.secret_key });
          const nobody = await v.api(method, path.replace('{id}', missing), { key: b.secret_key });
          expect(theirs.status, path).toBe(404);
          expect(theirs.body, path).toEqual(nobody.body);
        }
      }
      // Nothing was sent again, to A's endpoint or anyone's, and A's record is as it was.
      expect(receiverA.requests).toHaveLength(1);
      expect(receiverB.requests).toEqual([]);
      expect(await attemptsOf(a, event.id)).toEqual(before);
    });

    it("lets no publishable key (it sits in the shop's pages) read the events or redeliver one", async () => {
      const a = await merchant();
      const id = await emit(a);
      for (const [method, path] of [
        ['GET', '/v1/events'],
        ['GET', `/v1/events/${id}/attempts`],
        ['POST', `/v1/events/${id}/redeliver`],
        ['POST', '/v1/webhooks/rotate_secret'],
      ] as const) {
        const res = await v.api(method, path, { key: a.publishable_key, body: method === 'POST' ? {} : undefined });
        expect(res.status, path).toBe(403);
        expect(res.body.error.code).toBe('secret_key_required');
        expect(res.text).not.toContain(id);
      }
    });

    it("lets a staff user of one shop's dashboard neither see nor redeliver another shop's event", async () => {
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const receiverA = await server();
      const a = await merchant();
      expect((await setWebhook(a, receiverA.url)).status).toBe(200);
      const id = await emit(a);
      const b = await merchant();
      const d = dashboard(v);
      const cookie = await d.signedIn(`staff-${crypto.randomUUID()}@other.test`, 'a long staff password 3', { merchant: b.id });
      const csrf = (await d.me(cookie)).csrf_token;
      expect((await d.call('GET', '/v1/events?limit=100', { cookie })).text).not.toContain(id);
      expect((await d.call('GET', `/v1/events/${id}/attempts`, { cookie })).status).toBe(404);
      expect((await d.call('POST', `/v1/events/${id}/redeliver`, { cookie, csrf })).status).toBe(404);
      expect(receiverA.requests).toEqual([]);
    });

    it("cannot pass its own events off as the first merchant's: pointed at A's endpoint, they fail A's verification", async () => {
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const receiverA = await server();
      const a = await merchant();
      const b = await merchant();
      expect((await setWebhook(b, receiverA.url)).status).toBe(200);
      await emit(b, { session: 'cs_forged', order: 'order-of-a', charge: 'ch_x' });
      await deliverDueEvents(v.runtime.deps);
      expect(receiverA.requests).toHaveLength(1);
      const { body, headers } = receiverA.requests[0];
      expect(() => verifyWebhook(body, headers['checkout-signature'] as string, a.webhook_secret)).toThrow(/No v1 signature matches/);
    });
  });

  describe('signatures', () => {
    async function delivered() {
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const receiver = await server();
      const m = await merchant();
      expect((await setWebhook(m, receiver.url)).status).toBe(200);
      const id = await emit(m);
      await deliverDueEvents(v.runtime.deps);
      expect(receiver.requests).toHaveLength(1);
      return { m, id, receiver, ...receiver.requests[0], header: receiver.requests[0].headers['checkout-signature'] as string };
    }

    it('binds the timestamp and the body: a changed t, a changed body, an old or a future timestamp are all refused', async () => {
      const { m, body, header } = await delivered();
      const t = Number(/t=(\d+)/.exec(header)![1]);
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(Math.abs(t - unix(new Date()))).toBeLessThan(30);
      expect(verifyWebhook(body, header, m.webhook_secret).id).toBeDefined();

      const sig = /v1=([0-9a-f]{64})/.exec(header)![1];
      const fail = (b: string, h: string, now?: number) => {
        try {
          verifyWebhook(b, h, m.webhook_secret, now === undefined ? {} : { now });
          return 'accepted';
        } catch (err) {
          return (err as { reason?: string }).reason;
        }
      };
      // The same signature under a fresher timestamp: in place of the real one, after it, or before it (the
      // real one then still counts, and so does its age).
      expect(fail(body, `t=${t + 400},v1=${sig}`, t + 400)).toBe('no_matching_signature');
      expect(fail(body, `${header},t=${t + 400}`, t + 400)).toBe('no_matching_signature');
      expect(fail(body, `t=${t + 400},${header}`, t + 400)).toBe('timestamp_out_of_tolerance');
      expect(fail(body.replace('"c1"', '"c2"'), header)).toBe('no_matching_signature');
      expect(fail(`${body} `, header)).toBe('no_matching_signature');
      // A captured delivery replayed later, or one dated ahead, is refused even with its real signature.
      expect(fail(body, header, t + 301)).toBe('timestamp_out_of_tolerance');
      expect(fail(body, header, t - 301)).toBe('timestamp_out_of_tolerance');
      // A signature made with the wrong secret, or none.
      const forged = crypto.createHmac('sha256', 'whsec_guess').update(`${t}.${body}`).digest('hex');
      expect(fail(body, `t=${t},v1=${forged}`)).toBe('no_matching_signature');
      expect(fail(body, `t=${t},v1=`)).toBe('malformed_header');
      expect(fail(body, `t=${t}`)).toBe('malformed_header');
    });

    it('compares every candidate signature in constant time', async () => {
      const { m, body, header } = await delivered();
      const t = /t=(\d+)/.exec(header)![1];
      const spy = vi.spyOn(crypto, 'timingSafeEqual');
      const nearly = /v1=([0-9a-f]{64})/.exec(header)![1].replace(/.$/, (c) => (c === '0' ? '1' : '0'));
      expect(() => verifyWebhook(body, `t=${t},v1=${nearly},v1=${'0'.repeat(64)}`, [m.webhook_secret, 'whsec_other'])).toThrow(/No v1 signature/);
      // Two secrets times two signatures, each compared whole.
      expect(spy).toHaveBeenCalledTimes(4);
      for (const [x, y] of spy.mock.calls) expect([(x as Buffer).length, (y as Buffer).length]).toEqual([32, 32]);
    });

    it('stops the old secret at once when the merchant rotates with expire_previous_in 0, and after its grace period otherwise', async () => {
      const { m, id, receiver } = await delivered();
      const old = m.webhook_secret;
      const rotated = await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: { expire_previous_in: 0 } });
      expect(rotated.status).toBe(200);
      const fresh = rotated.body.webhook_secret as string;
      expect(fresh).toMatch(/^whsec_/);
      expect(fresh).not.toBe(old);
      await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
      const after = receiver.requests[1];
      const header = after.headers['checkout-signature'] as string;
      expect(header.match(/v1=/g)).toHaveLength(1);
      expect(() => verifyWebhook(after.body, header, old)).toThrow(/No v1 signature matches/);
      expect(verifyWebhook(after.body, header, fresh).id).toBe(id);

      // With a grace period both sign until it ends; then only the new one.
      const graced = await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: { expire_previous_in: 60 } });
      const newest = graced.body.webhook_secret as string;
      await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
      expect((receiver.requests[2].headers['checkout-signature'] as string).match(/v1=/g)).toHaveLength(2);
      v.setNow(new Date(Date.now() + 61_000));
      await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
      const late = receiver.requests[3];
      const lateHeader = late.headers['checkout-signature'] as string;
      expect(lateHeader.match(/v1=/g)).toHaveLength(1);
      const lateT = Number(/t=(\d+)/.exec(lateHeader)![1]);
      expect(() => verifyWebhook(late.body, lateHeader, fresh, { now: lateT })).toThrow(/No v1 signature matches/);
      expect(verifyWebhook(late.body, lateHeader, newest, { now: lateT }).id).toBe(id);
    });

    it('lets a rolled (perhaps leaked) secret key neither rotate the signing secret nor repoint the webhook', async () => {
      const m = await merchant();
      const rolled = await v.api('POST', '/v1/merchant/roll_secret_key', { key: m.secret_key, body: { previous_key_expires_in_hours: 1 } });
      expect(rolled.status).toBe(200);
      const rotate = await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: { expire_previous_in: 0 } });
      expect(rotate.status).toBe(403);
      expect(rotate.body.error.code).toBe('current_key_required');
      expect(rotate.text).not.toContain('whsec_');
      const repoint = await setWebhook(m, PUBLIC_URL);
      expect(repoint.status).toBe(403);
      expect(await storedUrl({ ...m, secret_key: rolled.body.secret_key })).toBeNull();
    });

    it('shows the signing secret only in the rotation answer: no other answer, log line, attempt, event or idempotency record holds it', async () => {
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const receiver = await server();
      const m = await merchant();
      const secrets = [m.webhook_secret];
      expect((await setWebhook(m, receiver.url)).status).toBe(200);
      // With an Idempotency-Key, by its plain path and by a percent-encoded one, and through the dashboard.
      for (const path of ['/v1/webhooks/rotate_secret', '/v1/webhooks/rotate%5Fsecret', '/v1/webhooks/rotate%5fsecret']) {
        const key = `rotate-${crypto.randomUUID()}`;
        const first = await v.api('POST', path, { key: m.secret_key, body: { expire_previous_in: 0 }, headers: { 'idempotency-key': key } });
        if (first.status !== 200) {
          expect(first.status, path).toBe(404);
          continue;
        }
        secrets.push(first.body.webhook_secret);
        // The same key again makes a new secret: the first answer was not kept to be replayed.
        const again = await v.api('POST', path, { key: m.secret_key, body: { expire_previous_in: 0 }, headers: { 'idempotency-key': key } });
        expect(again.status, path).toBe(200);
        expect(again.body.webhook_secret).not.toBe(first.body.webhook_secret);
        expect(again.headers.get('idempotent-replayed')).toBeNull();
        secrets.push(again.body.webhook_secret);
      }
      const d = dashboard(v);
      const cookie = await d.signedIn(`rotator-${crypto.randomUUID()}@shop.test`, 'a long staff password 4', { merchant: m.id });
      const csrf = (await d.me(cookie)).csrf_token;
      const byStaff = await d.call('POST', '/v1/webhooks/rotate_secret', { cookie, csrf, body: { expire_previous_in: 0 }, idempotencyKey: 'staff-rotate' });
      expect(byStaff.status).toBe(200);
      secrets.push(byStaff.body.webhook_secret);

      const id = await emit(m);
      await deliverDueEvents(v.runtime.deps);
      const seen = [
        (await v.api('GET', '/v1/merchant', { key: m.secret_key })).text,
        (await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { name: 'Renamed shop' } })).text,
        (await v.api('GET', '/v1/events?limit=100', { key: m.secret_key })).text,
        JSON.stringify(await attemptsOf(m, id)),
        (await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key })).text,
        (await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: { expire_previous_in: 'soon' } })).text,
        (await d.call('GET', '/audit?limit=100', { cookie })).text,
        (await d.call('GET', '/v1/merchant', { cookie })).text,
        JSON.stringify(receiver.requests),
        v.logs.join('\n'),
        JSON.stringify(await v.runtime.deps.db.selectFrom('idempotency_keys').selectAll().execute()),
        JSON.stringify(await v.runtime.deps.db.selectFrom('webhook_attempts').selectAll().execute()),
        JSON.stringify(await v.runtime.deps.db.selectFrom('events').selectAll().execute()),
      ].join('\n');
      for (const s of secrets) expect(seen).not.toContain(s);
      expect(seen).not.toContain(m.secret_key);
    });

    it('keeps the signing secret out of the database in the clear (sealed, as the processor credentials are)', async () => {
      // Whoever reads a copy of the database (a backup, a replica, a dump) should not be able to sign
      // `session.completed` or `charge.succeeded` for any merchant and have its server ship unpaid orders.
      const m = await merchant();
      const rotated = await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: { expire_previous_in: 3600 } });
      expect(rotated.status).toBe(200);
      const rows = await everyRow(v, target, 'merchants');
      expect(rows.includes(rotated.body.webhook_secret), 'the current signing secret is stored in the clear').toBe(false);
      expect(rows.includes(m.webhook_secret), 'the previous signing secret is stored in the clear').toBe(false);
    });
  });

  describe('card data and secrets', () => {
    it('puts no card number, CVC or secret into an event, a delivery, an attempt or a log line, whatever the flow', async () => {
      v.runtime.deps.webhookTargets.allowPrivate = true;
      const receiver = await server();
      const m = await merchant();
      expect((await setWebhook(m, receiver.url)).status).toBe(200);
      const logsBefore = v.logs.length;
      const secrets: string[] = [m.secret_key, m.webhook_secret];

      // A checkout that saves a card, a one-click payment with its CVC, a declined card, a 3-D Secure
      // challenge, an import, a refund, a deletion.
      const s1 = await openSession(v, { customer: 'c-cards', order: 'order-1' }, m.secret_key);
      secrets.push(s1.secret);
      const paid = await v.frame('/frame/v1/confirm', s1.secret, { card: newCard(CARDS.visa, '737'), save: true });
      expect(paid.status).toBe(200);
      const token = paid.body.card.token as string;
      const s2 = await openSession(v, { customer: 'c-cards' }, m.secret_key);
      secrets.push(s2.secret);
      expect((await v.frame('/frame/v1/confirm', s2.secret, { saved_card: { token, cvc: '737' } })).status).toBe(200);
      const s3 = await openSession(v, { customer: 'c-cards' }, m.secret_key);
      secrets.push(s3.secret);
      expect((await v.frame('/frame/v1/confirm', s3.secret, { card: newCard(CARDS.declined, '737') })).status).toBe(402);
      const s4 = await openSession(v, { customer: 'c-cards' }, m.secret_key);
      secrets.push(s4.secret);
      await v.frame('/frame/v1/confirm', s4.secret, { card: newCard(CARDS.challenge, '737') });
      const imported = await v.api('POST', '/v1/customers/c-cards/cards', {
        key: m.secret_key,
        body: { number: CARDS.mastercard, exp_month: 11, exp_year: new Date().getUTCFullYear() + 2 },
      });
      expect(imported.status).toBe(201);
      const charges = (await v.api('GET', '/v1/charges?customer=c-cards', { key: m.secret_key })).body.data;
      const succeeded = charges.find((c: any) => c.status === 'succeeded');
      expect((await v.api('POST', `/v1/charges/${succeeded.id}/refunds`, { key: m.secret_key, body: { amount: 100 } })).status).toBe(201);
      expect((await v.api('DELETE', `/v1/customers/c-cards/cards/${imported.body.token}`, { key: m.secret_key })).status).toBe(200);

      await deliverDueEvents(v.runtime.deps);
      const events = (await v.api('GET', '/v1/events?limit=100', { key: m.secret_key })).body.data;
      expect(new Set(events.map((e: any) => e.type))).toEqual(
        new Set(['card.saved', 'charge.succeeded', 'session.completed', 'charge.failed', 'charge.refunded', 'card.deleted']),
      );
      const redelivered = await v.api('POST', `/v1/events/${events[0].id}/redeliver`, { key: m.secret_key });
      const seen = [
        JSON.stringify(events),
        JSON.stringify(receiver.requests),
        redelivered.text,
        ...(await Promise.all(events.map(async (e: any) => JSON.stringify(await attemptsOf(m, e.id))))),
        v.logs.slice(logsBefore).join('\n'),
      ].join('\n');
      expect(receiver.requests.length).toBeGreaterThanOrEqual(events.length);
      for (const pan of [CARDS.visa, CARDS.declined, CARDS.challenge, CARDS.mastercard]) for (const s of spellings(pan)) expect(seen).not.toContain(s);
      expect(seen).not.toMatch(/"(cvc|cvv|number|pan|exp_month|exp_year)"\s*:/);
      // The CVC as a value (a bare 737 turns up inside random ids and hex signatures).
      expect(seen).not.toMatch(/["']737["']|cvc\W+737/i);
      for (const s of secrets) expect(seen).not.toContain(s);
      // The deliveries carry exactly the documented headers: nothing of the vault's own.
      for (const r of receiver.requests) {
        expect(Object.keys(r.headers).sort()).toEqual(['checkout-signature', 'connection', 'content-length', 'content-type', 'host', 'user-agent']);
      }
    });

    it('refuses a webhook_url holding a card number, as every other field it echoes does (answers, attempts, audit log, stored rows)', async () => {
      const m = await merchant();
      for (const url of [
        `https://${PUBLIC}/hooks/${CARDS.visa}`,
        `https://${PUBLIC}/hooks?card=4242-4242-4242-4242`,
        `https://${PUBLIC}/hooks#${CARDS.mastercard}`,
      ]) {
        const res = await setWebhook(m, url);
        expect(res.status, `${url} was accepted and stored`).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'webhook_url' });
      }
      expect(await storedUrl(m)).toBeNull();
    });
  });
});

describeEachDb("a live merchant's webhook over plain http", (target) => {
  let v: TestVault;
  let live: CreatedMerchant;
  let receiver: LocalServer;
  beforeAll(async () => {
    // Ready for real cards; private receivers allowed, so that the only reason to refuse is the scheme.
    v = await startTestVault(target, {
      vaultKeys: `k1:${crypto.randomBytes(32).toString('base64')}`,
      publicUrl: 'https://vault.test',
      allowPrivateWebhooks: true,
    });
    live = await createMerchant(v.runtime.deps, { name: 'Live shop', origins: [LIVE_SHOP], live: true });
    receiver = await localServer();
  });
  afterAll(async () => {
    await receiver?.close();
    await v?.close();
  });

  it('refuses http:// in every spelling when set, and sends nothing to one already stored (by the worker or by redeliver)', async () => {
    for (const url of [receiver.url, receiver.url.replace('http:', 'HTTP:'), receiver.url.replace('http:', 'hTtP:')]) {
      const res = await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { webhook_url: url } });
      expect(res.status, url).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'webhook_url' });
    }
    await expect(createMerchant(v.runtime.deps, { name: 'Live CLI', origins: [LIVE_SHOP], live: true, webhookUrl: receiver.url })).rejects.toThrow(/https/);
    await v.runtime.deps.db.updateTable('merchants').set({ webhook_url: receiver.url }).where('id', '=', live.id).execute();
    const id = await emitEvent(v.runtime.deps.db, {
      merchantId: live.id,
      groupId: live.group,
      type: 'charge.succeeded',
      data: { charge: 'ch_x', amount: 100, currency: 'EUR', customer: 'c1' },
      now: new Date(),
    });
    await deliverDueEvents(v.runtime.deps);
    const again = await v.api('POST', `/v1/events/${id}/redeliver`, { key: live.secret_key });
    expect(again.body).toMatchObject({ status_code: null, error: 'url_not_allowed' });
    expect(receiver.requests).toEqual([]);
  });
});
