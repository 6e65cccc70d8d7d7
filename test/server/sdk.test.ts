// card-vault/server against a running vault, as a merchant's server uses it: typed calls, the
// contract's errors as VaultError, an Idempotency-Key on every POST that its own retries reuse, and
// retries that wait out Retry-After. The only stand-in is at the network edge: a fetch that loses or
// delays answers, between the client and the real vault.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultClient, VaultError } from '../../sdk/server-client.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { serveTestVault, type ServedVault } from '../helpers/served-vault.ts';
import { CARDS, newCard, openSession, type TestVault } from '../helpers/test-vault.ts';

interface Attempt {
  method: string;
  path: string;
  key: string | null;
  status: number;
  replayed: boolean;
}

/** The network between client and vault, recorded; `lose` swaps the answer of chosen attempts for a 503. */
function network(lose: (attempt: number, request: Request) => boolean = () => false) {
  const attempts: Attempt[] = [];
  const fetch = async (request: Request) => {
    const response = await globalThis.fetch(request);
    const attempt = { method: request.method, path: new URL(request.url).pathname, key: request.headers.get('idempotency-key') };
    if (lose(attempts.length, request)) {
      attempts.push({ ...attempt, status: 503, replayed: false });
      await response.body?.cancel();
      return new Response(JSON.stringify({ error: { type: 'api_error', code: 'internal', message: 'gateway lost the answer' } }), { status: 503 });
    }
    attempts.push({ ...attempt, status: response.status, replayed: response.headers.get('idempotent-replayed') === 'true' });
    return response;
  };
  return { attempts, fetch };
}

describe('createVaultClient options', () => {
  const refusal = (options: Record<string, unknown>) => {
    const calls: string[] = [];
    const fetch = async (request: Request) => {
      calls.push(request.url);
      return new Response('{}');
    };
    try {
      createVaultClient({ ...options, fetch } as never);
    } catch (err) {
      expect(calls).toEqual([]);
      return (err as Error).message;
    }
    return undefined;
  };
  const key = 'sk_test_0123456789abcdef';

  it('names an unset baseUrl or secretKey, and where it usually comes from, before any call', () => {
    expect(refusal({ baseUrl: undefined, secretKey: key })).toBe("createVaultClient: baseUrl is required (the vault's address, e.g. process.env.VAULT_URL)");
    expect(refusal({ baseUrl: '', secretKey: key })).toContain('baseUrl is required');
    expect(refusal({ baseUrl: 'http://localhost:4000', secretKey: undefined })).toContain(
      'secretKey is required (your secret key sk_test_… or sk_live_…, e.g. process.env.VAULT_SECRET_KEY)',
    );
  });

  it('refuses a publishable key and a key that is not a secret key, without repeating it', () => {
    const pk = refusal({ baseUrl: 'http://localhost:4000', secretKey: 'pk_test_abcdef123456' });
    expect(pk).toContain('secretKey is a publishable key (pk_…)');
    expect(pk).not.toContain('abcdef123456');
    const other = refusal({ baseUrl: 'http://localhost:4000', secretKey: 'whsec_abcdef123456' });
    expect(other).toContain('starts with sk_');
    expect(other).not.toContain('abcdef123456');
  });

  it('refuses a baseUrl that is not an http(s) address', () => {
    expect(refusal({ baseUrl: 'localhost:4000', secretKey: key })).toContain("baseUrl must be the vault's http(s) address");
    expect(refusal({ baseUrl: 'vault.example', secretKey: key })).toContain("baseUrl must be the vault's http(s) address");
    expect(refusal({ baseUrl: 'https://vault.example/', secretKey: key })).toBeUndefined();
    // With the two options swapped the baseUrl is the secret key: it is not repeated either.
    expect(refusal({ baseUrl: 'sk_live_abcdef123456', secretKey: 'http://localhost:4000' })).not.toContain('abcdef123456');
  });
});

