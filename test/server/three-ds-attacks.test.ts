// Attacks on 3-D Secure, server side: guessing the simulated issuer's code, moving a passed challenge to
// another session, card or merchant, forging the issuer's return (with a stand-in provider and with the
// real Stripe and Adyen connectors against their local servers), reaching the challenge pages from a page
// the merchant does not allow, and reading a card number or the code out of the answers and the logs.
// Each test is the attack and asserts the safe behaviour: a failing test is a weakness the review found.
import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SessionCreate } from '../../protocol/api.ts';
import { insertChallenge } from '../../server/challenges/challenge-store.ts';
import { createMerchant, findById } from '../../server/merchants/merchant-store.ts';
import type { AuthorizeRequest, AuthorizeResult, Processor } from '../../server/payments/processor.ts';
import { createSession } from '../../server/sessions/session-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startLocalProvider, type LocalProvider } from '../helpers/provider-fixtures.ts';
import { CARDS, LIFTABLE_LIMITS, LIVE_SHOP, SHOP, newCard, newShop, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

/** Live mode needs the vault on https and its key ring from VAULT_KEYS (live-gate.ts). */
const VAULT = 'https://vault.test';
const EVIL = 'http://evil.test';

/** A Luhn-valid number with the given BIN and last four, its middle digits from `seed`: a guess at a saved card. */
function guessWith(bin: string, last4: string, seed: number): string {
  for (let i = seed; ; i++) {
    const n = `${bin}${String(i).padStart(6, '0')}${last4}`;
    let sum = 0;
    for (let k = 0; k < n.length; k++) {
      let d = Number(n[n.length - 1 - k]);
      if (k % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) return n;
  }
}

describeEachDb('3-D Secure attacks', (target) => {
  let v: TestVault;
  let real: Processor;
  let stripe: LocalProvider;
  let adyen: LocalProvider;
  beforeAll(async () => {
    [stripe, adyen] = await Promise.all([startLocalProvider('stripe'), startLocalProvider('adyen')]);
    v = await startTestVault(target, {
      vaultKeys: `k1:${crypto.randomBytes(32).toString('base64')}`,
      publicUrl: VAULT,
      limits: LIFTABLE_LIMITS,
      processorBaseUrls: { stripe: stripe.url, adyen: adyen.url },
    });
    await v.api('POST', '/v1/merchant', { body: { frame_limit_per_address: 0, rate_limit: 0 } });
    real = v.runtime.deps.processor;
  });
  afterAll(async () => {
    await v?.close();
    await Promise.all([stripe?.close(), adyen?.close()]);
  });
  afterEach(() => {
    v.setNow(undefined);
    v.runtime.deps.processor = real;
  });

  let serial = 0;
  const fresh = (label: string) => `3dsx-${label}-${target}-${++serial}`;
  const db = () => v.runtime.deps.db;
  const shop = (settings: Record<string, unknown> = {}, group?: string) => newShop(v, { group, settings: { frame_limit_per_address: 0, ...settings } });

  const answer = (secret: string, challenge: string, code: string, headers?: Record<string, string>) =>
    v.frame(`/frame/v1/challenges/${challenge}`, secret, { code }, headers);
  /** The vault's own challenge page, as a browser requests it: no key, the given Origin, a form body. */
  async function page(method: 'GET' | 'POST', path: string, options: { origin?: string; form?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.origin) headers.origin = options.origin;
    if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await v.runtime.app.request(`${VAULT}${path}`, { method, headers, body: options.form }, {
      incoming: { socket: { remoteAddress: '127.0.0.1' } },
    } as never);
    return { status: res.status, text: await res.text(), headers: res.headers };
  }
  const form = (challenge: string, code: string, origin = VAULT) => page('POST', `/frame/3ds/${challenge}`, { origin, form: `code=${code}` });
  const frameAncestors = (csp: string | null) =>
    /frame-ancestors ([^;]*)/
      .exec(csp ?? '')?.[1]
      ?.trim()
      .split(/\s+/) ?? [];
  const challengeRow = (id: string) => db().selectFrom('challenges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const sessionRow = (id: string) => db().selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const chargesOfSession = (id: string) => db().selectFrom('charges').selectAll().where('session_id', '=', id).execute();

  /** A confirmation that must stop at a challenge: its id. */
  async function challengeOf(secret: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<string> {
    const res = await v.frame('/frame/v1/confirm', secret, body, headers);
    if (res.body.status !== 'requires_action') throw new Error(`no challenge: ${res.status} ${res.text}`);
    return res.body.next_action.challenge as string;
  }
  /** A session of the test merchant whose challenge (for `number`) is opened, and optionally passed. */
  async function challenged(options: { customer?: string; amount?: number; pass?: boolean; key?: string; number?: string } = {}) {
    const s = await openSession(v, { customer: options.customer ?? fresh('c'), amount: options.amount ?? 1999 }, options.key);
    const challenge = await challengeOf(s.secret, { card: newCard(options.number ?? CARDS.challenge) });
    if (options.pass) expect((await answer(s.secret, challenge, '123456')).body.status).toBe('passed');
    return { ...s, challenge };
  }

  describe("guessing the simulated issuer's code", () => {
    it("takes three tries, no more, when twenty wrong codes race through the fields and the vault's form, and the right code after them fails", async () => {
      const c = await challenged();
      const guesses = Array.from({ length: 20 }, (_, i) => String(200000 + i));
      const answers = await Promise.all(
        guesses.map((g, i) => (i % 2 ? answer(c.secret, c.challenge, g).then((r) => r.text) : form(c.challenge, g).then((r) => r.text))),
      );
      expect(answers.filter((t) => /"status":"pending"|tries left/.test(t)).length).toBeLessThanOrEqual(2);
      expect(await challengeRow(c.challenge)).toMatchObject({ status: 'failed', attempts: 3 });
      expect((await answer(c.secret, c.challenge, '123456')).body).toMatchObject({ status: 'failed', attempts_left: 0 });
      expect((await form(c.challenge, '123456')).text).not.toContain('"passed"');
      // One failure for the challenge asked, one for the challenge failed: not one per racing guess.
      expect((await sessionRow(c.id)).failed_attempts).toBe(2);
      const pay = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.challenge), challenge: c.challenge });
      expect(pay.status).toBe(402);
      expect(pay.body.error.code).toBe('authentication_required');
    });

    it('counts each challenge opened again for the same card: the fifth closes the session, and no sixth is opened', async () => {
      const s = await openSession(v, { customer: fresh('reopen') });
      for (let i = 0; i < 5; i++) await challengeOf(s.secret, { card: newCard(CARDS.challenge) });
      const sixth = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge) });
      expect(sixth.status).toBe(429);
      expect(sixth.body.error.code).toBe('rate_limited');
      expect(await db().selectFrom('challenges').select('id').where('session_id', '=', s.id).execute()).toHaveLength(5);
    });

    it('takes no more guesses at the challenges of a session that five failures have closed', async () => {
      // Five confirmations open five challenges and close the session (each challenge counts as a failure).
      const s = await openSession(v, { customer: fresh('closed') });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await challengeOf(s.secret, { card: newCard(CARDS.challenge) }));
      expect((await v.frame('/frame/v1/session', s.secret)).status).toBe(429);
      // The README: a session closed by failures answers its client secret with 429, and "three 3-D Secure guesses" at most.
      const guess = await answer(s.secret, ids[0], '000001');
      const viaForm = await form(ids[1], '000001');
      expect(guess.status, guess.text).toBe(429);
      expect(viaForm.text).not.toContain('tries left');
      expect((await challengeRow(ids[0])).attempts).toBe(0);
      expect((await challengeRow(ids[1])).attempts).toBe(0);
    });

    it('takes no guess at a challenge of a session that is complete or has expired, and tells nothing about it', async () => {
      const s = await openSession(v, { customer: fresh('done') });
      const left = await challengeOf(s.secret, { card: newCard(CARDS.challenge) });
      const used = await challengeOf(s.secret, { card: newCard(CARDS.challenge) });
      expect((await answer(s.secret, used, '123456')).body.status).toBe('passed');
      expect((await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge), challenge: used })).body.status).toBe('succeeded');
      const afterComplete = await answer(s.secret, left, '123456');
      expect(afterComplete.status, afterComplete.text).toBe(410);
      expect(afterComplete.body.error.code).toBe('session_expired');

      const e = await openSession(v, { customer: fresh('expired'), expires_in: 60 });
      const pending = await challengeOf(e.secret, { card: newCard(CARDS.challenge) });
      v.setNow(new Date(Date.now() + 61_000));
      const afterExpiry = await answer(e.secret, pending, '123456');
      expect(afterExpiry.status, afterExpiry.text).toBe(410);
      expect((await challengeRow(pending)).status).toBe('pending');
    });
  });

  describe('moving a passed challenge', () => {
    it('authenticates nothing in another session of the same customer, card, amount and merchant, before or after the payment it allowed', async () => {
      const customer = fresh('move');
      const a = await challenged({ customer, pass: true });
      const b = await openSession(v, { customer, amount: 1999 });
      const borrowed = await v.frame('/frame/v1/confirm', b.secret, { card: newCard(CARDS.challenge), challenge: a.challenge });
      expect(borrowed.status).toBe(402);
      expect(borrowed.body.error.code).toBe('authentication_required');
      expect((await answer(b.secret, a.challenge, '123456')).status).toBe(404);
      // The session it was passed in pays with it; afterwards it is spent everywhere.
      const paid = await v.frame('/frame/v1/confirm', a.secret, { card: newCard(CARDS.challenge), challenge: a.challenge, save: true });
      expect(paid.body.status, paid.text).toBe('succeeded');
      const c = await openSession(v, { customer, amount: 1999 });
      for (const body of [
        { card: newCard(CARDS.challenge), challenge: a.challenge },
        { saved_card: { token: paid.body.card.token, cvc: '123' }, challenge: a.challenge },
      ]) {
        const replay = await v.frame('/frame/v1/confirm', c.secret, body);
        expect(replay.status, replay.text).toBe(402);
        expect(replay.body.error.code).toBe('authentication_required');
      }
      const replayed = await v.frame('/frame/v1/confirm', a.secret, { card: newCard(CARDS.challenge), challenge: a.challenge });
      expect(replayed.status).toBe(410);
      expect(await chargesOfSession(b.id)).toEqual([]);
      expect(await chargesOfSession(c.id)).toEqual([]);
      expect((await challengeRow(a.challenge)).status).toBe('used');
    });

    it("authenticates nothing at another merchant, a sister shop included, and another merchant's secret cannot answer it", async () => {
      const customer = fresh('sister');
      const a = await challenged({ customer, pass: true });
      const sister = await shop({ three_d_secure: 'always' }, v.merchant.group);
      const stranger = await shop({ three_d_secure: 'always' });
      for (const other of [sister, stranger]) {
        const s = await openSession(v, { customer, amount: 1999 }, other.secret_key);
        const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge), challenge: a.challenge });
        expect(res.status, res.text).toBe(402);
        expect(res.body.error.code).toBe('authentication_required');
        expect((await answer(s.secret, a.challenge, '123456')).status).toBe(404);
        expect(await chargesOfSession(s.id)).toEqual([]);
      }
    });

    it("does not tell a sister shop whether a number it typed is a customer's saved card (a passed challenge named with the saved card)", async () => {
      // The customer saved a card at shop A; sister shop B (3-D Secure "always", so any typed number is
      // challenged, and the simulated code is known) sees the card's brand, BIN and last four, never its number.
      const customer = fresh('oracle');
      const token = await saveCardFor(v, customer, CARDS.visa);
      const b = await shop({ three_d_secure: 'always' }, v.merchant.group);
      const probe = async (guess: string) => {
        const s = await openSession(v, { customer, amount: 1500 }, b.secret_key);
        const challenge = await challengeOf(s.secret, { card: newCard(guess) });
        expect((await answer(s.secret, challenge, '123456')).body.status).toBe('passed');
        const res = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' }, challenge });
        return { status: res.status, code: res.body.error?.code ?? res.body.status, failures: (await sessionRow(s.id)).failed_attempts };
      };
      const wrong = await probe(guessWith('424242', '4242', 1));
      const right = await probe(CARDS.visa);
      // Safe: the answer is the same whether or not the typed number is the saved card's.
      expect(right).toEqual(wrong);
    });

    it("authenticates nothing with a provider's redirect challenge, even one passed for this session and card: only an answered code does", async () => {
      // A provider's 3-D Secure (a redirect) is passed for the payment it paused, which it then finishes;
      // named again in a new confirmation it must not stand in for the code the simulated issuer asks.
      const s = await openSession(v, { customer: fresh('redirect-kind'), amount: 1999 });
      const id = `chl_${crypto.randomBytes(9).toString('hex')}`;
      await insertChallenge(db(), {
        id,
        session_id: s.id,
        fingerprint: v.runtime.deps.fingerprints.of(v.merchant.group, CARDS.challenge),
        created_at: new Date().toISOString(),
        kind: 'redirect',
        processor_ref: `${s.id}:x`,
        processor_id: 'psp_x',
        action: JSON.stringify({ url: 'https://issuer.test/acs', method: 'POST', data: { creq: 'x' } }),
      });
      await db().updateTable('challenges').set({ status: 'passed' }).where('id', '=', id).execute();
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge), challenge: id });
      expect(res.status, res.text).toBe(402);
      expect(res.body.error.code).toBe('authentication_required');
      expect(await chargesOfSession(s.id)).toEqual([]);
    });
  });

  /**
   * A provider whose 3-D Secure sends the checkout's payments to the issuer's page (as Stripe and Adyen
   * do), over the simulated ledger: `issuer` decides what the provider answers when the customer is back.
   * Like the real connectors, it takes the payment by the vault's reference and its own id, never by what
   * the return address says.
   */
  function redirectingProvider() {
    const state = {
      issuer: 'approve' as 'approve' | 'decline' | 'unfinished',
      paused: new Map<string, AuthorizeRequest>(),
      completions: [] as { reference: string; processor_id: string; params: Record<string, string> }[],
      /** Called with the challenge's return address while the provider is still answering the confirmation. */
      duringAuthorize: undefined as undefined | ((returnUrl: string) => Promise<void>),
      /** Called when the vault asks the provider to end a payment, before the provider answers. */
      beforeCancel: undefined as undefined | (() => Promise<void>),
    };
    v.runtime.deps.processor = {
      ...real,
      type: real.type,
      authorize: async (req: AuthorizeRequest): Promise<AuthorizeResult> => {
        if (req.initiator === 'customer' && !state.paused.has(req.reference)) {
          state.paused.set(req.reference, req);
          if (state.duringAuthorize) await state.duringAuthorize(req.return_url!);
          return { outcome: 'redirect', processor_id: `pi_${req.reference}`, action: { url: 'https://issuer.test/acs', method: 'POST', data: { creq: 'x' } } };
        }
        return real.authorize(req);
      },
      completeRedirect: async (request) => {
        state.completions.push(request);
        const paused = state.paused.get(request.reference);
        if (!paused || request.processor_id !== `pi_${request.reference}`) return { outcome: 'error', message: 'unknown payment' };
        if (state.issuer === 'unfinished') return { outcome: 'error', message: 'The issuer has not finished authenticating the payment.' };
        if (state.issuer === 'decline') return real.authorize({ ...paused, card: { ...paused.card, number: CARDS.declined } });
        return real.authorize({ ...paused, authenticated: true });
      },
      lookup: (ref: string) => real.lookup(ref),
      cancel: async (ref: string) => {
        await state.beforeCancel?.();
        return real.cancel(ref);
      },
    } as Processor;
    return state;
  }
  const issuerReturn = (challenge: string, options: { query?: string; form?: string } = {}) =>
    page(options.form === undefined ? 'GET' : 'POST', `/frame/3ds/${challenge}/return${options.query ?? ''}`, { form: options.form });
  const approvalsFor = async (sessionId: string) =>
    (await db().selectFrom('simulated_operations').selectAll().where('reference', 'like', `${sessionId}:%`).execute()).filter(
      (r) => JSON.parse(r.result).outcome === 'approved',
    );
  /** A payment paused at the issuer's page. */
  async function paused(customer = fresh('away')) {
    const s = await openSession(v, { customer, amount: 2100 });
    const challenge = await challengeOf(s.secret, { card: newCard(CARDS.visa), save: true });
    return { ...s, challenge };
  }

  describe("forging the return from a provider's issuer page", () => {
    it("does not believe a return that says it succeeded, nor one naming another checkout's payment: only the provider's answer counts", async () => {
      const provider = redirectingProvider();
      const other = await paused();
      const s = await paused();
      const otherRef = (await challengeRow(other.challenge)).processor_id!;
      provider.issuer = 'unfinished';
      const forged = [
        await issuerReturn(s.challenge, { query: `?redirect_status=succeeded&payment_intent=${otherRef}&status=approved&outcome=approved&result=passed` }),
        await issuerReturn(s.challenge, { form: `PaRes=forged&transStatus=Y&redirectResult=x&processor_id=${otherRef}&reference=${other.id}:x` }),
      ];
      for (const res of forged) {
        expect(res.status).toBe(200);
        expect(res.text).toContain('"failed"');
        expect(res.text).not.toContain('"passed"');
      }
      // The provider was asked about this checkout's own payment, whatever the address said.
      const row = await challengeRow(s.challenge);
      for (const call of provider.completions) expect(call).toMatchObject({ reference: row.processor_ref, processor_id: row.processor_id });
      expect(row).toMatchObject({ status: 'pending', result: null });
      expect((await sessionRow(s.id)).status).toBe('processing');
      const resumed = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), challenge: s.challenge });
      expect(resumed.status, resumed.text).toBe(402);
      expect(resumed.body.error.code).toBe('authentication_required');
      expect(await approvalsFor(s.id)).toEqual([]);
      expect(await chargesOfSession(s.id)).toEqual([]);
      expect((await sessionRow(other.id)).status).toBe('processing');
    });

    it('answers 404 for a made-up challenge or a code challenge, and asks the provider nothing', async () => {
      const code = await challenged();
      const provider = redirectingProvider();
      for (const id of ['chl_madeup', code.challenge, `${code.challenge}x`]) {
        const get = await issuerReturn(id, { query: '?redirect_status=succeeded' });
        expect(get.status, `${id} ${get.text}`).toBe(404);
        const post = await issuerReturn(id, { form: 'PaRes=x' });
        expect(post.status, `${id} ${post.text}`).toBe(404);
      }
      expect(provider.completions).toEqual([]);
    });

    it('asks the provider nothing more for a return replayed after the payment completed, whatever it carries', async () => {
      const provider = redirectingProvider();
      const s = await paused();
      expect((await issuerReturn(s.challenge)).text).toContain('"passed"');
      const paid = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), challenge: s.challenge, save: true });
      expect(paid.body.status, paid.text).toBe('succeeded');
      const asked = provider.completions.length;
      provider.issuer = 'decline';
      for (const replay of [{}, { query: '?redirect_status=failed' }, { form: 'PaRes=other' }]) {
        expect((await issuerReturn(s.challenge, replay)).text).toContain('"passed"');
      }
      expect(provider.completions).toHaveLength(asked);
      expect(await approvalsFor(s.id)).toHaveLength(1);
      expect(await chargesOfSession(s.id)).toHaveLength(1);
      expect((await challengeRow(s.challenge)).status).toBe('used');
      const again = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), challenge: s.challenge });
      expect(again.status).toBe(410);
    });

    it('keeps a declined return declined: a second return cannot flip it, and the challenge then authenticates no payment', async () => {
      const provider = redirectingProvider();
      const s = await paused();
      provider.issuer = 'decline';
      expect((await issuerReturn(s.challenge)).text).toContain('"failed"');
      provider.issuer = 'approve';
      expect((await issuerReturn(s.challenge, { query: '?redirect_status=succeeded' })).text).toContain('"failed"');
      expect(provider.completions).toHaveLength(1);
      // The decline reopened the session; naming the failed challenge again authenticates nothing.
      const retry = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), challenge: s.challenge });
      expect(retry.status, retry.text).toBe(402);
      expect(await approvalsFor(s.id)).toEqual([]);
      expect((await chargesOfSession(s.id)).map((c) => c.status)).toEqual(['failed']);
    });

    it('takes one payment when the return arrives while the confirmation is still at the provider, or races the fields resuming it', async () => {
      for (const when of ['before the challenge is stored', 'racing the resume'] as const) {
        for (const issuer of when === 'racing the resume' ? (['approve'] as const) : (['approve', 'decline'] as const)) {
          const provider = redirectingProvider();
          provider.issuer = issuer;
          const early: number[] = [];
          if (when === 'before the challenge is stored')
            provider.duringAuthorize = async (url) => {
              early.push((await issuerReturn(new URL(url).pathname.split('/')[3])).status);
            };
          const s = await paused();
          const [back, resumed] = await Promise.all([
            issuerReturn(s.challenge),
            v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), challenge: s.challenge }),
          ]);
          expect(
            back.status,
            `${when} ${issuer}: ${back.text} ${v.logs
              .filter((l) => l.includes('"level":50'))
              .slice(-3)
              .join('\n')}`,
          ).toBe(200);
          if (when === 'before the challenge is stored') expect(early).toEqual([404]);
          // Whichever came first: what the provider approved is recorded once, and nothing else is.
          const approved = await approvalsFor(s.id);
          const charges = (await chargesOfSession(s.id)).filter((c) => c.status === 'succeeded');
          expect(approved.length, `${when} ${issuer}: ${resumed.text}`).toBeLessThanOrEqual(1);
          expect(charges).toHaveLength(approved.length);
          if (issuer === 'decline') expect(approved).toEqual([]);
          if (approved.length === 0) expect((await sessionRow(s.id)).status).not.toBe('complete');
        }
      }
    });

    it("answers a decline as a decline when the issuer's return records it while the fields' resume is asking the provider", async () => {
      // The customer is back: the fields resume the payment (no answer kept yet, so the vault ends it at
      // the provider) while the issuer's return page, loaded at the same moment, records the bank's decline.
      const provider = redirectingProvider();
      provider.issuer = 'decline';
      const s = await paused();
      let back: Awaited<ReturnType<typeof issuerReturn>> | undefined;
      provider.beforeCancel = async () => {
        provider.beforeCancel = undefined;
        back = await issuerReturn(s.challenge);
      };
      const resumed = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), challenge: s.challenge });
      expect(back?.text).toContain('"failed"');
      expect(resumed.status, resumed.text).toBe(402);
      expect((await chargesOfSession(s.id)).map((c) => c.status)).toEqual(['failed']);
      expect((await sessionRow(s.id)).status).toBe('open');
    });
  });

  describe('forging the return through the real connectors', () => {
    it("Stripe: a return naming another checkout's intent, with redirect_status=succeeded, finishes nothing, and both customers still pay once", async () => {
      const m = await shop({ processor: stripe.settings });
      const paidBefore = stripe.paid();
      const start = async () => {
        const s = await openSession(v, { customer: fresh('stripe'), amount: 3100 }, m.secret_key);
        const challenge = await challengeOf(s.secret, { card: newCard(CARDS.challenge) });
        return { ...s, challenge, action: JSON.parse((await challengeRow(challenge)).action!) as { url: string } };
      };
      const victim = await start();
      const attacker = await start();
      const attackerBack = await stripe.passIssuerPage(attacker.action.url, 'complete');
      const forged = await issuerReturn(victim.challenge, { query: `${attackerBack.search}&redirect_status=succeeded` });
      expect(forged.text).not.toContain('"passed"');
      expect((await challengeRow(victim.challenge)).status).toBe('pending');
      expect(stripe.paid()).toBe(paidBefore + 1);

      for (const who of [attacker, victim]) {
        const back = who === attacker ? attackerBack : await stripe.passIssuerPage(who.action.url, 'complete');
        expect((await issuerReturn(who.challenge, { query: back.search })).text).toContain('"passed"');
        const done = await v.frame('/frame/v1/confirm', who.secret, { card: newCard(CARDS.challenge), challenge: who.challenge }, {});
        expect(done.body.status, done.text).toBe('succeeded');
        expect(await chargesOfSession(who.id)).toHaveLength(1);
      }
      expect(stripe.paid()).toBe(paidBefore + 2);
    });

    it("Adyen: a made-up redirectResult, or another checkout's, neither finishes this payment nor stops the customer's own return", async () => {
      const m = await shop({ processor: adyen.settings });
      const start = async () => {
        const s = await openSession(v, { customer: fresh('adyen'), amount: 3100 }, m.secret_key);
        const challenge = await challengeOf(s.secret, { card: newCard(CARDS.challenge) });
        return { ...s, challenge, action: JSON.parse((await challengeRow(challenge)).action!) as { url: string } };
      };
      const victim = await start();
      const attacker = await start();
      // The attacker pays at the same shop and keeps the redirectResult the issuer gave its own checkout.
      const attackerBack = await adyen.passIssuerPage(attacker.action.url, 'complete');
      for (const query of ['?redirectResult=madeup', attackerBack.search]) {
        const forged = await issuerReturn(victim.challenge, { query });
        expect(forged.text, query).not.toContain('"passed"');
        expect((await challengeRow(victim.challenge)).status).toBe('pending');
      }
      // The victim finishes at the issuer, and comes back.
      const victimBack = await adyen.passIssuerPage(victim.action.url, 'complete');
      const back = await issuerReturn(victim.challenge, { query: victimBack.search });
      expect(back.text).toContain('"passed"');
      const done = await v.frame('/frame/v1/confirm', victim.secret, { card: newCard(CARDS.challenge), challenge: victim.challenge });
      expect(done.body.status, done.text).toBe('succeeded');
      expect(await chargesOfSession(victim.id)).toHaveLength(1);
    });
  });

  describe('reaching the challenge from a page the merchant does not allow', () => {
    it("answers the fields' challenge endpoint only from the vault's origin, for an allowed embedding page of this merchant", async () => {
      const c = await challenged();
      const other = await v.newMerchant({ origins: ['http://other-shop.test'] });
      expect(other.id).toBeDefined();
      const attempts: Record<string, string>[] = [
        { origin: SHOP },
        { origin: EVIL },
        { origin: '' },
        { 'checkout-host-origin': EVIL },
        { 'checkout-host-origin': 'http://other-shop.test' },
      ];
      for (const headers of attempts) {
        const res = await answer(c.secret, c.challenge, '123456', headers);
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect(res.body.error.code).toBe('origin_not_allowed');
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
      }
      for (const origin of [SHOP, EVIL, 'null']) expect((await form(c.challenge, '123456', origin)).status).toBe(403);
      expect(await challengeRow(c.challenge)).toMatchObject({ status: 'pending', attempts: 0 });
      const framed = await page('GET', `/frame/3ds/${c.challenge}`);
      expect(frameAncestors(framed.headers.get('content-security-policy'))).toEqual(["'self'", SHOP]);
    });

    it("names no http page for a live merchant whose stored list still holds one, and its fields refuse that page's requests", async () => {
      const live = await createMerchant(v.runtime.deps, { name: 'Live shop', origins: [LIVE_SHOP], live: true });
      await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { rate_limit: 0, frame_limit_per_address: 0 } });
      expect((await v.api('POST', '/v1/merchant', { key: live.secret_key, body: { allowed_origins: [LIVE_SHOP, SHOP] } })).status).toBe(400);
      // As a list written before the rule left it.
      await db()
        .updateTable('merchants')
        .set({ allowed_origins: JSON.stringify([SHOP, LIVE_SHOP]) })
        .where('id', '=', live.id)
        .execute();
      v.runtime.deps.merchants.invalidate();
      const session = await createSession(db(), (await findById(db(), live.id))!, SessionCreate.parse({ amount: 1999, currency: 'USD' }), new Date());
      const id = `chl_${crypto.randomBytes(9).toString('hex')}`;
      await insertChallenge(db(), {
        id,
        session_id: session.id,
        fingerprint: crypto.randomBytes(16).toString('hex'),
        created_at: new Date().toISOString(),
        kind: 'redirect',
        processor_ref: `${session.id}:x`,
        processor_id: 'psp_x',
        action: JSON.stringify({ url: 'https://issuer.test/acs', method: 'POST', data: { creq: 'x' } }),
      });
      // The return page of an answer already kept (this live shop has no real processor to ask).
      const kept = JSON.stringify({ outcome: 'declined', processor_id: 'psp_x', code: 'card_declined', message: 'no' });
      await db().updateTable('challenges').set({ result: kept }).where('id', '=', id).execute();
      for (const path of [`/frame/3ds/${id}`, `/frame/3ds/${id}/return`]) {
        const res = await page('GET', path);
        expect(frameAncestors(res.headers.get('content-security-policy')), path).toEqual(["'self'", LIVE_SHOP]);
      }
      const secret = session.client_secret!;
      expect((await answer(secret, id, '123456')).status).toBe(403);
      expect((await answer(secret, id, '123456', { 'checkout-host-origin': 'http://shop.test' })).status).toBe(403);
      const allowed = await answer(secret, id, '123456', { 'checkout-host-origin': LIVE_SHOP });
      expect(allowed.status, allowed.text).toBe(200);
      expect(allowed.body).toMatchObject({ challenge: id, attempts_left: 0 });
    });
  });

  describe('what the 3-D Secure flow tells', () => {
    it('holds no card number, nor more of it than the masked card, in any answer, page or log line, and no typed code in the logs', async () => {
      const number = CARDS.challenge;
      const texts: string[] = [];
      const logsBefore = v.logs.length;
      const s = await openSession(v, { customer: fresh('leak') });
      const asked = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true });
      texts.push(asked.text);
      const challenge = asked.body.next_action.challenge as string;
      texts.push((await answer(s.secret, challenge, '987654')).text);
      texts.push((await page('GET', `/frame/3ds/${challenge}`)).text);
      texts.push((await form(challenge, '876543')).text);
      texts.push((await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), challenge })).text);
      texts.push((await answer(s.secret, challenge, '123456')).text);
      const paid = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), challenge, save: true });
      texts.push(paid.text);
      expect(paid.body.status).toBe('succeeded');
      texts.push((await answer(s.secret, challenge, '123456')).text);
      texts.push((await page('GET', `/frame/3ds/${challenge}`)).text);
      const middle = number.slice(6, 12);
      for (const text of texts) {
        expect(text).not.toContain(number);
        expect(text.replace(/\d{4}(?=\D|$)/g, '')).not.toContain(`${number.slice(0, 6)}${middle}`);
      }
      const logs = v.logs.slice(logsBefore).join('\n');
      expect(logs).not.toContain(number);
      expect(logs).not.toContain(number.slice(0, 12));
      for (const code of ['987654', '876543', '123456']) expect(logs).not.toContain(code);
    });

    it('answers the same challenge the same way whether or not the typed number is one of the customer’s saved cards', async () => {
      const m = await shop({ three_d_secure: 'always' });
      const savedFor = fresh('has-card');
      const s0 = await openSession(v, { customer: savedFor }, m.secret_key);
      const c0 = await challengeOf(s0.secret, { card: newCard(CARDS.mastercard), save: true });
      expect((await answer(s0.secret, c0, '123456')).body.status).toBe('passed');
      expect((await v.frame('/frame/v1/confirm', s0.secret, { card: newCard(CARDS.mastercard), challenge: c0, save: true })).body.saved).toBe(true);
      const shape = async (customer: string) => {
        const s = await openSession(v, { customer }, m.secret_key);
        const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.mastercard) });
        const challenge = res.body.next_action.challenge as string;
        const wrong = await answer(s.secret, challenge, '000000');
        const pageText = (await page('GET', `/frame/3ds/${challenge}`)).text.replaceAll(challenge, 'ID').replace(/nonce="[^"]+"/g, '');
        return {
          status: res.status,
          keys: Object.keys(res.body).sort(),
          next: Object.keys(res.body.next_action).sort(),
          wrong: { ...wrong.body, challenge: 'ID' },
          page: pageText,
        };
      };
      expect(await shape(savedFor)).toEqual(await shape(fresh('no-card')));
    });
  });
});
