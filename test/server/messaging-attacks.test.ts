// Attacks on the vault's outgoing and incoming messaging: webhooks to merchants (SSRF, fairness,
// secrets), provider notifications (forgery, replay, another merchant's charge), customer e-mail
// (header injection, what a merchant may read of the operator's SMTP relay), and card data. Each is
// written as the attack and asserts the safe behaviour. The first three reproduce what a review found
// (one merchant's slow endpoint holding every merchant's webhooks, the relay's own error words shown
// to merchants, metadata services outside link-local allowed with ALLOW_PRIVATE_WEBHOOKS); the rest held.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../sdk/verify-webhook.ts';
import { emitEvent } from '../../server/events/emit-event.ts';
import { deliverDueEvents } from '../../server/jobs/webhook-worker.ts';
import { addressKind, postToWebhook, systemResolve, vetWebhookUrl, webhookTargetPolicy, WebhookTargetRefused } from '../../server/jobs/webhook-target.ts';
import { smtpTransport } from '../../server/messages/email-transport.ts';
import { createMessenger } from '../../server/messages/messenger.ts';
import type { CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startLocalProvider, type LocalProvider } from '../helpers/provider-fixtures.ts';
import { FAKE_WEBHOOK_SECRET } from '../helpers/fake-stripe.ts';
import { startFakeAdyen, type FakeAdyen } from '../helpers/fake-adyen.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';
import { listenLocally } from '../helpers/local-server.ts';

/** An HTTP server on 127.0.0.1 that records what arrives and answers as told (or never). */
async function httpServer(answer: ((res: http.ServerResponse) => void) | 'never' = (res) => res.end('ok')) {
  const requests: { at: number; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = await listenLocally((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ at: Date.now(), url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (answer !== 'never') answer(res);
    });
  });
  return { ...server, requests };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** An SMTP relay that refuses every recipient with a reply naming its own internal network, as real relays do. */
async function refusingSmtp() {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      callback(Object.assign(new Error('5.7.1 Relaying denied for client [10.20.30.40] by mx1.corp.internal (policy 77)'), { responseCode: 550 }));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const dns = (answer: string[]) => async () => answer;

// ---------------------------------------------------------------------------------------------------
// FOUND BY REVIEW, FIXED
// ---------------------------------------------------------------------------------------------------

describeEachDb('webhook delivery fairness', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    // The receivers are local, as in test/server/webhooks.test.ts: the operator allows private addresses here.
    v = await startTestVault(target, { allowPrivateWebhooks: true });
  });
  afterAll(() => v.close());

  it("delivers another merchant's webhook at once while one merchant's endpoint never answers", async () => {
    // The attacker: any merchant of the vault (a test-mode one will do), its webhook a tarpit that
    // accepts the connection and never answers. Eight events, as many as there are senders.
    const tarpit = await httpServer('never');
    const victimEndpoint = await httpServer();
    try {
      const attacker = await v.newMerchant();
      expect((await v.api('POST', '/v1/merchant', { key: attacker.secret_key, body: { rate_limit: 0, webhook_url: tarpit.url } })).status).toBe(200);
      for (let i = 0; i < 8; i++) {
        const res = await v.api('POST', `/v1/customers/flood-${i}/cards`, {
          key: attacker.secret_key,
          body: { number: CARDS.visa, exp_month: 12, exp_year: new Date().getUTCFullYear() + 2 },
        });
        expect(res.status).toBe(201);
      }
      // The victim: another merchant, in another group, whose receiver answers at once.
      const victim = await v.newMerchant();
      expect((await v.api('POST', '/v1/merchant', { key: victim.secret_key, body: { rate_limit: 0, webhook_url: victimEndpoint.url } })).status).toBe(200);
      const saved = await v.api('POST', '/v1/customers/victim-customer/cards', {
        key: victim.secret_key,
        body: { number: CARDS.mastercard, exp_month: 12, exp_year: new Date().getUTCFullYear() + 2 },
      });
      expect(saved.status).toBe(201);

      const started = Date.now();
      await deliverDueEvents(v.runtime.deps);
      expect(tarpit.requests.length).toBe(8);
      expect(victimEndpoint.requests).toHaveLength(1);
      // The victim's event was due at once and its receiver answers in milliseconds.
      const waited = victimEndpoint.requests[0].at - started;
      expect(waited, `the victim's webhook waited ${waited} ms behind the attacker's tarpit`).toBeLessThan(3000);
    } finally {
      await tarpit.close();
      await victimEndpoint.close();
    }
  }, 40_000);
});

