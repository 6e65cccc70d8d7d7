import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('GET and POST /v1/customers/:customer', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
    // Many quick calls in a row: the per-second rate limit is tested in merchant.test.ts, not here.
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0 } });
  });
  afterAll(() => v.close());

  it('answers a customer number never seen before with status none and no limits', async () => {
    const res = await v.api('GET', '/v1/customers/never-seen-1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ customer: 'never-seen-1', status: 'none', limits: {} });
    expect(res.body.email ?? null).toBeNull();
    expect(res.body.phone ?? null).toBeNull();
    expect(res.body.default_card ?? null).toBeNull();
  });

  it('accepts every character the contract allows in a customer number, up to 32 of them', async () => {
    for (const customer of ['a', 'A.b_c@d-e.9', 'x'.repeat(32), 'user@example.com']) {
      const res = await v.api('GET', `/v1/customers/${customer}`);
      expect(res.status, customer).toBe(200);
      expect(res.body.customer).toBe(customer);
    }
  });

  it('stores e-mail, phone and limits and reads them back', async () => {
    const body = { email: 'ann@example.com', phone: '+15555550100', limits: { daily: 5000, weekly: 20000 } };
    const res = await v.api('POST', '/v1/customers/c-contact', { body });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ customer: 'c-contact', status: 'none', ...body });
    const read = await v.api('GET', '/v1/customers/c-contact');
    expect(read.body).toMatchObject({ customer: 'c-contact', status: 'none', ...body });
  });

  it('changes only the fields sent on a later upsert', async () => {
    await v.api('POST', '/v1/customers/c-partial', { body: { email: 'bob@example.com', limits: { daily: 1000 } } });
    const res = await v.api('POST', '/v1/customers/c-partial', { body: { limits: { weekly: 7000 } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: 'bob@example.com', limits: { daily: 1000, weekly: 7000 } });
  });

  it('marks a customer deny and reports it', async () => {
    const res = await v.api('POST', '/v1/customers/c-deny', { body: { status: 'deny' } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('deny');
    expect((await v.api('GET', '/v1/customers/c-deny')).body.status).toBe('deny');
  });

  it('lifts deny with status none', async () => {
    await v.api('POST', '/v1/customers/c-undeny', { body: { status: 'deny' } });
    const res = await v.api('POST', '/v1/customers/c-undeny', { body: { status: 'none' } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('none');
    expect((await v.api('GET', '/v1/customers/c-undeny')).body.status).toBe('none');
  });

  it('does not accept member as a status a merchant can set', async () => {
    const res = await v.api('POST', '/v1/customers/c-member-set', { body: { status: 'member' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'status' });
    expect((await v.api('GET', '/v1/customers/c-member-set')).body.status).toBe('none');
  });

  it('refuses a customer number of 33 characters, naming the parameter', async () => {
    const long = 'x'.repeat(33);
    for (const [method, path] of [
      ['GET', `/v1/customers/${long}`],
      ['POST', `/v1/customers/${long}`],
      ['GET', `/v1/customers/${long}/cards`],
    ]) {
      const res = await v.api(method, path, method === 'POST' ? { body: { email: 'a@example.com' } } : {});
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'customer' });
    }
  });

  it('refuses a customer number with characters outside [A-Za-z0-9._@-], naming the parameter', async () => {
    for (const bad of ['a%20b', 'a!b', 'a%2Bb', 'caf%C3%A9', 'a*b', 'a%27b']) {
      const res = await v.api('GET', `/v1/customers/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'customer' });
      const post = await v.api('POST', `/v1/customers/${bad}`, { body: { status: 'deny' } });
      expect(post.status, bad).toBe(400);
      expect(post.body.error).toMatchObject({ code: 'parameter_invalid', param: 'customer' });
    }
  });

  it('refuses a bad e-mail, phone or limit, naming the parameter, and keeps the old values', async () => {
    await v.api('POST', '/v1/customers/c-valid', { body: { email: 'keep@example.com', limits: { daily: 100 } } });
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email' }, 'email'],
      [{ phone: 'call me' }, 'phone'],
      [{ limits: { daily: -1 } }, 'limits.daily'],
      [{ limits: { weekly: 10.5 } }, 'limits.weekly'],
      [{ limits: { daily: '100' } }, 'limits.daily'],
      [{ status: 'blocked' }, 'status'],
    ];
    for (const [body, param] of cases) {
      const res = await v.api('POST', '/v1/customers/c-valid', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param });
    }
    const read = await v.api('GET', '/v1/customers/c-valid');
    expect(read.body).toMatchObject({ email: 'keep@example.com', limits: { daily: 100 } });
  });

  it('refuses an unknown field with parameter_unknown', async () => {
    const res = await v.api('POST', '/v1/customers/c-unknown', { body: { email: 'x@example.com', nickname: 'X' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_unknown', param: 'nickname' });
    const unknownLimit = await v.api('POST', '/v1/customers/c-unknown', { body: { limits: { monthly: 5 } } });
    expect(unknownLimit.status).toBe(400);
    expect(unknownLimit.body.error).toMatchObject({ code: 'parameter_unknown', param: 'limits.monthly' });
    expect((await v.api('GET', '/v1/customers/c-unknown')).body.email ?? null).toBeNull();
  });

  it('makes a customer a member with a default card when a card is first saved', async () => {
    expect((await v.api('GET', '/v1/customers/c-first-save')).body.status).toBe('none');
    const token = await saveCardFor(v, 'c-first-save');
    const res = await v.api('GET', '/v1/customers/c-first-save');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ customer: 'c-first-save', status: 'member', default_card: token });
  });

  it('keeps a member a member when e-mail or limits change', async () => {
    await saveCardFor(v, 'c-member-edit');
    const res = await v.api('POST', '/v1/customers/c-member-edit', { body: { email: 'm@example.com', limits: { daily: 900 } } });
    expect(res.body).toMatchObject({ status: 'member', email: 'm@example.com', limits: { daily: 900 } });
  });

  it('keeps a customer in another merchant group invisible', async () => {
    const token = await saveCardFor(v, 'c-grouped');
    await v.api('POST', '/v1/customers/c-grouped', { body: { email: 'grouped@example.com', limits: { daily: 1234 } } });
    const stranger = await v.newMerchant();
    const asStranger = (method: string, path: string, body?: unknown) => v.api(method, path, { key: stranger.secret_key, body });

    const read = await asStranger('GET', '/v1/customers/c-grouped');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ customer: 'c-grouped', status: 'none', limits: {} });
    expect(read.body.email ?? null).toBeNull();
    expect(read.body.default_card ?? null).toBeNull();
    expect(read.text).not.toContain(token);
    const cards = await asStranger('GET', '/v1/customers/c-grouped/cards');
    expect(cards.body.data).toEqual([]);
  });

  it('keeps a change made in another merchant group out of this group', async () => {
    await saveCardFor(v, 'c-isolated');
    const stranger = await v.newMerchant();
    const deny = await v.api('POST', '/v1/customers/c-isolated', { key: stranger.secret_key, body: { status: 'deny', email: 'other@example.com' } });
    expect(deny.status).toBe(200);
    const mine = await v.api('GET', '/v1/customers/c-isolated');
    expect(mine.body.status).toBe('member');
    expect(mine.body.email ?? null).toBeNull();
  });

  it('shares customers and their saved cards with a merchant of the same group', async () => {
    const token = await saveCardFor(v, 'c-shared', CARDS.mastercard);
    await v.api('POST', '/v1/customers/c-shared', { body: { email: 'shared@example.com' } });
    const sibling = await v.newMerchant({ group: v.merchant.group });
    const read = await v.api('GET', '/v1/customers/c-shared', { key: sibling.secret_key });
    expect(read.body).toMatchObject({ customer: 'c-shared', status: 'member', email: 'shared@example.com', default_card: token });
    const cards = await v.api('GET', '/v1/customers/c-shared/cards', { key: sibling.secret_key });
    expect(cards.body.data.map((c: { token: string }) => c.token)).toEqual([token]);

    // And the other way round: what the sibling changes, this merchant sees.
    await v.api('POST', '/v1/customers/c-shared', { key: sibling.secret_key, body: { status: 'deny' } });
    expect((await v.api('GET', '/v1/customers/c-shared')).body.status).toBe('deny');
  });
});
