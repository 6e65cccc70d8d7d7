import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSchedulerPass } from '../../server/jobs/scheduler.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, SHOP, VAULT, newCard, openSession, startTestVault, type TestVault, LIFTABLE_LIMITS } from '../helpers/test-vault.ts';

let serial = 0;
/** A customer number no other test uses. */
const fresh = (label: string) => `3ds-${label}-${++serial}`;

describeEachDb('3-D Secure in the fields', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    // This file makes more requests than the default limits allow (60 a minute per address, 100 a second).
    await v.api('POST', '/v1/merchant', { body: { frame_limit_per_address: 0, rate_limit: 0 } });
  });
  afterAll(() => v.close());

  /** Starts a payment with the challenge card and returns the session and the challenge it asks for. */
  async function challenged(body: Record<string, unknown> = {}, key?: string, number: string = CARDS.challenge) {
    const s = await openSession(v, { customer: fresh('pay'), ...body }, key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number) });
    if (res.body.status !== 'requires_action') throw new Error(`no challenge: ${res.text}`);
    return { ...s, challenge: res.body.next_action.challenge as string, url: res.body.next_action.url as string };
  }
  const answer = (secret: string, challenge: string, code: string) => v.frame(`/frame/v1/challenges/${challenge}`, secret, { code });
  /** The challenge page as a browser requests it: no API key, the given Origin, a form body. */
  async function page(method: 'GET' | 'POST', challenge: string, options: { origin?: string; form?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.origin) headers.origin = options.origin;
    if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await v.runtime.app.request(`${VAULT}/frame/3ds/${challenge}`, { method, headers, body: options.form }, {
      incoming: { socket: { remoteAddress: '127.0.0.1' } },
    } as any);
    return { status: res.status, text: await res.text(), headers: res.headers };
  }
  const nonceOf = (csp: string) => /script-src[^;]*'nonce-([^']+)'/.exec(csp)?.[1];
  const chargesOf = async (customer: string, key?: string) => (await v.api('GET', `/v1/charges?customer=${customer}&limit=100`, { key })).body.data as any[];

  describe('POST /frame/v1/confirm and POST /frame/v1/challenges/:id', () => {
    it("asks for a challenge on the vault's own page before charging 4000 0000 0000 3220", async () => {
      const customer = fresh('ask');
      const s = await openSession(v, { customer });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'requires_action', session: s.id, next_action: { type: 'three_d_secure' } });
      const { challenge, url } = res.body.next_action;
      expect(challenge).toEqual(expect.any(String));
      expect(url).toBe(`${VAULT}/frame/3ds/${challenge}`);
      expect(res.text).not.toContain(CARDS.challenge);
      expect(await chargesOf(customer)).toEqual([]);
      expect((await v.api('GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ status: 'open', charge: null });
    });

    it('keeps the challenge pending after a wrong code and says how many tries are left', async () => {
      const c = await challenged();
      const first = await answer(c.secret, c.challenge, '000000');
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ challenge: c.challenge, status: 'pending', attempts_left: 2 });
      const second = await answer(c.secret, c.challenge, '654321');
      expect(second.body).toEqual({ challenge: c.challenge, status: 'pending', attempts_left: 1 });
    });

    it('fails the challenge after three wrong codes, and the payment is then refused with authentication_required', async () => {
      const c = await challenged();
      await answer(c.secret, c.challenge, '111111');
      await answer(c.secret, c.challenge, '222222');
      const third = await answer(c.secret, c.challenge, '333333');
      expect(third.body).toMatchObject({ challenge: c.challenge, status: 'failed', attempts_left: 0 });
      const late = await answer(c.secret, c.challenge, '123456');
      expect(late.body.status).toBe('failed');
      const res = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.challenge), challenge: c.challenge });
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'authentication_required' });
      const session = await v.api('GET', `/v1/sessions/${c.id}`);
      expect(session.body).toMatchObject({ status: 'open', charge: null });
    });

    it('passes with the code 123456, and the payment then succeeds', async () => {
      const customer = fresh('pass');
      const c = await challenged({ customer, amount: 4200 });
      const passed = await answer(c.secret, c.challenge, '123456');
      expect(passed.status).toBe(200);
      expect(passed.body).toMatchObject({ challenge: c.challenge, status: 'passed' });
      const res = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.challenge), challenge: c.challenge });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'succeeded', session: c.id, card: { last4: '3220' } });
      expect(res.body.charge).toMatch(/^ch_/);
      expect(await chargesOf(customer)).toMatchObject([{ id: res.body.charge, status: 'succeeded', amount: 4200 }]);
      expect((await v.api('GET', `/v1/sessions/${c.id}`)).body).toMatchObject({ status: 'complete', charge: res.body.charge });
    });

    it('forgets a challenge (and the card fingerprint it holds) once it is a day old', async () => {
      const c = await challenged();
      const held = () => v.runtime.deps.db.selectFrom('challenges').select('id').where('id', '=', c.challenge).execute();
      expect(await held()).toHaveLength(1);
      await runSchedulerPass(v.runtime.deps);
      expect(await held()).toHaveLength(1);
      v.setNow(new Date(Date.now() + 25 * 3600_000));
      try {
        await runSchedulerPass(v.runtime.deps);
      } finally {
        v.setNow(undefined);
      }
      expect(await held()).toEqual([]);
    });

    it('still asks for the challenge when the customer confirms without passing it', async () => {
      const customer = fresh('skip');
      const c = await challenged({ customer });
      const res = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.challenge) });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('requires_action');
      expect(await chargesOf(customer)).toEqual([]);
    });

    it('does not let a challenge passed for one card number authenticate another', async () => {
      const m = await v.newMerchant();
      await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { three_d_secure: 'always', frame_limit_per_address: 0 } });
      const customer = fresh('swap');
      const c = await challenged({ customer }, m.secret_key, CARDS.visa);
      expect((await answer(c.secret, c.challenge, '123456')).body.status).toBe('passed');
      const res = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.mastercard), challenge: c.challenge });
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({ type: 'card_error', code: 'authentication_required' });
      expect(await chargesOf(customer, m.secret_key)).toEqual([]);
      // The card it was passed for still pays.
      const ok = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.visa), challenge: c.challenge });
      expect(ok.status).toBe(200);
      expect(ok.body.status).toBe('succeeded');
    });

    it('challenges every new-card payment, 4242 included, when the merchant sets three_d_secure: always', async () => {
      const m = await v.newMerchant();
      const set = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { three_d_secure: 'always', frame_limit_per_address: 0 } });
      expect(set.body.three_d_secure).toBe('always');
      const customer = fresh('always');
      const s = await openSession(v, { customer }, m.secret_key);
      expect((await v.frame('/frame/v1/session', s.secret)).body.three_d_secure).toBe('always');
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'requires_action', next_action: { type: 'three_d_secure' } });
      expect(await chargesOf(customer, m.secret_key)).toEqual([]);
      const challenge = res.body.next_action.challenge;
      expect((await answer(s.secret, challenge, '123456')).body.status).toBe('passed');
      const paid = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), challenge });
      expect(paid.status).toBe(200);
      expect(paid.body.status).toBe('succeeded');
    });

    it('does not challenge 4242 for a merchant on when_required', async () => {
      const s = await openSession(v, { customer: fresh('when') });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('succeeded');
    });
  });

  describe('GET and POST /frame/3ds/:id', () => {
    it("serves the challenge page only into the vault and the merchant's allowed pages, with a nonce'd script policy", async () => {
      const c = await challenged();
      const res = await page('GET', c.challenge);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain(`frame-ancestors 'self' ${SHOP}`);
      expect(nonceOf(csp)).toMatch(/^[A-Za-z0-9+/_=-]{16,}$/);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.text).toContain('<form');
      expect(res.text).toContain(`/frame/3ds/${c.challenge}`);
      expect(res.text).not.toContain(CARDS.challenge);
    });

    it('gives every answer a new nonce', async () => {
      const c = await challenged();
      const a = nonceOf((await page('GET', c.challenge)).headers.get('content-security-policy') ?? '');
      const b = nonceOf((await page('GET', c.challenge)).headers.get('content-security-policy') ?? '');
      expect(a).toBeDefined();
      expect(a).not.toBe(b);
    });

    it("passes the challenge from the form and tells the fields through a nonce'd script aimed at the vault's origin", async () => {
      const customer = fresh('form');
      const c = await challenged({ customer });
      const res = await page('POST', c.challenge, { origin: VAULT, form: 'code=123456' });
      expect(res.status).toBe(200);
      const nonce = nonceOf(res.headers.get('content-security-policy') ?? '');
      expect(nonce).toBeDefined();
      expect(res.headers.get('content-security-policy')).toContain(`frame-ancestors 'self' ${SHOP}`);
      expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      const script = new RegExp(`<script nonce="${nonce}">([\\s\\S]*?)</script>`).exec(res.text)?.[1];
      expect(script).toBeDefined();
      expect(script).toContain('postMessage');
      expect(script).toContain(c.challenge);
      expect(script).toContain('passed');
      expect(script).toContain(JSON.stringify(VAULT));
      expect(script).not.toContain("'*'");
      expect(script).not.toContain('"*"');
      const paid = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.challenge), challenge: c.challenge });
      expect(paid.status).toBe(200);
      expect(paid.body.status).toBe('succeeded');
    });

    it('answers a wrong code from the form with the tries left and tells the fields nothing yet', async () => {
      const c = await challenged();
      const res = await page('POST', c.challenge, { origin: VAULT, form: 'code=999999' });
      expect(res.status).toBe(200);
      expect(res.text).toContain('2 tries left');
      expect(res.text).not.toContain('<script');
      expect((await answer(c.secret, c.challenge, '000000')).body).toMatchObject({ status: 'pending', attempts_left: 1 });
    });

    it('refuses the form posted from another origin and leaves the challenge unpassed', async () => {
      const c = await challenged();
      for (const origin of [SHOP, 'http://evil.test', undefined]) {
        const res = await page('POST', c.challenge, { origin, form: 'code=123456' });
        expect(res.status, String(origin)).toBe(403);
        expect(res.text).not.toContain('postMessage');
      }
      const pay = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.challenge), challenge: c.challenge });
      expect(pay.status).toBe(402);
      expect(pay.body.error).toMatchObject({ code: 'authentication_required' });
    });

    it('answers 404 for a challenge that does not exist', async () => {
      expect((await page('GET', 'chl_doesnotexist')).status).toBe(404);
      expect((await page('POST', 'chl_doesnotexist', { origin: VAULT, form: 'code=123456' })).status).toBe(404);
    });
  });
});
