import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, SHOP, VAULT, newCard, openSession, saveCardFor, startTestVault, type TestVault, LIFTABLE_LIMITS } from '../helpers/test-vault.ts';

const FRAME_ENDPOINTS = ['/frame/v1/session', '/frame/v1/confirm', '/frame/v1/cards/delete', '/frame/v1/challenges/chl_any'];

describeEachDb("the fields' endpoints accept only the vault's own iframe", (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    // This file makes more fields requests from one address than the default limit allows in a minute.
    await v.api('POST', '/v1/merchant', { body: { frame_limit_per_address: 0 } });
  });
  afterAll(() => v.close());

  /** A request to the fields' endpoints from another client address than the harness's 127.0.0.1. */
  async function fromAddress(address: string, path: string, clientSecret: string) {
    const res = await v.runtime.app.request(
      `${VAULT}${path}`,
      {
        method: 'POST',
        headers: { origin: VAULT, 'checkout-host-origin': SHOP, authorization: `Bearer ${clientSecret}`, 'content-type': 'application/json' },
        body: '{}',
      },
      { incoming: { socket: { remoteAddress: address } } } as any,
    );
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  }

  describe('Origin', () => {
    it('refuses a merchant page, even an allowed one, that posts card data itself', async () => {
      const s = await openSession(v, { customer: 'auth-shop-1' });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) }, { origin: SHOP });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'origin_not_allowed' });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const read = await v.api('GET', `/v1/sessions/${s.id}`);
      expect(read.body).toMatchObject({ status: 'open', charge: null, card: null });
    });

    it('refuses every fields endpoint from a foreign origin, with no CORS header', async () => {
      const s = await openSession(v);
      for (const path of FRAME_ENDPOINTS) {
        for (const origin of [SHOP, 'http://evil.test', 'null']) {
          const res = await v.frame(path, s.secret, { code: '123456', token: 'card_x' }, { origin });
          expect(res.status, `${path} from ${origin}`).toBe(403);
          expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'origin_not_allowed' });
          expect(res.headers.get('access-control-allow-origin'), `${path} from ${origin}`).toBeNull();
        }
      }
    });

    it('refuses a request with no Origin header at all', async () => {
      const s = await openSession(v);
      const res = await v.runtime.app.request(
        `${VAULT}/frame/v1/session`,
        {
          method: 'POST',
          headers: { 'checkout-host-origin': SHOP, authorization: `Bearer ${s.secret}`, 'content-type': 'application/json' },
          body: '{}',
        },
        { incoming: { socket: { remoteAddress: '127.0.0.1' } } } as any,
      );
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error).toMatchObject({ code: 'origin_not_allowed' });
    });

    it('does not allow a merchant page through a CORS preflight', async () => {
      const res = await v.runtime.app.request(
        `${VAULT}/frame/v1/confirm`,
        {
          method: 'OPTIONS',
          headers: {
            origin: SHOP,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type, checkout-host-origin',
          },
        },
        { incoming: { socket: { remoteAddress: '127.0.0.1' } } } as any,
      );
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-headers')).toBeNull();
    });

    it('sends no CORS header on a successful answer either', async () => {
      const s = await openSession(v);
      const res = await v.frame('/frame/v1/session', s.secret);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(s.id);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    });
  });

  describe('Checkout-Host-Origin', () => {
    it("refuses fields embedded in a page that is not on the merchant's allowed list", async () => {
      const s = await openSession(v, { customer: 'auth-host-1' });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) }, { 'checkout-host-origin': 'http://evil.test' });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'origin_not_allowed' });
      expect((await v.api('GET', `/v1/sessions/${s.id}`)).body.status).toBe('open');
    });

    it('refuses a request that names no embedding page', async () => {
      const s = await openSession(v);
      const res = await v.frame('/frame/v1/session', s.secret, {}, { 'checkout-host-origin': '' });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'origin_not_allowed' });
    });

    it('refuses a page allowed for another merchant but not for this one', async () => {
      const other = await v.newMerchant({ origins: ['http://other-shop.test'] });
      const s = await openSession(v, {}, other.secret_key);
      const theirs = await v.frame('/frame/v1/session', s.secret, {}, { 'checkout-host-origin': 'http://other-shop.test' });
      expect(theirs.status).toBe(200);
      const ours = await v.frame('/frame/v1/session', s.secret, {}, { 'checkout-host-origin': SHOP });
      expect(ours.status).toBe(403);
      expect(ours.body.error).toMatchObject({ code: 'origin_not_allowed' });
    });
  });

  describe('client secret', () => {
    it('answers a wrong client secret as a missing session', async () => {
      const s = await openSession(v);
      for (const secret of [`${s.id}_secret_wrongwrongwrong`, 'cs_doesnotexist_secret_abc', s.id, 'garbage']) {
        const res = await v.frame('/frame/v1/session', secret);
        expect(res.status, secret).toBe(404);
        expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
      }
    });

    it('answers a request without a client secret as a missing session', async () => {
      const res = await v.frame('/frame/v1/confirm', '', { card: newCard(CARDS.visa) }, { authorization: '' });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'resource_missing' });
    });

    it('does not let the client secret of one session act on another session', async () => {
      const a = await openSession(v, { customer: 'auth-a' });
      const b = await openSession(v, { customer: 'auth-b', amount: 5000 });
      const suffixOfA = a.secret.slice(a.id.length);
      const forged = `${b.id}${suffixOfA}`;
      const read = await v.frame('/frame/v1/session', forged);
      expect(read.status).toBe(404);
      expect(read.body.error).toMatchObject({ code: 'resource_missing' });
      const pay = await v.frame('/frame/v1/confirm', forged, { card: newCard(CARDS.visa) });
      expect(pay.status).toBe(404);
      expect((await v.api('GET', `/v1/sessions/${b.id}`)).body).toMatchObject({ status: 'open', charge: null });
      // A's own secret reads A, never B.
      const own = await v.frame('/frame/v1/session', a.secret);
      expect(own.body).toMatchObject({ id: a.id, amount: 1999 });
    });

    it("does not let one session answer another session's 3-D Secure challenge", async () => {
      const b = await openSession(v);
      const started = await v.frame('/frame/v1/confirm', b.secret, { card: newCard(CARDS.challenge) });
      expect(started.body.status).toBe('requires_action');
      const a = await openSession(v);
      const res = await v.frame(`/frame/v1/challenges/${started.body.next_action.challenge}`, a.secret, { code: '123456' });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'resource_missing' });
    });

    it("does not let one customer's session delete another customer's card", async () => {
      const token = await saveCardFor(v, 'auth-owner');
      const s = await openSession(v, { customer: 'auth-thief' });
      const res = await v.frame('/frame/v1/cards/delete', s.secret, { token });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'resource_missing' });
      const cards = await v.api('GET', '/v1/customers/auth-owner/cards');
      expect(cards.body.data.map((c: any) => c.token)).toContain(token);
    });
  });

  describe('per-address limit', () => {
    it('answers 429 with Retry-After beyond frame_limit_per_address requests a minute from one address', async () => {
      const m = await v.newMerchant();
      const set = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { frame_limit_per_address: 3 } });
      expect(set.status).toBe(200);
      expect(set.body.frame_limit_per_address).toBe(3);
      const s = await openSession(v, {}, m.secret_key);
      for (let i = 0; i < 3; i++) expect((await v.frame('/frame/v1/session', s.secret)).status).toBe(200);
      const fourth = await v.frame('/frame/v1/session', s.secret);
      expect(fourth.status).toBe(429);
      expect(fourth.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
      const retryAfter = Number(fourth.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    });

    it('limits every fields endpoint together, a payment attempt included', async () => {
      const m = await v.newMerchant();
      await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { frame_limit_per_address: 3 } });
      const s = await openSession(v, {}, m.secret_key);
      await v.frame('/frame/v1/session', s.secret);
      await v.frame('/frame/v1/session', s.secret);
      await v.frame('/frame/v1/session', s.secret);
      const pay = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(pay.status).toBe(429);
      expect(pay.body.error).toMatchObject({ code: 'rate_limited' });
      expect((await v.api('GET', `/v1/sessions/${s.id}`, { key: m.secret_key })).body).toMatchObject({ status: 'open', charge: null });
    });

    it('still serves another client address when one address is limited', async () => {
      const m = await v.newMerchant();
      await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { frame_limit_per_address: 3 } });
      const s = await openSession(v, {}, m.secret_key);
      for (let i = 0; i < 4; i++) await fromAddress('203.0.113.7', '/frame/v1/session', s.secret);
      expect((await fromAddress('203.0.113.7', '/frame/v1/session', s.secret)).status).toBe(429);
      const other = await fromAddress('203.0.113.8', '/frame/v1/session', s.secret);
      expect(other.status).toBe(200);
    });

    it('does not limit the fields of a merchant that set frame_limit_per_address to 0 where the operator lets merchants lift it', async () => {
      const m = await v.newMerchant();
      await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { frame_limit_per_address: 0 } });
      const s = await openSession(v, {}, m.secret_key);
      for (let i = 0; i < 25; i++) expect((await v.frame('/frame/v1/session', s.secret)).status).toBe(200);
    });
  });
});