describeEachDb('what a merchant reads of the SMTP relay', (target) => {
  let v: TestVault;
  let outbox: TestVault['runtime']['deps']['messenger'];
  beforeAll(async () => {
    v = await startTestVault(target);
    outbox = v.runtime.deps.messenger;
  });
  afterEach(() => {
    v.runtime.deps.messenger = outbox;
  });
  afterAll(() => v.close());

  /** The messenger as the vault builds it when SMTP_URL is set. */
  const useSmtp = (url: string) => {
    const email = smtpTransport(url, 'billing@vault.test');
    v.runtime.deps.messenger = createMessenger({ db: v.runtime.deps.db, clock: () => v.runtime.deps.clock(), email });
    return email;
  };

  it("shows the merchant a class of SMTP failure, never the relay's socket error (its address and port) or its reply text", async () => {
    const m = await v.newMerchant();
    await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { rate_limit: 0 } });
    const send = (customer: string) =>
      v.runtime.deps.messenger.send({ merchantId: m.id, groupId: m.group, customer, template: 'card_saved', data: { last4: '4242' } });

    // 1. The relay is down: the merchant is told the vault's SMTP host and port.
    const port = await closedPort();
    let email = useSmtp(`smtp://127.0.0.1:${port}`);
    try {
      expect((await v.api('POST', '/v1/customers/down', { key: m.secret_key, body: { email: 'down@example.test' } })).status).toBe(200);
      await send('down');
    } finally {
      email.close();
    }
    // 2. The relay refuses a recipient the merchant chose: its reply names the relay's own network.
    const relay = await refusingSmtp();
    email = useSmtp(relay.url);
    try {
      expect((await v.api('POST', '/v1/customers/probe', { key: m.secret_key, body: { email: 'probe@anything.example' } })).status).toBe(200);
      await send('probe');
    } finally {
      email.close();
      await relay.close();
    }

    const listed = (await v.api('GET', '/v1/messages', { key: m.secret_key })).body.data as { customer: string; status: string; error: string | null }[];
    const down = listed.find((x) => x.customer === 'down')!;
    const probe = listed.find((x) => x.customer === 'probe')!;
    expect(down.status).toBe('failed');
    expect(probe.status).toBe('failed');
    // Like a webhook attempt's `error`, a class the merchant can act on, never the socket's or relay's own words.
    expect(down.error).toBe('smtp_connection_failed');
    expect(probe.error).toMatch(/^smtp_recipient_rejected( \(5\d\d\))?$/);
    for (const error of [down.error ?? '', probe.error ?? '']) {
      expect(error).not.toMatch(/ECONNREFUSED|\b\d{1,3}(?:\.\d{1,3}){3}\b/);
      expect(error).not.toContain(String(port));
      expect(error).not.toContain(String(relay.port));
      expect(error).not.toMatch(/corp\.internal|10\.20\.30\.40/);
    }
  });
});

describeEachDb('ALLOW_PRIVATE_WEBHOOKS and cloud metadata', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { allowPrivateWebhooks: true });
  });
  afterAll(() => v.close());

  it('refuses, even with ALLOW_PRIVATE_WEBHOOKS=1, AWS IPv6 metadata, Alibaba metadata and local-use NAT64 of 169.254.169.254', async () => {
    const m = await v.newMerchant();
    const accepted: string[] = [];
    for (const url of [
      // AWS instance metadata over IPv6 (Nitro): a unique-local address, so "private", not link-local.
      'http://[fd00:ec2::254]/latest/meta-data/iam/security-credentials/',
      // Alibaba Cloud metadata: inside 100.64.0.0/10 (CGNAT), so "private".
      'http://100.100.100.200/latest/meta-data/',
      // Local-use NAT64 (RFC 8215) of 169.254.169.254, in the usual /96 form.
      'http://[64:ff9b:1::a9fe:a9fe]/latest/meta-data/',
    ]) {
      const res = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: url, rate_limit: 0 } });
      if (res.status === 200) accepted.push(url);
    }
    // README: "link-local (cloud metadata), unspecified and reserved addresses stay refused even then".
    expect(accepted).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// ATTACKS THAT HELD
// ---------------------------------------------------------------------------------------------------