describeEachDb('card-vault/server against a running vault', (target) => {
  let served: ServedVault;
  let v: TestVault;
  let baseUrl: string;
  beforeAll(async () => {
    served = await serveTestVault(target);
    ({ v, url: baseUrl } = served);
  });
  afterAll(() => served?.close());

  it('opens a session and reads it back, with an Idempotency-Key it chose itself', async () => {
    const net = network();
    const vault = createVaultClient({ baseUrl, secretKey: v.merchant.secret_key, fetch: net.fetch });
    const { data: session } = await vault.POST('/v1/sessions', { body: { amount: 1999, currency: 'USD', customer: 'sdk-1' } });
    expect(session.client_secret).toMatch(/^cs_/);
    const { data: read } = await vault.GET('/v1/sessions/{id}', { params: { path: { id: session.id } } });
    expect(read).toMatchObject({ id: session.id, status: 'open', amount: 1999 });
    expect(net.attempts.map((a) => [a.method, a.key === null])).toEqual([
      ['POST', false],
      ['GET', true],
    ]);
  });

  it("throws a VaultError with the contract's fields for an answer that is not 2xx", async () => {
    const vault = createVaultClient({ baseUrl, secretKey: v.merchant.secret_key });
    const err = await vault.GET('/v1/charges/{id}', { params: { path: { id: 'ch_missing' } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect(err).toMatchObject({ status: 404, type: 'invalid_request_error', code: 'resource_missing', message: expect.any(String) });
    const wrongKey = await createVaultClient({ baseUrl, secretKey: 'sk_test_wrong' })
      .GET('/v1/merchant')
      .catch((e: unknown) => e);
    expect(wrongKey).toMatchObject({ status: 401, code: 'invalid_api_key' });
    // A charge needs an Idempotency-Key: the client's own gets it past that check, to the body's.
    const charge = await vault.POST('/v1/charges', { body: {} as never }).catch((e: unknown) => e);
    expect(charge).toMatchObject({ status: 400 });
    expect((charge as VaultError).param).not.toBe('Idempotency-Key');
  });

  it("carries a decline's charge and decline_code: a declined merchant-initiated charge names the failed charge the vault recorded", async () => {
    // A card that saves under an agreement, then is declined on every later charge.
    const s = await openSession(v, {
      customer: 'sdk-decline',
      mode: 'setup',
      amount: undefined,
      recurring: { min_amount: 500, max_amount: 2000, frequency_days: 0, end_date: `${new Date().getUTCFullYear() + 1}-12-31` },
    });
    const saved = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.declineAfterSave), save: true, consent_text: 'I agree' });
    expect(saved.status).toBe(200);

    const vault = createVaultClient({ baseUrl, secretKey: v.merchant.secret_key });
    const body = { customer: 'sdk-decline', card: saved.body.card.token, mandate: saved.body.mandate, amount: 1000, currency: 'USD' };
    const err = await vault.POST('/v1/charges', { body }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect(err).toMatchObject({
      status: 402,
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      charge: expect.stringMatching(/^ch_/),
    });
    // The charge it names is the vault's own record of this decline.
    const { data: failed } = await vault.GET('/v1/charges/{id}', { params: { path: { id: (err as VaultError).charge! } } });
    expect(failed).toMatchObject({ status: 'failed', customer: 'sdk-decline', amount: 1000, initiator: 'merchant', failure: { code: 'card_declined' } });
  });

  it('retries an answer lost after the vault ran the request with the same key: the vault replays, nothing runs twice', async () => {
    const net = network((attempt) => attempt === 0);
    const vault = createVaultClient({ baseUrl, secretKey: v.merchant.secret_key, fetch: net.fetch, maxDelayMs: 50 });
    const { data: session } = await vault.POST('/v1/sessions', { body: { amount: 700, currency: 'EUR' } });
    expect(net.attempts).toHaveLength(2);
    expect(net.attempts[0].key).toBeTruthy();
    expect(net.attempts[1].key).toBe(net.attempts[0].key);
    // The first attempt did open the session; the second got that same session back.
    expect(net.attempts[1]).toMatchObject({ status: 201, replayed: true });
    expect(session.amount).toBe(700);
  });

  it('waits out Retry-After on a 429, then succeeds', async () => {
    const shop = await v.newMerchant();
    const limited = createVaultClient({ baseUrl, secretKey: shop.secret_key });
    await limited.POST('/v1/merchant', { body: { rate_limit: 1 } });
    const net = network();
    // One request a second, and the setting itself spent this second's: three calls need up to three more.
    const vault = createVaultClient({ baseUrl, secretKey: shop.secret_key, fetch: net.fetch, maxRetries: 4 });
    const started = Date.now();
    const answers = await Promise.all([1, 2, 3].map(() => vault.GET('/v1/merchant')));
    expect(answers.every((a) => a.data.rate_limit === 1)).toBe(true);
    expect(net.attempts.some((a) => a.status === 429)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('gives up after maxRetries and throws the last answer as a VaultError', async () => {
    const net = network(() => true);
    const vault = createVaultClient({ baseUrl, secretKey: v.merchant.secret_key, fetch: net.fetch, maxRetries: 1, maxDelayMs: 10 });
    const err = await vault.GET('/v1/merchant').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'VaultError', status: 503, message: 'gateway lost the answer' });
    expect(net.attempts).toHaveLength(2);
  });
});
