// Live mode: sk_live_/pk_live_ keys, test and live data kept apart (tried as an attacker holding the
// other mode's key would), the live gate on a vault that cannot carry real cards, and the processor
// account in the merchant's settings (sealed, bound to the merchant, never shown or logged again).
// No provider is called: setting a processor account only stores it.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionCreate } from '../../protocol/api.ts';
import { createMerchant, findById, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { openProcessorSettings, type StoredProcessor } from '../../server/merchants/processor-account.ts';
import { recordCharge } from '../../server/charges/charge-store.ts';
import { createSession } from '../../server/sessions/session-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { dataDirBytes, everyRow, runCli, runNpmScript } from '../helpers/storage-scan.ts';
import { CARDS, newCard, openSession, LIVE_SHOP, SHOP, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const HTTPS = 'https://vault.test';
const NEXT_YEAR = new Date().getUTCFullYear() + 1;
const newVaultKeys = () => `k1:${crypto.randomBytes(32).toString('base64')}`;
/** A Stripe live key as the Stripe dashboard shows it (never sent anywhere: no call to Stripe is made). */
const stripeLiveKey = () => `sk_live_51Q${crypto.randomBytes(24).toString('hex')}`;

/** `npm run merchant -- …` against this vault's storage: its exit code and everything it printed. */
const merchantCli = (v: TestVault, args: string[]) => runCli(v, 'server/cli/merchant.ts', args);

describeEachDb('live mode', (target) => {
  describe('on a vault ready for real cards (https, VAULT_KEYS)', () => {
    let v: TestVault;
    let test: CreatedMerchant;
    let live: CreatedMerchant;
    const asTest = (method: string, p: string, body?: unknown) => v.api(method, p, { key: test.secret_key, body });
    const asLive = (method: string, p: string, body?: unknown) => v.api(method, p, { key: live.secret_key, body });

    beforeAll(async () => {
      v = await startTestVault(target, { vaultKeys: newVaultKeys(), publicUrl: HTTPS });
      test = v.merchant;
      live = await createMerchant(v.runtime.deps, { name: 'Live shop', origins: [LIVE_SHOP], live: true });
      for (const key of [test.secret_key, live.secret_key]) expect((await v.api('POST', '/v1/merchant', { key, body: { rate_limit: 0 } })).status).toBe(200);
    });
    afterAll(() => v.close());

    it('gives a live merchant sk_live_/pk_live_ keys, shown as livemode, with no processor until one is set', async () => {
      expect(live.secret_key).toMatch(/^sk_live_/);
      expect(live.publishable_key).toMatch(/^pk_live_/);
      expect(test.secret_key).toMatch(/^sk_test_/);
      const me = await asLive('GET', '/v1/merchant');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: live.id, publishable_key: live.publishable_key, livemode: true, processor: null });
      expect((await asTest('GET', '/v1/merchant')).body).toMatchObject({ livemode: false, processor: { type: 'simulated', configured: true } });
    });

    it('lets a live merchant without a real processor open no session (403 live_mode_unavailable), nor choose the simulated one', async () => {
      const m = await createMerchant(v.runtime.deps, { name: 'Live, no processor', origins: [LIVE_SHOP], live: true });
      const session = await v.api('POST', '/v1/sessions', { key: m.secret_key, body: { amount: 1999, currency: 'USD' } });
      expect(session.status).toBe(403);
      expect(session.body.error).toMatchObject({ type: 'permission_error', code: 'live_mode_unavailable' });
      expect(session.body.error.message).toMatch(/real processor/);
      expect(await v.runtime.deps.db.selectFrom('sessions').select('id').where('merchant_id', '=', m.id).execute()).toEqual([]);

      const simulated = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { processor: { type: 'simulated' } } });
      expect(simulated.status).toBe(400);
      expect(simulated.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'processor.type' });
      expect((await v.api('GET', '/v1/merchant', { key: m.secret_key })).body.processor).toBeNull();
      // A test-mode merchant may go back to the simulated processor.
      expect((await asTest('POST', '/v1/merchant', { processor: { type: 'simulated' } })).status).toBe(200);
    });

    it(
      'keeps processor credentials sealed and bound to the merchant: ' + 'shown as type and last four, never in a response, a log line or the database',
      async () => {
        const secretKey = stripeLiveKey();
        const webhookSecret = `whsec_${crypto.randomBytes(24).toString('hex')}`;
        const set = await asLive('POST', '/v1/merchant', { processor: { type: 'stripe', secret_key: secretKey, webhook_secret: webhookSecret } });
        expect(set.status).toBe(200);
        expect(set.body.processor).toEqual({ type: 'stripe', configured: true, key_last4: secretKey.slice(-4) });
        const read = await asLive('GET', '/v1/merchant');
        expect(read.body.processor).toEqual({ type: 'stripe', configured: true, key_last4: secretKey.slice(-4) });

        const secrets = [secretKey, webhookSecret];
        for (const s of secrets) {
          expect(set.text).not.toContain(s);
          expect(read.text).not.toContain(s);
          expect(v.logs.join('\n')).not.toContain(s);
          expect(await everyRow(v, target, 'merchants')).not.toContain(s);
          if (target === 'sqlite') expect(dataDirBytes(v.dataDir).includes(Buffer.from(s))).toBe(false);
        }

        // The vault itself opens them for this merchant; under any other merchant's id they do not open.
        const row = await v.runtime.deps.db.selectFrom('merchants').select('processor').where('id', '=', live.id).executeTakeFirstOrThrow();
        const stored = JSON.parse(row.processor!) as StoredProcessor;
        expect(openProcessorSettings(v.runtime.deps.ring, live.id, stored)).toEqual({ type: 'stripe', secret_key: secretKey, webhook_secret: webhookSecret });
        expect(() => openProcessorSettings(v.runtime.deps.ring, test.id, stored)).toThrow();
      },
    );

    it('refuses credentials of the other mode: live Stripe or Adyen ones on a test merchant, test ones on a live merchant', async () => {
      const cases: [string, Record<string, unknown>, string][] = [
        [test.secret_key, { type: 'stripe', secret_key: stripeLiveKey() }, 'processor.secret_key'],
        [test.secret_key, { type: 'stripe', secret_key: `rk_live_${crypto.randomBytes(16).toString('hex')}` }, 'processor.secret_key'],
        [live.secret_key, { type: 'stripe', secret_key: `sk_test_${crypto.randomBytes(16).toString('hex')}` }, 'processor.secret_key'],
        [
          test.secret_key,
          { type: 'adyen', api_key: 'AQE1234567890abcdef', merchant_account: 'ShopECOM', environment: 'live', live_url_prefix: '1797a841fbb37ca7-Shop' },
          'processor.environment',
        ],
        [live.secret_key, { type: 'adyen', api_key: 'AQE1234567890abcdef', merchant_account: 'ShopECOM', environment: 'test' }, 'processor.environment'],
      ];
      const before = (await asLive('GET', '/v1/merchant')).body.processor;
      for (const [key, processor, param] of cases) {
        const res = await v.api('POST', '/v1/merchant', { key, body: { processor } });
        expect(res.status, JSON.stringify(processor)).toBe(400);
        expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param });
        expect(res.text).not.toContain(processor.secret_key ?? processor.api_key);
      }
      expect((await asLive('GET', '/v1/merchant')).body.processor).toEqual(before);
      expect((await asTest('GET', '/v1/merchant')).body.processor).toEqual({ type: 'simulated', configured: true });
    });

    it('takes a live Adyen account with its live URL prefix, and asks for the prefix when it is missing', async () => {
      const m = await createMerchant(v.runtime.deps, { name: 'Live Adyen shop', origins: [LIVE_SHOP], live: true });
      const apiKey = `AQE${crypto.randomBytes(30).toString('base64url')}`;
      const base = { type: 'adyen', api_key: apiKey, merchant_account: 'ShopECOM', environment: 'live' };
      const missing = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { processor: base } });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatchObject({ code: 'parameter_missing', param: 'processor.live_url_prefix' });
      // The prefix becomes part of a host name: nothing else may ride in it.
      const hostile = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { processor: { ...base, live_url_prefix: 'evil.example/#' } } });
      expect(hostile.status).toBe(400);
      expect(hostile.body.error).toMatchObject({ code: 'parameter_invalid', param: 'processor.live_url_prefix' });

      const ok = await v.api('POST', '/v1/merchant', {
        key: m.secret_key,
        body: { processor: { ...base, live_url_prefix: '1797a841fbb37ca7-ShopCompany', hmac_key: crypto.randomBytes(32).toString('hex') } },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.processor).toEqual({ type: 'adyen', configured: true, key_last4: apiKey.slice(-4) });
      expect(ok.text).not.toContain(apiKey);
      expect(v.logs.join('\n')).not.toContain(apiKey);
      expect(await everyRow(v, target, 'merchants')).not.toContain(apiKey);
    });

    it("answers bad processor input with 400 in the contract's shape, and changes nothing", async () => {
      const before = (await asLive('GET', '/v1/merchant')).body;
      const cases: [unknown, string, string][] = [
        [{ type: 'paypal', secret_key: 'x' }, 'parameter_invalid', 'processor.type'],
        [{ type: 'stripe' }, 'parameter_missing', 'processor.secret_key'],
        [{ type: 'stripe', secret_key: stripeLiveKey(), account: 'acct_1' }, 'parameter_unknown', 'processor.account'],
        [{ type: 'stripe', secret_key: 'pk_live_notasecret' }, 'parameter_invalid', 'processor.secret_key'],
        [{ type: 'adyen', api_key: 'AQE1234567890abcdef', merchant_account: 'ShopECOM' }, 'parameter_invalid', 'processor.environment'],
        [
          { type: 'adyen', api_key: 'AQE1234567890abcdef', merchant_account: 'ShopECOM', environment: 'production' },
          'parameter_invalid',
          'processor.environment',
        ],
        ['stripe', 'parameter_invalid', 'processor'],
      ];
      for (const [processor, code, param] of cases) {
        const res = await asLive('POST', '/v1/merchant', { processor });
        expect(res.status, JSON.stringify(processor)).toBe(400);
        expect(res.body).toEqual({ error: expect.objectContaining({ type: 'invalid_request_error', code, param, message: expect.any(String) }) });
      }
      const unknown = await asLive('POST', '/v1/merchant', { processor_account: { type: 'stripe' } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toMatchObject({ code: 'parameter_unknown', param: 'processor_account' });
      expect((await asLive('GET', '/v1/merchant')).body).toEqual(before);
    });

    it('never lets a test key see live data, nor a live key test data (customers, cards, sessions, charges, mandates, invoices, events)', async () => {
      // Both shops know a customer by the same number, as two shops of one owner would.
      const customer = 'alice';
      const db = v.runtime.deps.db;

      // Test mode, through the simulated processor: a recurring payment saves a card, a charge and a mandate.
      const ts = await openSession(
        v,
        { customer, recurring: { min_amount: 500, max_amount: 2000, frequency_days: 0, end_date: `${NEXT_YEAR}-12-31` } },
        test.secret_key,
      );
      const paid = await v.frame('/frame/v1/confirm', ts.secret, { card: newCard(CARDS.visa), save: true });
      expect(paid.status).toBe(200);
      const testData = {
        session: ts.id,
        charge: paid.body.charge as string,
        card: paid.body.card.token as string,
        mandate: paid.body.mandate as string,
        invoice: '',
        events: [] as string[],
      };
      expect(testData.mandate).toEqual(expect.any(String));
      const testInvoice = await asTest('POST', '/v1/invoices', { customer, amount: 1500, currency: 'USD', due_date: `${NEXT_YEAR}-06-01` });
      expect(testInvoice.status).toBe(201);
      testData.invoice = testInvoice.body.id;
      testData.events = (await asTest('GET', '/v1/events?limit=100')).body.data.map((e: any) => e.id);
      expect(testData.events.length).toBeGreaterThan(0);

      // The live shop has its Stripe account: setting it calls no one.
      expect((await asLive('POST', '/v1/merchant', { processor: { type: 'stripe', secret_key: stripeLiveKey() } })).status).toBe(200);
      // Live mode: an imported card, its mandate, an invoice; the session and the charge, which a real
      // provider would answer, are written with the vault's own stores (no provider is called here).
      expect((await asLive('POST', `/v1/customers/${customer}`, { email: 'alice@example.com' })).status).toBe(200);
      const imported = await asLive('POST', `/v1/customers/${customer}/cards`, { number: CARDS.mastercard, exp_month: 12, exp_year: NEXT_YEAR + 2 });
      expect(imported.status).toBe(201);
      const liveCard = imported.body.token as string;
      const liveMandate = await asLive('POST', `/v1/customers/${customer}/mandates`, {
        card: liveCard,
        min_amount: 100,
        max_amount: 5000,
        currency: 'USD',
        frequency_days: 0,
        end_date: `${NEXT_YEAR}-12-31`,
        consent: { text: 'I agree to be charged for my orders.', accepted_at: new Date().toISOString() },
      });
      expect(liveMandate.status).toBe(201);
      const liveInvoice = await asLive('POST', '/v1/invoices', { customer, amount: 2500, currency: 'USD', due_date: `${NEXT_YEAR}-06-01` });
      expect(liveInvoice.status).toBe(201);
      const liveMerchant = (await findById(db, live.id))!;
      const liveSession = await createSession(db, liveMerchant, SessionCreate.parse({ amount: 1999, currency: 'USD', customer }), new Date());
      const liveCharge = await recordCharge(db, {
        merchantId: live.id,
        groupId: live.group,
        customer,
        cardToken: liveCard,
        cardMasked: { brand: 'mastercard', last4: '4444', exp_month: 12, exp_year: NEXT_YEAR + 2 },
        amount: 1999,
        currency: 'USD',
        order: null,
        initiator: 'customer',
        mandateId: null,
        sessionId: liveSession.id,
        processorRef: `ref_${crypto.randomUUID()}`,
        result: { outcome: 'approved', processor_id: 'pi_live_seeded', network_transaction_id: 'ntid_live_seeded' },
        now: new Date(),
      });
      const liveData = {
        session: liveSession.id,
        charge: liveCharge.id,
        card: liveCard,
        mandate: liveMandate.body.id as string,
        invoice: liveInvoice.body.id as string,
        events: (await asLive('GET', '/v1/events?limit=100')).body.data.map((e: any) => e.id) as string[],
      };
      expect(liveData.events.length).toBeGreaterThan(0);

      /** Everything `key` can try against the other mode's `data`: nothing is found, listed or changed. */
      async function cannotReach(key: string, data: typeof liveData) {
        const as = (method: string, p: string, body?: unknown, headers?: Record<string, string>) => v.api(method, p, { key, body, headers });
        const ids = [data.session, data.charge, data.card, data.mandate, data.invoice, ...data.events];
        const seen = (text: string) => ids.filter((id) => text.includes(id));

        for (const [method, p, body] of [
          ['GET', `/v1/sessions/${data.session}`],
          ['GET', `/v1/charges/${data.charge}`],
          ['POST', `/v1/charges/${data.charge}/refunds`, {}],
          ['GET', `/v1/invoices/${data.invoice}`],
          ['DELETE', `/v1/mandates/${data.mandate}`],
          ['POST', `/v1/customers/${customer}/cards/${data.card}`, { default: true }],
          ['DELETE', `/v1/customers/${customer}/cards/${data.card}`],
          ['GET', `/v1/events/${data.events[0]}/attempts`],
          ['POST', `/v1/events/${data.events[0]}/redeliver`],
        ] as [string, string, unknown?][]) {
          const res = await as(method, p, body);
          expect(res.status, `${method} ${p}`).toBe(404);
          expect(res.body.error.code).toBe('resource_missing');
        }
        // Charging the other mode's card under its mandate charges nothing. (The test key is told there is
        // no such card; the live key's answer comes after its processor is built, which the Stripe
        // connector does, and is then the same 404.)
        const chargesOfCard = () => db.selectFrom('charges').select('id').where('card_token', '=', data.card).execute();
        const before = await chargesOfCard();
        const charge = await as(
          'POST',
          '/v1/charges',
          { customer, card: data.card, mandate: data.mandate, amount: 1000, currency: 'USD' },
          { 'idempotency-key': crypto.randomUUID() },
        );
        if (key === test.secret_key) expect(charge.status).toBe(404);
        expect(charge.status).toBeGreaterThanOrEqual(400);
        expect(await chargesOfCard()).toEqual(before);
        // Lists and the customer show only this mode's own.
        for (const p of [
          `/v1/customers/${customer}`,
          `/v1/customers/${customer}/cards`,
          `/v1/customers/${customer}/mandates`,
          '/v1/charges?limit=100',
          `/v1/charges?customer=${customer}&limit=100`,
          '/v1/invoices?limit=100',
          '/v1/events?limit=100',
        ]) {
          const res = await as('GET', p);
          expect(res.status, p).toBe(200);
          expect(seen(res.text), p).toEqual([]);
        }
      }
      await cannotReach(test.secret_key, liveData);
      await cannotReach(live.secret_key, testData);

      // The test session's fields offer this customer only the test card.
      const fields = await v.frame('/frame/v1/session', (await openSession(v, { customer }, test.secret_key)).secret, {});
      expect(fields.status).toBe(200);
      expect(fields.text).not.toContain(liveCard);

      // Nothing was changed by the attempts: each side still has its card, mandate and invoice.
      expect((await asLive('GET', `/v1/customers/${customer}/cards`)).body.data.map((c: any) => c.token)).toEqual([liveCard]);
      expect((await asLive('GET', `/v1/customers/${customer}/mandates`)).body.data.map((m: any) => [m.id, m.status])).toEqual([[liveData.mandate, 'active']]);
      expect((await asTest('GET', `/v1/customers/${customer}/cards`)).body.data.map((c: any) => c.token)).toEqual([testData.card]);
      expect((await asTest('GET', `/v1/customers/${customer}/mandates`)).body.data.map((m: any) => [m.id, m.status])).toEqual([[testData.mandate, 'active']]);
      expect((await asLive('GET', `/v1/charges/${liveData.charge}`)).body.amount_refunded ?? 0).toBe(0);
      expect((await asTest('GET', `/v1/charges/${testData.charge}`)).body.amount_refunded ?? 0).toBe(0);
    });

    it('keeps a group to one mode: createMerchant and the CLI refuse --group across modes', async () => {
      await expect(createMerchant(v.runtime.deps, { name: 'Sister', origins: [LIVE_SHOP], groupId: test.group, live: true })).rejects.toThrow(/test mode/);
      await expect(createMerchant(v.runtime.deps, { name: 'Sister', origins: [SHOP], groupId: live.group })).rejects.toThrow(/live mode/);
      const sameMode = await createMerchant(v.runtime.deps, { name: 'Live sister', origins: [LIVE_SHOP], groupId: live.group, live: true });
      expect(sameMode.secret_key).toMatch(/^sk_live_/);

      const across = await merchantCli(v, ['create', '--name', 'Sister', '--origin', LIVE_SHOP, '--group', test.group, '--live']);
      expect(across.code).toBe(1);
      expect(across.err).toMatch(/test mode/);
      const back = await merchantCli(v, ['create', '--name', 'Sister', '--origin', SHOP, '--group', live.group, '--json']);
      expect(back.code).toBe(1);
      expect(back.err).toMatch(/live mode/);
      const groups = await v.runtime.deps.db.selectFrom('merchants').select(['group_id', 'livemode']).execute();
      for (const g of new Set(groups.map((r) => r.group_id))) expect(new Set(groups.filter((r) => r.group_id === g).map((r) => r.livemode)).size).toBe(1);
    });

    it('creates a live merchant with npm run merchant -- create --live: --json prints its keys and livemode, and the key works', async () => {
      const made = await merchantCli(v, ['create', '--name', 'CLI live shop', '--origin', LIVE_SHOP, '--live', '--json']);
      expect(made.code, made.err).toBe(0);
      const printed = JSON.parse(made.out.trim().split('\n').pop()!);
      expect(printed).toMatchObject({
        id: expect.stringMatching(/^mer_/),
        group: expect.any(String),
        secret_key: expect.stringMatching(/^sk_live_/),
        publishable_key: expect.stringMatching(/^pk_live_/),
        webhook_secret: expect.stringMatching(/^whsec_/),
        livemode: true,
      });
      const me = await v.api('GET', '/v1/merchant', { key: printed.secret_key });
      expect(me.status, v.logs.filter((l) => l.includes('unexpected')).join('\n')).toBe(200);
      expect(me.body).toMatchObject({ id: printed.id, livemode: true });

      const plain = await merchantCli(v, ['create', '--name', 'CLI test shop', '--origin', SHOP, '--json']);
      expect(plain.code, plain.err).toBe(0);
      expect(JSON.parse(plain.out.trim().split('\n').pop()!)).toMatchObject({ secret_key: expect.stringMatching(/^sk_test_/), livemode: false });
      // As the README pipes it (`npm run -s merchant -- … --json | jq`): the whole output is the JSON.
      const piped = await runNpmScript(v, 'merchant', ['create', '--name', 'CLI piped shop', '--origin', SHOP, '--json']);
      expect(piped.code, piped.err).toBe(0);
      expect(JSON.parse(piped.out)).toMatchObject({ secret_key: expect.stringMatching(/^sk_test_/), livemode: false });

      // Without --json it says what is left to do: this shell has no https PUBLIC_URL. It has the vault's
      // VAULT_KEYS, which sealed the new merchant's webhook signing secret.
      const human = await merchantCli(v, ['create', '--name', 'CLI live shop 2', '--origin', LIVE_SHOP, '--live']);
      expect(human.code, human.err).toBe(0);
      expect(human.out).toMatch(/sk_live_/);
      expect(human.out).toContain('PUBLIC_URL must be https');
      expect(human.out).not.toContain('VAULT_KEYS');
    }, 60_000);
  });

  describe.each([
    { name: 'on http with VAULT_KEYS', publicUrl: 'http://vault.test', keys: true, missing: ['PUBLIC_URL must be https'], notMissing: ['VAULT_KEYS'] },
    {
      name: 'on https with a generated key file',
      publicUrl: HTTPS,
      keys: false,
      missing: ['the key ring must come from VAULT_KEYS, not a generated key file'],
      notMissing: ['PUBLIC_URL'],
    },
    {
      name: 'on http with a generated key file',
      publicUrl: 'http://vault.test',
      keys: false,
      missing: ['PUBLIC_URL must be https', 'the key ring must come from VAULT_KEYS, not a generated key file'],
      notMissing: [],
    },
  ])('on a vault not ready for real cards ($name)', ({ publicUrl, keys, missing, notMissing }) => {
    let v: TestVault;
    let live: CreatedMerchant;
    beforeAll(async () => {
      v = await startTestVault(target, { publicUrl, vaultKeys: keys ? newVaultKeys() : undefined });
      live = await createMerchant(v.runtime.deps, { name: 'Live shop', origins: [LIVE_SHOP], live: true });
    });
    afterAll(() => v.close());

    const refusedNaming = (res: { status: number; body: any }) => {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'live_mode_unavailable' });
      for (const m of missing) expect(res.body.error.message).toContain(m);
      for (const m of notMissing) expect(res.body.error.message).not.toContain(m);
    };

    it('refuses every request with a live key with 403 live_mode_unavailable naming what is missing', async () => {
      for (const [method, p, body] of [
        ['GET', '/v1/merchant'],
        ['POST', '/v1/merchant', { processor: { type: 'stripe', secret_key: stripeLiveKey() } }],
        ['POST', '/v1/sessions', { amount: 1999, currency: 'USD' }],
        ['GET', '/v1/customers/alice/cards'],
        ['POST', '/v1/customers/alice/cards', { number: CARDS.visa, exp_month: 12, exp_year: NEXT_YEAR }],
        ['GET', '/v1/events'],
        ['GET', '/v1/no-such-endpoint'],
      ] as [string, string, unknown?][]) {
        const res = await v.api(method, p, { key: live.secret_key, body });
        refusedNaming(res);
        expect(res.text).not.toContain(CARDS.visa);
      }
      // Nothing got through: no processor account, no card.
      const row = await v.runtime.deps.db.selectFrom('merchants').select('processor').where('id', '=', live.id).executeTakeFirstOrThrow();
      expect(row.processor ?? null).toBeNull();
      expect(await v.runtime.deps.db.selectFrom('cards').select('token').where('group_id', '=', live.group).execute()).toEqual([]);
    });

    it("refuses the fields' endpoints of a live merchant's session the same way", async () => {
      // Written as the vault would have before the operator changed its settings: the API itself opens none now.
      const merchant = (await findById(v.runtime.deps.db, live.id))!;
      const session = await createSession(v.runtime.deps.db, merchant, SessionCreate.parse({ amount: 1999, currency: 'USD' }), new Date());
      refusedNaming(await v.frame('/frame/v1/session', session.client_secret!, {}));
      refusedNaming(await v.frame('/frame/v1/confirm', session.client_secret!, { card: newCard(CARDS.visa) }));
      expect((await v.runtime.deps.db.selectFrom('sessions').select('status').where('id', '=', session.id).executeTakeFirstOrThrow()).status).toBe('open');
      expect(await v.runtime.deps.db.selectFrom('charges').select('id').where('merchant_id', '=', live.id).execute()).toEqual([]);
    });

    it('leaves test keys, their fields and /health alone', async () => {
      expect((await v.api('GET', '/health', { key: '' })).status).toBe(200);
      const me = await v.api('GET', '/v1/merchant');
      expect(me.status).toBe(200);
      expect(me.body.livemode).toBe(false);
      const s = await openSession(v, {});
      const paid = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
      expect(paid.status).toBe(200);
      expect(paid.body.status).toBe('succeeded');
    });
  });
});