describe('SSRF spellings the existing tests do not list', () => {
  const strict = (resolve = systemResolve) => webhookTargetPolicy(false, resolve);
  const refusedAt = async (url: string, resolve?: Parameters<typeof webhookTargetPolicy>[1]) => {
    try {
      await vetWebhookUrl(strict(resolve), url, { live: false });
      return 'accepted';
    } catch (err) {
      return err instanceof WebhookTargetRefused ? err.reason : `threw ${(err as Error).message}`;
    }
  };

  it('refuses loopback, metadata and private space in every URL spelling', async () => {
    for (const url of [
      'http://127.1/',
      'http://0x7f000001/',
      'http://017700000001/',
      'http://127.0.0.1./',
      'http://①②⑦.0.0.1/',
      'http://127。0。0。1/',
      'http://[0:0:0:0:0:ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      'http://[::127.0.0.1]/',
      'http://[0::1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[2002:a9fe:a9fe::1]/',
      'http://[2001:0:a9fe:a9fe::1]/',
      'http://[fec0::1]/',
      'http://[ff02::1]/',
      'http://0/',
      'http://255.255.255.255/',
      'http://240.0.0.1/',
      'http://[::]/',
      'http://[fd00:ec2::254]/',
      'http://100.100.100.200/',
    ]) {
      expect(await refusedAt(url), url).toMatch(/address_not_allowed|unresolved/);
    }
  });

  it('refuses a name whose DNS answer spells loopback or metadata in any IPv6 form', async () => {
    for (const answer of [
      ['0:0:0:0:0:ffff:7f00:1'],
      ['::FFFF:127.0.0.1'],
      ['::ffff:a9fe:a9fe'],
      ['64:ff9b::10.0.0.1'],
      ['2002:0a00:0001::'],
      ['fe80::1%eth0'],
      ['93.184.216.34', '::1'],
      ['not-an-address'],
    ]) {
      expect(await refusedAt('https://hooks.shop.example/x', dns(answer)), answer.join()).toBe('address_not_allowed');
    }
    expect(addressKind('2606:2800:220:1:248:1893:25c8:1946')).toBe('public');
  });

  it('refuses credentials and non-http schemes however written', async () => {
    for (const url of [
      'https://%75ser:x@hooks.shop.example/',
      'https://:pw@hooks.shop.example/',
      'file:///etc/passwd',
      'gopher://hooks.shop.example/',
      'ws://hooks.shop.example/',
    ]) {
      expect(await refusedAt(url, dns(['93.184.216.34'])), url).toBe('url_not_allowed');
    }
    // `http://:@host/` carries no credential once parsed (empty user and password): nothing to refuse there.
    expect(new URL('http://:@hooks.shop.example/').href).toBe('http://hooks.shop.example/');
  });
});

describe('DNS rebinding over https', () => {
  it('connects over TLS to the address it checked, not to the second DNS answer', async () => {
    // Two TCP listeners on one port: 127.0.0.1 (what DNS answers when checked) and 127.0.0.2 (what it answers after).
    const hits: string[] = [];
    const listen = (host: string, port = 0) =>
      new Promise<net.Server>((resolve) => {
        const s = net.createServer((sock) => {
          hits.push(host);
          sock.destroy();
        });
        s.listen(port, host, () => resolve(s));
      });
    const first = await listen('127.0.0.1');
    const port = (first.address() as AddressInfo).port;
    const second = await listen('127.0.0.2', port);
    try {
      let calls = 0;
      const policy = webhookTargetPolicy(true, async () => (++calls === 1 ? ['127.0.0.1'] : ['127.0.0.2']));
      const outcome = await postToWebhook(policy, `https://hooks.shop.example:${port}/x`, { live: true }, {}, '{}', 3000);
      expect(outcome).toMatchObject({ error: expect.stringMatching(/tls_error|connection_failed/) });
      expect(calls).toBe(1);
      expect(hits).toEqual(['127.0.0.1']);
    } finally {
      await new Promise<void>((r) => first.close(() => r()));
      await new Promise<void>((r) => second.close(() => r()));
    }
  });
});

