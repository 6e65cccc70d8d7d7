import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../sdk/verify-webhook.ts';
import { emitEvent } from '../../server/events/emit-event.ts';
import { deliverDueEvents, RETRY_WINDOW_MS, startWebhookWorker } from '../../server/jobs/webhook-worker.ts';
import type { CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A merchant's webhook endpoint on 127.0.0.1 that answers each request as `answer` says. */
async function startReceiver(
  answer: (n: number, req: Received) => { status: number; headers?: Record<string, string>; delayMs?: number } = () => ({ status: 200 }),
) {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      const a = answer(requests.length, received);
      setTimeout(() => {
        res.writeHead(a.status, a.headers);
        res.end('ok');
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const unix = (d: Date | number) => Math.floor(new Date(d).getTime() / 1000);

describeEachDb('Webhooks', (target) => {
  let v: TestVault;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    // The receivers below listen on 127.0.0.1: the operator allows private webhook addresses here.
    v = await startTestVault(target, { allowPrivateWebhooks: true });
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0 } });
  });
  afterAll(() => v.close());
  afterEach(async () => {
    v.setNow(undefined);
    while (cleanups.length) await cleanups.pop()!();
  });

  async function receiver(...args: Parameters<typeof startReceiver>) {
    const r = await startReceiver(...args);
    cleanups.push(r.close);
    return r;
  }

  /** A merchant of its own (its own events only) whose webhook URL is `url`. */
  async function merchantWith(url: string | null): Promise<CreatedMerchant> {
    const m = await v.newMerchant();
    const res = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: url, rate_limit: 0 } });
    expect(res.status).toBe(200);
    return m;
  }

  const emit = (m: CreatedMerchant, data: object = { card: 'card_x', customer: 'c1' }) =>
    emitEvent(v.runtime.deps.db, { merchantId: m.id, groupId: m.group, type: 'card.expiring', data, now: new Date() });
  const eventRow = (id: string) => v.runtime.deps.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const deliver = (now?: Date) => deliverDueEvents(v.runtime.deps, { now });

  describe('delivery', () => {
    it('POSTs the event as GET /v1/events shows it, signed so that verifyWebhook accepts it', async () => {
      const r = await receiver();
      const m = await merchantWith(r.url);
      const saved = await v.api('POST', '/v1/customers/c-hook/cards', {
        key: m.secret_key,
        body: { number: CARDS.visa, exp_month: 12, exp_year: new Date().getUTCFullYear() + 2 },
      });
      expect(saved.status).toBe(201);

      await deliver();
      expect(r.requests).toHaveLength(1);
      const { headers, body } = r.requests[0];
      expect(headers['content-type']).toBe('application/json');
      expect(headers['user-agent']).toBe('card-vault-webhooks/1');
      expect(headers['checkout-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(body).not.toContain(CARDS.visa);

      const event = verifyWebhook(body, headers['checkout-signature'] as string, m.webhook_secret);
      const listed = await v.api('GET', '/v1/events', { key: m.secret_key });
      expect(listed.body.data).toHaveLength(1);
      expect(event).toEqual(listed.body.data[0]);
      expect(event).toMatchObject({ type: 'card.saved', data: { card: saved.body.token, customer: 'c-hook', last4: '4242' } });

      const attempts = await v.api('GET', `/v1/events/${event.id}/attempts`, { key: m.secret_key });
      expect(attempts.status).toBe(200);
      expect(attempts.body.delivery).toEqual({ status: 'delivered', attempts: 1, next_attempt_at: null });
      expect(attempts.body.data).toEqual([
        expect.objectContaining({ event: event.id, url: r.url, status_code: 200, error: null, duration_ms: expect.any(Number) }),
      ]);

      // Delivered once: a later pass sends nothing more.
      await deliver();
      expect(r.requests).toHaveLength(1);
    });

    it('retries an answer other than 2xx with backoff and records every attempt', async () => {
      const r = await receiver((n) => ({ status: n === 1 ? 500 : 200 }));
      const m = await merchantWith(r.url);
      const id = await emit(m);
      const created = Date.parse((await eventRow(id)).created_at);

      const first = new Date(created + 1000);
      await deliver(first);
      expect(r.requests).toHaveLength(1);
      let row = await eventRow(id);
      expect(row).toMatchObject({ delivery: 'pending', attempts: 1, next_attempt_at: new Date(first.getTime() + 30_000).toISOString() });

      // Not yet due: nothing is sent before the backoff has passed.
      await deliver(new Date(first.getTime() + 10_000));
      expect(r.requests).toHaveLength(1);

      await deliver(new Date(row.next_attempt_at!));
      expect(r.requests).toHaveLength(2);
      row = await eventRow(id);
      expect(row).toMatchObject({ delivery: 'delivered', attempts: 2, next_attempt_at: null });
      // Each attempt is signed at the time it is made.
      const secondTime = unix(Date.parse(first.toISOString()) + 30_000);
      expect(r.requests[1].headers['checkout-signature']).toContain(`t=${secondTime},`);
      expect(verifyWebhook(r.requests[1].body, r.requests[1].headers['checkout-signature'] as string, m.webhook_secret, { now: secondTime }).id).toBe(id);

      const attempts = await v.api('GET', `/v1/events/${id}/attempts`, { key: m.secret_key });
      expect(attempts.body.data.map((a: any) => [a.status_code, a.error])).toEqual([
        [200, null],
        [500, 'http_status'],
      ]);
    });

    it('gives up once the retry window (at least 24 hours) has passed, every attempt recorded', async () => {
      const r = await receiver(() => ({ status: 503 }));
      const m = await merchantWith(r.url);
      const id = await emit(m);
      const created = Date.parse((await eventRow(id)).created_at);

      let now = new Date(created + 1000);
      const gaps: number[] = [];
      for (let i = 0; i < 40; i++) {
        await deliver(now);
        const row = await eventRow(id);
        if (row.delivery === 'failed') break;
        gaps.push(Date.parse(row.next_attempt_at!) - now.getTime());
        now = new Date(row.next_attempt_at!);
      }
      const row = await eventRow(id);
      expect(row.delivery).toBe('failed');
      expect(gaps.slice(0, 4)).toEqual([30_000, 120_000, 600_000, 1_800_000]);
      // Backoff grows, then the last retry lands on the window's end.
      expect(Math.max(...gaps)).toBeLessThanOrEqual(12 * 3600_000);
      expect(now.getTime() - created).toBe(RETRY_WINDOW_MS);
      expect(RETRY_WINDOW_MS).toBeGreaterThanOrEqual(24 * 3600_000);

      const attempts = await v.api('GET', `/v1/events/${id}/attempts?limit=100`, { key: m.secret_key });
      expect(attempts.body.delivery).toMatchObject({ status: 'failed', attempts: row.attempts, next_attempt_at: null });
      expect(attempts.body.data).toHaveLength(row.attempts!);
      expect(r.requests).toHaveLength(row.attempts!);
      expect(attempts.body.data.every((a: any) => a.status_code === 503 && a.error === 'http_status')).toBe(true);

      // Given up: no further pass sends it.
      await deliver(new Date(now.getTime() + 24 * 3600_000));
      expect(r.requests).toHaveLength(row.attempts!);
    });

    it('sends each event once when two passes run at the same time (the lease)', async () => {
      const r = await receiver(() => ({ status: 200, delayMs: 20 }));
      const m = await merchantWith(r.url);
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push(await emit(m, { n: i }));

      const now = new Date(Date.now() + 1000);
      const [a, b] = await Promise.all([deliver(now), deliver(now)]);
      const received = r.requests.map((q) => JSON.parse(q.body).id).sort();
      expect(received).toEqual([...ids].sort());
      expect(a.delivered + b.delivered).toBe(6);
      for (const id of ids) expect((await eventRow(id)).attempts).toBe(1);
    });

    it('records the events of a merchant without a webhook URL as none when they are raised, with no pass', async () => {
      const m = await merchantWith(null);
      const id = await emit(m);
      expect((await eventRow(id)).delivery).toBe('none');
      const attempts = await v.api('GET', `/v1/events/${id}/attempts`, { key: m.secret_key });
      expect(attempts.body).toEqual({ data: [], has_more: false, delivery: { status: 'none', attempts: 0, next_attempt_at: null } });
      // Nothing is left for a pass, and setting a URL later does not send it.
      const r = await receiver();
      await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: r.url } });
      await deliver(new Date(Date.now() + 1000));
      expect(r.requests).toHaveLength(0);
      expect((await eventRow(id)).delivery).toBe('none');
      // An event raised once the URL is set is sent.
      const after = await emit(m);
      expect((await eventRow(after)).delivery).toBeNull();
      await deliver(new Date(Date.now() + 1000));
      expect(r.requests.map((req) => JSON.parse(req.body).id)).toEqual([after]);
    });

    it('marks as none, once, the events of a merchant that removed its webhook URL before they were sent, when two passes run at the same time', async () => {
      const r = await receiver();
      const m = await merchantWith(r.url);
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await emit(m, { n: i }));
      expect((await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: null } })).status).toBe(200);
      const now = new Date(Date.now() + 1000);
      const [a, b] = await Promise.all([deliver(now), deliver(now)]);
      // Every due event is either settled or skipped by each pass (other tests' events may be due too).
      expect(a.none + b.none).toBeGreaterThanOrEqual(ids.length);
      for (const id of ids) expect((await eventRow(id)).delivery).toBe('none');
      expect(r.requests).toHaveLength(0);
      const again = await deliver(new Date(now.getTime() + 1000));
      expect(again.none).toBe(0);
      const attempts = await v.api('POST', `/v1/events/${ids[0]}/redeliver`, { key: m.secret_key });
      expect(attempts.status).toBe(400);
      expect(attempts.body.error).toMatchObject({ code: 'parameter_missing', param: 'webhook_url' });
    });

    it('does not follow a redirect: a 3xx is a failed attempt', async () => {
      const elsewhere = await receiver();
      const r = await receiver(() => ({ status: 302, headers: { location: elsewhere.url } }));
      const m = await merchantWith(r.url);
      const id = await emit(m);
      await deliver();
      expect(r.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
      const row = await eventRow(id);
      expect(row).toMatchObject({ delivery: 'pending', attempts: 1 });
      const attempts = await v.api('GET', `/v1/events/${id}/attempts`, { key: m.secret_key });
      expect(attempts.body.data[0]).toMatchObject({ status_code: 302, error: 'http_status' });
    });

    it('records a refused connection as connection_failed, and no secret in the attempts', async () => {
      const r = await receiver();
      const m = await merchantWith(r.url);
      const id = await emit(m);
      await deliver();
      expect(r.requests).toHaveLength(1);

      await r.close();
      const res = await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status_code: null, error: 'connection_failed', url: r.url, delivery: { status: 'delivered' } });
      const all = await v.api('GET', `/v1/events/${id}/attempts`, { key: m.secret_key });
      expect(all.body.data.map((a: any) => a.error)).toEqual(['connection_failed', null]);
      expect(all.text).not.toContain(m.webhook_secret);
    });

    it('POST /v1/events/:id/redeliver sends the event again now and answers the attempt', async () => {
      const r = await receiver();
      const m = await merchantWith(r.url);
      const id = await emit(m);
      await deliver();
      const res = await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ event: id, status_code: 200, error: null, delivery: { status: 'delivered' } });
      expect(r.requests.map((q) => JSON.parse(q.body).id)).toEqual([id, id]);
    });

    it("answers 404 for another merchant's event", async () => {
      const m = await merchantWith(null);
      const id = await emit(m);
      const res = await v.api('GET', `/v1/events/${id}/attempts`);
      expect(res.status).toBe(404);
      expect((await v.api('POST', `/v1/events/${id}/redeliver`)).status).toBe(404);
    });

    it('runs on its own timer from startWebhookWorker until stopped', async () => {
      const r = await receiver();
      const m = await merchantWith(r.url);
      const id = await emit(m);
      const stop = startWebhookWorker(v.runtime.deps, 10);
      try {
        // Until it arrives, for up to 10 s: 200 waits of 10 ms (about 2 s) were tight for the worker's first
        // pass and send on a busy machine.
        for (const until = Date.now() + 10_000; r.requests.length === 0 && Date.now() < until; ) await new Promise((res) => setTimeout(res, 10));
      } finally {
        await stop();
      }
      expect(r.requests.map((q) => JSON.parse(q.body).id)).toContain(id);
    });
  });

  describe('POST /v1/webhooks/rotate_secret', () => {
    it('returns a new secret once and signs with both secrets while the previous one lives', async () => {
      const r = await receiver();
      const m = await merchantWith(r.url);
      const rotated = await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key });
      expect(rotated.status).toBe(200);
      const secret = rotated.body.webhook_secret as string;
      expect(secret).toMatch(/^whsec_/);
      expect(secret).not.toBe(m.webhook_secret);
      const expires = Date.parse(rotated.body.previous_secret_expires_at);
      expect(expires - Date.now()).toBeGreaterThan(23.9 * 3600_000);
      expect((await v.api('GET', '/v1/merchant', { key: m.secret_key })).text).not.toContain(secret);

      const id = await emit(m);
      await deliver();
      const { headers, body } = r.requests[0];
      const header = headers['checkout-signature'] as string;
      expect(header.match(/v1=/g)).toHaveLength(2);
      expect(verifyWebhook(body, header, m.webhook_secret).id).toBe(id);
      expect(verifyWebhook(body, header, secret).id).toBe(id);

      // Once the previous secret has expired, only the new one signs.
      await emit(m);
      await deliver(new Date(expires + 1000));
      const late = r.requests[1];
      const lateHeader = late.headers['checkout-signature'] as string;
      expect(lateHeader.match(/v1=/g)).toHaveLength(1);
      const at = unix(expires + 1000);
      expect(verifyWebhook(late.body, lateHeader, secret, { now: at }).type).toBe('card.expiring');
      expect(() => verifyWebhook(late.body, lateHeader, m.webhook_secret, { now: at })).toThrow(/No v1 signature matches/);
    });

    it('ends the previous secret at once with expire_previous_in: 0', async () => {
      const r = await receiver();
      const m = await merchantWith(r.url);
      const rotated = await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: { expire_previous_in: 0 } });
      expect(rotated.status).toBe(200);
      await emit(m);
      await deliver(new Date(Date.now() + 1000));
      const header = r.requests[0].headers['checkout-signature'] as string;
      expect(header.match(/v1=/g)).toHaveLength(1);
      expect(() => verifyWebhook(r.requests[0].body, header, rotated.body.webhook_secret)).not.toThrow();
      const bad = await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: { expire_previous_in: -1 } });
      expect(bad.status).toBe(400);
    });
  });

  describe('the events table is the outbox', () => {
    it("writes a declined payment's charge.failed exactly when the failed charge is written", async () => {
      const m = await merchantWith(null);
      for (const number of [CARDS.declined, CARDS.insufficient, CARDS.visa]) {
        const s = await openSession(v, { customer: 'c-outbox' }, m.secret_key);
        await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: false });
      }
      const charges = await v.api('GET', '/v1/charges?customer=c-outbox&limit=100', { key: m.secret_key });
      const failed = charges.body.data
        .filter((c: any) => c.status === 'failed')
        .map((c: any) => c.id)
        .sort();
      expect(failed).toHaveLength(2);
      const events = await v.api('GET', '/v1/events?type=charge.failed&limit=100', { key: m.secret_key });
      expect(events.body.data.map((e: any) => e.data.charge).sort()).toEqual(failed);
    });

    it('leaves no event behind when the change that emitted it is rolled back', async () => {
      const m = await merchantWith(null);
      let id = '';
      await expect(
        v.runtime.deps.db.transaction().execute(async (trx) => {
          id = await emitEvent(trx, { merchantId: m.id, groupId: m.group, type: 'card.deleted', data: { card: 'card_x' }, now: new Date() });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(id).toMatch(/^evt_/);
      expect(await v.runtime.deps.db.selectFrom('events').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    });
  });
});
