// The dashboard's test-mode switch: a person with an account at their test shop and at their live
// shop moves between them with that account's password, and nowhere else.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { cookieOf, dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

const TEST_PASSWORD = 'the test shop password 1';
const LIVE_PASSWORD = 'the live shop password 2';

describeEachDb('dashboard test-mode switch', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    d = dashboard(v);
  });
  afterAll(() => v?.close());

  it('lists the live account and switches to it with its own password only', async () => {
    const who = `owner.${Date.now().toString(36)}@shop.example`;
    const testShop = await createMerchant(v.runtime.deps, { name: 'Kettle (test)', origins: ['http://kettle.test'] });
    const liveShop = await createMerchant(v.runtime.deps, { name: 'Kettle', origins: ['https://kettle.example'], live: true });
    const inTest = await d.signedIn(who, TEST_PASSWORD, { merchant: testShop.id });
    await d.setPassword(await d.addUser(who, { merchant: liveShop.id, role: 'viewer' }), LIVE_PASSWORD);
    const me = await d.me(inTest);
    expect(me.merchant).toMatchObject({ id: testShop.id, livemode: false });
    expect(me.other_accounts).toEqual([{ merchant_id: liveShop.id, merchant_name: 'Kettle', livemode: true }]);

    const form = await d.request('GET', `/dashboard/switch?to=${liveShop.id}`, { cookie: inTest });
    expect(form.status).toBe(200);
    expect(form.text).toContain('Switch to Kettle (live mode)');
    const csrf = me.csrf_token;
    // The test shop's password does not open the live account; no token, no switch.
    const wrong = await d.request('POST', '/dashboard/switch', { cookie: inTest, fields: { csrf, to: liveShop.id, password: TEST_PASSWORD } });
    expect(wrong.status).toBe(401);
    expect((await d.request('POST', '/dashboard/switch', { cookie: inTest, fields: { to: liveShop.id, password: LIVE_PASSWORD } })).status).toBe(403);
    expect((await d.me(inTest)).merchant.id).toBe(testShop.id);

    const switched = await d.request('POST', '/dashboard/switch', { cookie: inTest, fields: { csrf, to: liveShop.id, password: LIVE_PASSWORD } });
    expect(switched.status).toBe(303);
    const inLive = cookieOf(switched);
    expect(await d.me(inLive)).toMatchObject({ role: 'viewer', merchant: { id: liveShop.id, livemode: true } });
    // The test session ended with the switch.
    expect((await d.call('GET', '/me', { cookie: inTest })).status).toBe(401);
  });

  it('weighs no more than 5 of a burst of switch guesses: a stolen session cannot race into the live shop', async () => {
    const who = `racer.${Date.now().toString(36)}@shop.example`;
    const testShop = await createMerchant(v.runtime.deps, { name: 'Race (test)', origins: ['http://race.test'] });
    const liveShop = await createMerchant(v.runtime.deps, { name: 'Race', origins: ['https://race.example'], live: true });
    const cookie = await d.signedIn(who, TEST_PASSWORD, { merchant: testShop.id });
    await d.setPassword(await d.addUser(who, { merchant: liveShop.id }), LIVE_PASSWORD);
    const { csrf_token: csrf } = await d.me(cookie);
    const guesses = [...Array.from({ length: 19 }, (_, i) => `wrong guess number ${i}`), LIVE_PASSWORD];
    const burst = await Promise.all(guesses.map((password) => d.request('POST', '/dashboard/switch', { cookie, fields: { csrf, to: liveShop.id, password } })));
    // The right password arrives twentieth, after five counted guesses: refused unweighed.
    expect(burst.at(-1)?.status).toBe(429);
    expect((await d.me(cookie)).merchant.id).toBe(testShop.id);
  });

  it("refuses a shop where the person has no account, even one whose staff share the person's password", async () => {
    const who = `person.${Date.now().toString(36)}@shop.example`;
    const mine = await createMerchant(v.runtime.deps, { name: 'Mine', origins: ['http://mine.test'] });
    const theirs = await createMerchant(v.runtime.deps, { name: 'Theirs', origins: ['http://theirs.test'] });
    const cookie = await d.signedIn(who, TEST_PASSWORD, { merchant: mine.id });
    await d.signedIn(`someone.${Date.now().toString(36)}@shop.example`, TEST_PASSWORD, { merchant: theirs.id });
    const { csrf_token: csrf, other_accounts } = await d.me(cookie);
    expect(other_accounts).toEqual([]);
    expect((await d.request('GET', `/dashboard/switch?to=${theirs.id}`, { cookie })).status).toBe(404);
    const res = await d.request('POST', '/dashboard/switch', { cookie, fields: { csrf, to: theirs.id, password: TEST_PASSWORD } });
    expect(res.status).toBe(404);
    expect((await d.me(cookie)).merchant.id).toBe(mine.id);
  });
});