describeEachDb('webhooks between merchants', (target) => {
  let v: TestVault;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    v = await startTestVault(target, { allowPrivateWebhooks: true });
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
    await v.runtime.deps.db
      .updateTable('events')
      .set({ delivery: 'none', next_attempt_at: null })
      .where((eb) => eb.or([eb('delivery', 'is', null), eb('delivery', '=', 'pending')]))
      .execute();
  });
  afterAll(() => v.close());

  const shop = async (webhook: string | null = null, group?: string) => {
    const m = await v.newMerchant({ group });
    const res = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { rate_limit: 0, webhook_url: webhook } });
    expect(res.status).toBe(200);
    return m;
  };
  const emit = (m: CreatedMerchant) =>
    emitEvent(v.runtime.deps.db, { merchantId: m.id, groupId: m.group, type: 'card.expiring', data: { card: 'card_x', customer: 'c1' }, now: new Date() });

  it("reads nothing of another merchant's event: attempts, redeliver and starting_after all answer 404", async () => {
    const victim = await shop();
    const attacker = await shop();
    const id = await emit(victim);
    for (const [method, path] of [
      ['GET', `/v1/events/${id}/attempts`],
      ['POST', `/v1/events/${id}/redeliver`],
      ['GET', `/v1/events?starting_after=${id}`],
    ] as const) {
      const res = await v.api(method, path, { key: attacker.secret_key });
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain('card_x');
    }
    // A sister shop of the same group neither.
    const sister = await shop(null, victim.group);
    expect((await v.api('GET', `/v1/events/${id}/attempts`, { key: sister.secret_key })).status).toBe(404);
  });

  it("signs each merchant's events with its own secret only, and a receiver pointed at by another merchant rejects them", async () => {
    const endpoint = await httpServer();
    cleanups.push(endpoint.close);
    const victim = await shop(endpoint.url);
    // The attacker points its own webhook at the victim's receiver: its events arrive signed with its own secret.
    const attacker = await shop(endpoint.url);
    await emit(victim);
    await emit(attacker);
    await deliverDueEvents(v.runtime.deps);
    expect(endpoint.requests).toHaveLength(2);
    const accepted = endpoint.requests.filter((r) => {
      try {
        verifyWebhook(r.body, r.headers['checkout-signature'] as string, victim.webhook_secret);
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted).toHaveLength(1);
    for (const r of endpoint.requests) expect(r.body).not.toContain(victim.webhook_secret);
  });

  it('a previous (leaked) secret key cannot move the webhook or rotate its secret, on any spelling of the path', async () => {
    const m = await shop();
    const rolled = await v.api('POST', '/v1/merchant/roll_secret_key', { key: m.secret_key, body: { previous_key_expires_in_hours: 24 } });
    expect(rolled.status).toBe(200);
    for (const path of ['/v1/merchant', '/v1/merchant/', '/v1//merchant', '/v1/%6Derchant', '/v1/webhooks/rotate_secret', '/v1/webhooks/rotate_secret/']) {
      const body = path.includes('rotate') ? { expire_previous_in: 0 } : { webhook_url: 'https://93.184.216.34/stolen' };
      const res = await v.api('POST', path, { key: m.secret_key, body });
      expect(res.status, path).not.toBe(200);
    }
    const now = await v.api('GET', '/v1/merchant', { key: rolled.body.secret_key });
    expect(now.body.webhook_url).toBeNull();
  });

  it('delivers a saved card as brand and last4 only: no number, no CVC, in the body, the headers or the attempt', async () => {
    const endpoint = await httpServer();
    cleanups.push(endpoint.close);
    const m = await shop(endpoint.url);
    await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { frame_limit_per_address: 1 } });
    const saved = await v.api('POST', '/v1/customers/pan-check/cards', {
      key: m.secret_key,
      body: { number: CARDS.amex, exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, holder: 'Ann Example' },
    });
    expect(saved.status).toBe(201);
    await deliverDueEvents(v.runtime.deps);
    expect(endpoint.requests).toHaveLength(1);
    expect(JSON.parse(endpoint.requests[0].body).data).toMatchObject({ brand: 'amex', last4: '0005' });
    const all = JSON.stringify(endpoint.requests);
    expect(all.replace(/\D/g, '')).not.toContain(CARDS.amex);
    expect(all).not.toContain('Ann Example');
  });
});

