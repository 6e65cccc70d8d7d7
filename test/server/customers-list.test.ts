// GET /v1/customers: every customer the group has stored something for (a row from POST
// /v1/customers/{customer}, a saved or imported card), by number, paged by starting_after, searched by
// number prefix and status; sister shops see the same list, other groups none of it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { LIFTABLE_LIMITS, newShop, saveCardFor, startTestVault, type Shop, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('GET /v1/customers', (target) => {
  let v: TestVault;
  let shop: Shop;
  let sister: Shop;
  let stranger: Shop;
  // Out of order on purpose, with every character a number may hold; the list sorts byte by byte.
  const NUMBERS = ['c-20', 'c-03', 'c-1', 'C-9', 'c.b', 'c_a', 'c@z', 'c-100', 'x1'];
  const sorted = [...NUMBERS].sort();

  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0 } });
    shop = await newShop(v, { group: v.merchant.group });
    sister = await newShop(v, { group: v.merchant.group });
    stranger = await newShop(v);
    for (const n of NUMBERS) expect((await shop.api('POST', `/v1/customers/${n}`, { email: `${n.replace(/@/, '')}@example.com` })).status).toBe(200);
    await shop.api('POST', '/v1/customers/c-03', { status: 'deny' });
    // A customer the vault knows only by the card saved at checkout.
    await saveCardFor(v, 'card-only');
    // The other group's customers never show.
    await stranger.api('POST', '/v1/customers/c-stranger', {});
  });
  afterAll(() => v.close());

  const list = (q: string, as: Shop = shop) => as.api('GET', `/v1/customers${q}`);

  it('lists the group customers by number, as GET /v1/customers/{customer} shows each, ten by default', async () => {
    const res = await list('');
    expect(res.status).toBe(200);
    const all = [...sorted, 'card-only'].sort();
    expect(res.body.data.map((c: { customer: string }) => c.customer)).toEqual(all.slice(0, 10));
    expect(res.body.has_more).toBe(false);
    // As GET /v1/customers/{customer} shows each, plus the default card's mask the list carries.
    for (const c of res.body.data) {
      const { default_card_details, ...view } = c;
      expect(view).toEqual((await shop.api('GET', `/v1/customers/${c.customer}`)).body);
      expect(default_card_details === undefined).toBe(c.default_card === undefined);
    }
    const cardOnly = res.body.data.find((c: { customer: string }) => c.customer === 'card-only');
    expect(cardOnly).toMatchObject({ status: 'member', default_card: expect.stringMatching(/^card_/), default_card_details: { brand: 'visa', last4: '4242' } });
    expect(JSON.stringify(res.body)).not.toMatch(/4242424242424242|"bin"/);
  });

  it('pages through every customer with starting_after, none twice and none missed', async () => {
    const seen: string[] = [];
    let after = '';
    for (let i = 0; i < 20; i++) {
      const res = await list(`?limit=3${after ? `&starting_after=${encodeURIComponent(after)}` : ''}`);
      expect(res.status).toBe(200);
      const page = res.body.data.map((c: { customer: string }) => c.customer);
      seen.push(...page);
      if (!res.body.has_more) break;
      expect(page).toHaveLength(3);
      after = page.at(-1);
    }
    expect(seen).toEqual([...sorted, 'card-only'].sort());
  });

  it('searches by the start of the number, in pages too', async () => {
    const res = await list('?prefix=c-');
    expect(res.body.data.map((c: { customer: string }) => c.customer)).toEqual(['c-03', 'c-1', 'c-100', 'c-20']);
    const first = await list('?prefix=c-1&limit=1');
    expect(first.body).toMatchObject({ data: [{ customer: 'c-1' }], has_more: true });
    const next = await list('?prefix=c-1&limit=1&starting_after=c-1');
    expect(next.body).toMatchObject({ data: [{ customer: 'c-100' }], has_more: false });
    // Upper and lower case are different numbers.
    expect((await list('?prefix=C')).body.data.map((c: { customer: string }) => c.customer)).toEqual(['C-9']);
    expect((await list('?prefix=nobody')).body).toEqual({ data: [], has_more: false });
  });

  it('narrows to one status', async () => {
    expect((await list('?status=deny')).body.data.map((c: { customer: string }) => c.customer)).toEqual(['c-03']);
    expect((await list('?status=member')).body.data.map((c: { customer: string }) => c.customer)).toEqual(['card-only']);
    const none = await list('?status=none&prefix=c&limit=100');
    expect(none.body.data.map((c: { customer: string }) => c.customer)).toEqual(sorted.filter((n) => n.startsWith('c') && n !== 'c-03'));
  });

  it('shows a sister shop the same customers, and another group none of them', async () => {
    expect((await list('?limit=100', sister)).body).toEqual((await list('?limit=100')).body);
    expect((await v.api('GET', '/v1/customers?limit=100')).body).toEqual((await list('?limit=100')).body);
    const other = await list('?limit=100', stranger);
    expect(other.body).toEqual({ data: [expect.objectContaining({ customer: 'c-stranger' })], has_more: false });
  });

  it('refuses bad input with 400 in the contract shape', async () => {
    for (const [q, param] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=x', 'limit'],
      ['?status=gold', 'status'],
      ['?prefix=a%20b', 'prefix'],
      [`?prefix=${'a'.repeat(33)}`, 'prefix'],
      ['?starting_after=a%25', 'starting_after'],
      ['?starting_after=', 'starting_after'],
    ]) {
      const res = await list(q);
      expect(res.status, q).toBe(400);
      expect(res.body.error, q).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param });
    }
  });
});