describeEachDb('provider notifications', (target) => {
  let v: TestVault;
  let stripe: LocalProvider;
  let fakeAdyen: FakeAdyen;
  beforeAll(async () => {
    stripe = await startLocalProvider('stripe');
    fakeAdyen = await startFakeAdyen();
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorBaseUrls: { stripe: stripe.url, adyen: fakeAdyen.url } });
  });
  afterAll(async () => {
    await v?.close();
    await stripe?.close();
    await fakeAdyen?.close();
  });

  /** A merchant on `provider`'s local account (settings overridable), with a paid charge and its payment id there. */
  async function paidShop(provider: LocalProvider, settings: Record<string, unknown> = {}) {
    const m = await v.newMerchant();
    const set = await v.api('POST', '/v1/merchant', {
      key: m.secret_key,
      body: { rate_limit: 0, frame_limit_per_address: 0, processor: { ...provider.settings, ...settings } },
    });
    expect(set.status, set.text).toBe(200);
    const s = await openSession(v, { amount: 1500 }, m.secret_key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    expect(res.status, res.text).toBe(200);
    const row = await v.runtime.deps.db.selectFrom('charges').select('processor_id').where('id', '=', res.body.charge).executeTakeFirstOrThrow();
    return { ...m, charge: res.body.charge as string, payment: row.processor_id! };
  }
  const notify = (m: CreatedMerchant, n: { body: string; headers: Record<string, string> }) =>
    v.api('POST', `/processor-webhooks/${m.id}`, { key: '', raw: n.body, headers: n.headers });
  const disputesOf = (charge: string) => v.runtime.deps.db.selectFrom('disputes').selectAll().where('charge_id', '=', charge).execute();
  const stripeSigned = (payload: object, secret: string, timestamp?: number) => {
    const body = JSON.stringify(payload);
    return {
      body,
      headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) },
    };
  };

  it("Stripe: a forged, a stale or a replayed dispute does nothing, and an attacker's own signed event cannot touch another merchant's charge", async () => {
    const victim = await paidShop(stripe);
    const genuine = stripe.disputeNotification(victim.payment);
    const event = JSON.parse(genuine.body);

    // Signed with another secret: 401.
    expect((await notify(victim, stripe.disputeNotification(victim.payment, { forged: true }))).status).toBe(401);
    // Signed with the right secret, but 10 minutes old: 401 (Stripe's tolerance is 300 s).
    expect((await notify(victim, stripeSigned(event, FAKE_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 600))).status).toBe(401);
    // A signature header that is not Stripe's format, or two of them.
    expect((await notify(victim, { body: genuine.body, headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' } })).status).toBe(401);
    expect(await disputesOf(victim.charge)).toEqual([]);

    // The genuine one twice: one dispute.
    expect((await notify(victim, genuine)).status).toBe(200);
    expect((await notify(victim, genuine)).status).toBe(200);
    expect(await disputesOf(victim.charge)).toHaveLength(1);

    // The attacker: its own merchant, its own Stripe webhook secret, so its own notifications verify.
    const attacker = await paidShop(stripe, { webhook_secret: 'whsec_attacker_own' });
    const aimed = {
      ...event,
      id: 'evt_attacker_1',
      data: { object: { ...event.data.object, id: 'dp_attacker', status: 'lost' } },
      type: 'charge.dispute.closed',
    };
    // To its own endpoint, naming the victim's payment: the victim's charge is not the attacker's, so nothing.
    expect((await notify(attacker, stripeSigned(aimed, 'whsec_attacker_own'))).status).toBe(200);
    // To the victim's endpoint, signed with the attacker's secret: 401.
    expect((await notify(victim, stripeSigned(aimed, 'whsec_attacker_own'))).status).toBe(401);
    const disputes = await disputesOf(victim.charge);
    expect(disputes).toHaveLength(1);
    expect(disputes[0].status).toBe('open');
    const victimEvents = (await v.api('GET', '/v1/events?limit=100', { key: victim.secret_key })).body.data as any[];
    expect(victimEvents.filter((e) => e.type.startsWith('charge.dispute')).map((e) => e.type)).toEqual(['charge.dispute.created']);
  });

  it("Adyen: a signed item cannot be altered, replayed as new or aimed at another account's charge; unsigned fields change nothing", async () => {
    const settings = {
      type: 'adyen',
      api_key: fakeAdyen.apiKey,
      merchant_account: fakeAdyen.merchantAccount,
      environment: 'test',
      hmac_key: fakeAdyen.hmacKey,
    };
    const adyenProvider = { settings } as unknown as LocalProvider;
    const victim = await paidShop(adyenProvider);
    const headers = { 'content-type': 'application/json' };
    const post = (body: unknown, m: CreatedMerchant = victim) => notify(m, { body: typeof body === 'string' ? body : JSON.stringify(body), headers });
    const chargeback = {
      eventCode: 'NOTIFICATION_OF_CHARGEBACK',
      pspReference: 'dsp-victim-1',
      originalReference: victim.payment,
      amount: { value: 1500, currency: 'USD' },
      reason: 'Fraud',
    };
    const genuine = JSON.parse(fakeAdyen.notification([chargeback]));
    const item = genuine.notificationItems[0].NotificationRequestItem;
    const withItem = (changes: Record<string, unknown>) => ({ ...genuine, notificationItems: [{ NotificationRequestItem: { ...item, ...changes } }] });

    // Signed with another key: 401.
    expect((await post(fakeAdyen.notification([chargeback], { key: '00'.repeat(32) }))).status).toBe(401);
    // Signed fields changed (the amount, the payment, the event): 401.
    for (const changes of [
      { amount: { value: 999999, currency: 'USD' } },
      { originalReference: 'another-payment' },
      { eventCode: 'CHARGEBACK' },
      { success: 'false' },
    ]) {
      expect((await post(withItem(changes))).status, JSON.stringify(changes)).toBe(401);
    }
    // No signature at all, or one item of two unsigned: 401 for the whole delivery.
    expect((await post(withItem({ additionalData: {} }))).status).toBe(401);
    expect(
      (await post({ ...genuine, notificationItems: [genuine.notificationItems[0], { NotificationRequestItem: { ...item, additionalData: {} } }] })).status,
    ).toBe(401);
    expect(await disputesOf(victim.charge)).toEqual([]);

    // The genuine item, then the same item with its unsigned fields (reason) or value types changed: one dispute, the first reason.
    expect((await post(genuine)).status).toBe(200);
    expect((await post(withItem({ reason: '4242 4242 4242 4242 changed' }))).status).toBe(200);
    expect((await post(withItem({ success: true }))).status).toBe(200);
    const disputes = await disputesOf(victim.charge);
    expect(disputes).toHaveLength(1);
    expect(disputes[0]).toMatchObject({ status: 'open', reason: 'Fraud', amount: 1500 });

    // An item of another merchant account under the same (company-level) key: signed, but not this account's.
    const foreign = fakeAdyen.notification([{ ...chargeback, pspReference: 'dsp-foreign', merchantAccountCode: 'AnotherAccount' }]);
    expect((await post(foreign)).status).toBe(200);
    // A live notification for a test account: ignored too.
    expect((await post(fakeAdyen.notification([{ ...chargeback, pspReference: 'dsp-live' }], { live: true }))).status).toBe(200);
    expect(await disputesOf(victim.charge)).toHaveLength(1);

    // Another merchant of the vault on the same Adyen account and key, sent the victim's item: the charge is not its own.
    const sister = await paidShop(adyenProvider);
    expect((await post(fakeAdyen.notification([{ ...chargeback, pspReference: 'dsp-via-other' }]), sister)).status).toBe(200);
    expect(await disputesOf(victim.charge)).toHaveLength(1);
    const sisterEvents = (await v.api('GET', '/v1/events?limit=100', { key: sister.secret_key })).body.data as any[];
    expect(sisterEvents.filter((e) => e.type.startsWith('charge.dispute'))).toEqual([]);
  });
});

describeEachDb('customer e-mail', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  it('refuses header injection through the shop name and the customer e-mail, and lists no other merchant’s messages', async () => {
    const m = await v.newMerchant();
    for (const name of ['Shop\r\nBcc: victim@example.test', 'Shop\nSubject: hi', 'Shop\u2028x', 'Shop\u202e', `Shop ${CARDS.visa}`]) {
      const res = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { name } });
      expect(res.status, JSON.stringify(name)).toBe(400);
    }
    for (const email of ['a@b.co\r\nBcc: x@y.zz', 'a@b.co, victim@example.test', '"a" <victim@example.test>', 'victim@example.test\n', 'a@[127.0.0.1]']) {
      const res = await v.api('POST', '/v1/customers/inj', { key: m.secret_key, body: { email } });
      expect(res.status, JSON.stringify(email)).toBe(400);
    }
    const other = await v.newMerchant();
    await v.api('POST', '/v1/customers/theirs', { key: other.secret_key, body: { email: 'theirs@example.test' } });
    await v.runtime.deps.messenger.send({ merchantId: other.id, groupId: other.group, customer: 'theirs', template: 'card_saved', data: { last4: '1111' } });
    // Naming the other group's customer sends to nobody: customers are per group.
    await v.runtime.deps.messenger.send({ merchantId: m.id, groupId: m.group, customer: 'theirs', template: 'card_saved', data: { last4: '1111' } });
    const mine = (await v.api('GET', '/v1/messages?customer=theirs', { key: m.secret_key })).body.data as any[];
    expect(mine.map((x) => x.recipient)).toEqual(['theirs']);
  });
});
