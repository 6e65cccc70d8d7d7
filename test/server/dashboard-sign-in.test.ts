// The dashboard's doors: one-time links, hashed passwords, the session cookie, CSRF, session expiry,
// sign-in lockouts and limits, one merchant per session, and the audit log of it all.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { cookieOf, dashboard, errorOf } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { describeWithRedis, redisPrefix } from '../helpers/redis.ts';
import { dataDirBytes, everyRow, runCli } from '../helpers/storage-scan.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

const PASSWORD = 'correct horse battery 42';
const MINUTE = 60_000;
let n = 0;
const email = () => `person${++n}.${Date.now()}@shop.example`;

describeEachDb('dashboard sign-in', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    d = dashboard(v);
  });
  afterAll(() => v?.close());
  afterEach(() => v.setNow(undefined));

  describe('the one-time link', () => {
    it('sets a password once and only once, and the person then signs in to their merchant', async () => {
      const who = email();
      const token = await d.addUser(who.toUpperCase(), { role: 'viewer' });
      const set = await d.setPassword(token, PASSWORD);
      expect(set.status).toBe(303);
      expect(set.headers.get('location')).toBe('/dashboard/sign-in?done=password_set');
      const again = await d.setPassword(token, 'another password 12345');
      expect(again.status).toBe(400);
      expect(again.text).toContain('This link no longer works');
      // The second try changed nothing: the first password still signs in, the second does not.
      expect((await d.signIn(who, 'another password 12345')).status).toBe(401);
      const signIn = await d.signIn(who, PASSWORD);
      expect(signIn.status).toBe(303);
      expect(signIn.headers.get('location')).toBe('/dashboard');
      const cookie = cookieOf(signIn);
      expect((await d.request('GET', '/dashboard', { cookie })).status).toBe(200);
      expect(await d.me(cookie)).toMatchObject({ email: who.toLowerCase(), role: 'viewer', merchant: { name: 'Test shop' } });
    });

    it('expires after 24 hours', async () => {
      const token = await d.addUser(email());
      v.setNow(new Date(Date.now() + 24 * 60 * MINUTE + MINUTE));
      expect((await d.setPassword(token, PASSWORD)).status).toBe(400);
    });

    it('is replaced by a new one when the operator adds the same email again', async () => {
      const who = email();
      const first = await d.addUser(who);
      const second = await d.addUser(who);
      expect((await d.setPassword(first, PASSWORD)).status).toBe(400);
      expect((await d.setPassword(second, PASSWORD)).status).toBe(303);
    });

    it('refuses a password shorter than 12 characters or equal to the email, and stays usable', async () => {
      const who = email();
      const token = await d.addUser(who);
      const short = await d.setPassword(token, 'short pass1');
      expect(short.status).toBe(400);
      expect(errorOf(short)).toBe('The password must be at least 12 characters long.');
      const same = await d.setPassword(token, who.toUpperCase());
      expect(errorOf(same)).toBe('The password must not be your email address.');
      expect((await d.setPassword(token, PASSWORD)).status).toBe(303);
    });

    it('comes from `npm run merchant -- add-user`, and running it again makes the first one stop working', async () => {
      const who = email();
      const args = ['add-user', '--merchant', v.merchant.id, '--email', who, '--role', 'admin'];
      const first = await runCli(v, 'server/cli/merchant.ts', args);
      expect(first.err).toBe('');
      expect(first.out).toContain(`Staff user ${who} (admin) of merchant ${v.merchant.id} added`);
      const second = await runCli(v, 'server/cli/merchant.ts', args);
      expect(second.out).toContain('a new link; the previous one no longer works');
      // Run without PUBLIC_URL, it says which address its link names and how to change it.
      expect(second.out).toMatch(/\(the address is http:\/\/localhost:\d+, from PORT; give this command the PUBLIC_URL or PORT your vault runs with/);
      const tokenOf = (out: string) => /\/dashboard\/set-password#token=([\w-]+)/.exec(out)?.[1] ?? '';
      expect((await d.setPassword(tokenOf(first.out), PASSWORD)).status).toBe(400);
      expect((await d.setPassword(tokenOf(second.out), PASSWORD)).status).toBe(303);
      const wrong = await runCli(v, 'server/cli/merchant.ts', ['add-user', '--merchant', v.merchant.id, '--email', who, '--role', 'owner']);
      expect(wrong.code).toBe(1);
      expect(wrong.err).toBe('merchant: --role: must be admin or viewer, not "owner"\n');
    });
  });

  it('keeps passwords, link tokens and session tokens only as hashes', async () => {
    const who = email();
    const token = await d.addUser(who);
    await d.setPassword(token, PASSWORD);
    const session = cookieOf(await d.signIn(who, PASSWORD)).split('=')[1];
    expect(v.logs.join('\n')).not.toContain(PASSWORD);
    const rows = await everyRow(v, target, 'staff_users');
    expect(rows).toContain('$argon2id$');
    for (const secret of [PASSWORD, token, session]) {
      expect(rows).not.toContain(secret);
      if (target === 'sqlite') expect(dataDirBytes(v.dataDir).includes(secret)).toBe(false);
    }
  });

  describe('the session cookie', () => {
    const attributes = (setCookie: string | null) =>
      (setCookie ?? '')
        .split(';')
        .slice(1)
        .map((a) => a.trim())
        .sort();

    it('is HttpOnly, SameSite=Strict, kept to /dashboard and not Secure on an http vault', async () => {
      const who = email();
      await d.setPassword(await d.addUser(who), PASSWORD);
      const res = await d.signIn(who, PASSWORD);
      expect(cookieOf(res)).toMatch(/^vault_staff=[\w-]{43}$/);
      expect(attributes(res.headers.get('set-cookie'))).toEqual(['HttpOnly', 'Path=/dashboard', 'SameSite=Strict']);
    });

    it('is __Host-, Secure, HttpOnly and SameSite=Strict on an https vault', async () => {
      const https = await startTestVault(target, { publicUrl: 'https://vault.test', limits: { TRUST_PROXY: 1 } });
      try {
        const h = dashboard(https);
        const who = email();
        await h.setPassword(await h.addUser(who), PASSWORD);
        const res = await h.signIn(who, PASSWORD);
        expect(cookieOf(res)).toMatch(/^__Host-vault_staff=[\w-]{43}$/);
        // __Host- requires Path=/ and no Domain: a sibling subdomain can neither read nor plant it.
        expect(attributes(res.headers.get('set-cookie'))).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict', 'Secure']);
        expect((await h.request('GET', '/dashboard', { cookie: cookieOf(res) })).status).toBe(200);
        // The same token under the unprefixed name (planted by a subdomain) is not taken.
        const planted = cookieOf(res).replace('__Host-', '');
        expect((await h.request('GET', '/dashboard', { cookie: planted })).status).toBe(303);
      } finally {
        await https.close();
      }
    });
  });

  it('refuses a sign-out without its CSRF token or with a wrong one, and signs out with it', async () => {
    const cookie = await d.signedIn(email(), PASSWORD);
    const { csrf_token: csrf } = await d.me(cookie);
    expect(csrf).toMatch(/^[\w-]{43}$/);
    const wrong: Record<string, string>[] = [{}, { csrf: 'x'.repeat(43) }, { csrf: csrf.slice(0, -1) }];
    for (const fields of wrong) {
      const refused = await d.request('POST', '/dashboard/sign-out', { cookie, fields });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('its security token is missing or wrong');
    }
    expect((await d.request('GET', '/dashboard', { cookie })).status).toBe(200);
    // Another person's token does not do either.
    const other = (await d.me(await d.signedIn(email(), PASSWORD))).csrf_token;
    expect((await d.request('POST', '/dashboard/sign-out', { cookie, fields: { csrf: other } })).status).toBe(403);
    const out = await d.request('POST', '/dashboard/sign-out', { cookie, fields: { csrf } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/dashboard/sign-in?done=signed_out');
    const after = await d.request('GET', '/dashboard', { cookie });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/dashboard/sign-in');
  });

  it('refuses a form posted from another site, sign-in included', async () => {
    const who = email();
    await d.setPassword(await d.addUser(who), PASSWORD);
    const fields = new URLSearchParams({ email: who, password: PASSWORD }).toString();
    const post = (origin: string) =>
      v.api('POST', '/dashboard/sign-in', {
        key: '',
        raw: fields,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'x-forwarded-for': '192.0.2.50' },
      });
    const forged = await post('http://evil.test');
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie')).toBeNull();
    expect((await post('http://vault.test')).status).toBe(303);
  });

  it('signs a person out everywhere when their password is set again through a new link', async () => {
    const who = email();
    const cookie = await d.signedIn(who, PASSWORD);
    await d.setPassword(await d.addUser(who), 'a brand new password 2');
    expect((await d.request('GET', '/dashboard', { cookie })).status).toBe(303);
    expect((await d.signIn(who, PASSWORD)).status).toBe(401);
    expect((await d.signIn(who, 'a brand new password 2')).status).toBe(303);
  });

  it('ends a session idle for 31 minutes, and one 12 hours old however busy', async () => {
    const start = Date.now();
    v.setNow(new Date(start));
    const idle = await d.signedIn(email(), PASSWORD);
    v.setNow(new Date(start + 29 * MINUTE));
    expect((await d.request('GET', '/dashboard', { cookie: idle })).status).toBe(200);
    v.setNow(new Date(start + 60 * MINUTE));
    expect((await d.request('GET', '/dashboard', { cookie: idle })).status).toBe(303);
    // Gone for good, even back within the window.
    v.setNow(new Date(start + 61 * MINUTE));
    expect((await d.request('GET', '/dashboard', { cookie: idle })).status).toBe(303);

    v.setNow(new Date(start));
    const busy = await d.signedIn(email(), PASSWORD);
    let t = start;
    while (t + 25 * MINUTE <= start + 12 * 60 * MINUTE) {
      t += 25 * MINUTE;
      v.setNow(new Date(t));
      expect((await d.request('GET', '/dashboard', { cookie: busy })).status).toBe(200);
    }
    v.setNow(new Date(start + 12 * 60 * MINUTE + MINUTE));
    const expired = await d.request('GET', '/dashboard', { cookie: busy });
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe('/dashboard/sign-in');
  });

  describe('the page asked for', () => {
    it('is where the person lands once signed in, the query included', async () => {
      const who = email();
      await d.setPassword(await d.addUser(who), PASSWORD);
      const asked = await d.request('GET', '/dashboard/customers/alice?tab=cards');
      expect(asked.status).toBe(303);
      expect(asked.headers.get('location')).toBe(`/dashboard/sign-in?next=${encodeURIComponent('/dashboard/customers/alice?tab=cards')}`);
      const form = await d.request('GET', asked.headers.get('location')!);
      expect(form.text).toContain('<input type="hidden" name="next" value="/dashboard/customers/alice?tab=cards">');
      const wrong = await d.request('POST', '/dashboard/sign-in', { fields: { email: who, password: 'not the password 1', next: '/dashboard/charges' } });
      expect(wrong.text).toContain('name="next" value="/dashboard/charges"');
      const res = await d.request('POST', '/dashboard/sign-in', { fields: { email: who, password: PASSWORD, next: '/dashboard/customers/alice?tab=cards' } });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/dashboard/customers/alice?tab=cards');
    });

    it('never leads off the dashboard: another site, a protocol-relative or encoded path, the API, the doors', async () => {
      const hostile = [
        'https://evil.example/dashboard',
        '//evil.example/dashboard',
        '/dashboard//evil.example',
        '/\\evil.example',
        '/dashboard\\..\\evil',
        '/dashboardx',
        '/dashboard/api/v1/merchant',
        '/dashboard/sign-out',
        '/dashboard/switch?to=mer_x',
        '/dashboard/x"><script>alert(1)</script>',
        'javascript:alert(1)',
      ];
      for (const [i, next] of hostile.entries()) {
        const who = email();
        await d.setPassword(await d.addUser(who), PASSWORD);
        const res = await d.request('POST', '/dashboard/sign-in', { fields: { email: who, password: PASSWORD, next }, ip: `198.18.0.${i + 1}` });
        expect(res.headers.get('location'), next).toBe('/dashboard');
        const form = await d.request('GET', `/dashboard/sign-in?next=${encodeURIComponent(next)}`);
        expect(form.text, next).not.toContain('name="next"');
      }
    });
  });

  describe('sign-in attempts', () => {
    it('locks an email for 15 minutes after 5 wrong passwords, the right one included; an unknown email answers the same', async () => {
      const known = email();
      const unknown = email();
      await d.setPassword(await d.addUser(known), PASSWORD);
      const answers = async (who: string, ip: string) => {
        const seen: string[] = [];
        for (let i = 0; i < 5; i++) {
          const res = await d.signIn(who, `wrong password ${i}!`, ip);
          seen.push(`${res.status} ${res.headers.get('retry-after')} ${errorOf(res)}`);
        }
        const right = await d.signIn(who, PASSWORD, ip);
        seen.push(`${right.status} ${right.headers.get('retry-after')} ${errorOf(right)}`);
        return seen;
      };
      const forKnown = await answers(known, '198.51.100.1');
      expect(forKnown.slice(0, 4)).toEqual(Array(4).fill('401 null The email or the password is wrong.'));
      const lockedLine = '429 900 Too many wrong passwords: signing in with this email is locked. Try again in 15 minutes.';
      expect(forKnown[4]).toBe(lockedLine);
      expect(forKnown[5]).toBe(lockedLine);
      expect(await answers(unknown, '198.51.100.2')).toEqual(forKnown);
    });

    it('weighs no more than 5 of a burst of guesses sent at once, and then refuses even the right password', async () => {
      const who = email();
      await d.setPassword(await d.addUser(who), PASSWORD);
      // Twenty wrong guesses in parallel, each from its own address: at most five are checked.
      const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => d.signIn(who, `wrong guess number ${i}`, `198.51.100.${100 + i}`)));
      const statuses = burst.map((r) => r.status);
      expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(4);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(16);
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      expect((await d.signIn(who, PASSWORD, '198.51.100.99')).status).toBe(429);
    });

    it('lets a burst holding the right password check at most 5 of its guesses', async () => {
      const who = email();
      await d.setPassword(await d.addUser(who), PASSWORD);
      const guesses = [...Array.from({ length: 19 }, (_, i) => `wrong guess number ${i}`), PASSWORD];
      const burst = await Promise.all(guesses.map((g, i) => d.signIn(who, g, `198.51.100.${130 + i}`)));
      // The right password arrives twentieth: five guesses are already counted, so it is refused unweighed.
      expect(burst.at(-1)?.status).toBe(429);
      expect(burst.filter((r) => r.status !== 429).length).toBeLessThanOrEqual(5);
    });

    it('takes as long for an unknown email as for a wrong password', async () => {
      // Taking turns, each attempt from its own address and each known person tried once, so that neither
      // a limit nor a busy moment of the machine falls on one side only; the medians are compared.
      const timed = async (who: string, address: string) => {
        const t = performance.now();
        await d.signIn(who, 'a wrong password!', address);
        return performance.now() - t;
      };
      const wrong: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        const known = email();
        await d.setPassword(await d.addUser(known), PASSWORD);
        wrong.push(await timed(known, `198.51.100.${20 + 2 * i}`));
        unknown.push(await timed(email(), `198.51.100.${21 + 2 * i}`));
      }
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[2];
      expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5);
    });

    it('limits one address across accounts, and not another address', async () => {
      const ip = '203.0.113.7';
      for (let i = 0; i < 30; i++) expect((await d.signIn(email(), 'wrong password!!', ip)).status).toBe(401);
      const limited = await d.signIn(email(), 'wrong password!!', ip);
      expect(limited.status).toBe(429);
      expect(errorOf(limited)).toMatch(/^Too many sign-in attempts from your network\. Try again in 1[45] minutes\.$/);
      const who = email();
      await d.setPassword(await d.addUser(who), PASSWORD);
      expect((await d.signIn(who, PASSWORD, ip)).status).toBe(429);
      expect((await d.signIn(who, PASSWORD, '203.0.113.8')).status).toBe(303);
    });
  });

  it('shows a staff user their own merchant only, even with the same email at another merchant', async () => {
    const a = await createMerchant(v.runtime.deps, { name: 'Shop Alpha', origins: ['http://alpha.test'] });
    const b = await createMerchant(v.runtime.deps, { name: 'Shop Bravo', origins: ['http://bravo.test'] });
    const who = email();
    const inA = await d.signedIn(who, PASSWORD, { merchant: a.id });
    const inB = await d.signedIn(who, 'bravo password 123', { merchant: b.id, role: 'viewer' });
    const meA = await d.me(inA);
    expect(meA).toMatchObject({ email: who, role: 'admin', merchant: { id: a.id, name: 'Shop Alpha' } });
    // Bravo is named only as the person's other account, the switch's way there.
    expect(JSON.stringify(meA.merchant)).not.toContain('Bravo');
    expect(meA.other_accounts).toEqual([{ merchant_id: b.id, merchant_name: 'Shop Bravo', livemode: false }]);
    const meB = await d.me(inB);
    expect(meB).toMatchObject({ email: who, role: 'viewer', merchant: { id: b.id, name: 'Shop Bravo' } });
    expect(JSON.stringify(meB.merchant)).not.toContain('Alpha');
  });

  it('records set-password, sign-in, sign-out and lockout in the audit log', async () => {
    const who = email();
    const token = await d.addUser(who);
    await d.setPassword(token, PASSWORD);
    const cookie = cookieOf(await d.signIn(who, PASSWORD));
    const csrf = (await d.me(cookie)).csrf_token;
    await d.request('POST', '/dashboard/sign-out', { cookie, fields: { csrf } });
    for (let i = 0; i < 6; i++) await d.signIn(who, `wrong password ${i}!`, '198.51.100.9');
    const staff = await v.runtime.deps.db.selectFrom('staff_users').select(['id', 'merchant_id']).where('email', '=', who).executeTakeFirstOrThrow();
    const log = await v.runtime.deps.db.selectFrom('audit_log').selectAll().where('staff_id', '=', staff.id).orderBy('id').execute();
    expect(log.map((l) => l.action)).toEqual(['password_set', 'sign_in', 'sign_out', 'sign_in_locked']);
    expect(log.every((l) => l.merchant_id === staff.merchant_id)).toBe(true);
    expect(JSON.stringify(log)).not.toContain(PASSWORD);
  });

  it('serves its pages unframeable under a nonce-only policy, and sends the signed-out to sign in', async () => {
    for (const path of ['/dashboard/sign-in', '/dashboard/set-password']) {
      const page = await d.request('GET', path);
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'nonce-[\w-]+'(;|$)/);
    }
    const home = await d.request('GET', '/dashboard');
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/dashboard/sign-in');
  });
});

describeWithRedis('dashboard lockouts in Redis, shared by every instance', (redisUrl) => {
  const keys = redisPrefix(redisUrl);
  let one: TestVault;
  let two: TestVault;
  beforeAll(async () => {
    const limits = { TRUST_PROXY: 1, REDIS_URL: redisUrl, REDIS_PREFIX: keys.prefix };
    one = await startTestVault('sqlite', { limits });
    two = await startTestVault('sqlite', { limits });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await keys.drop();
  });

  it('locks an email on every instance after 5 wrong passwords on one, and stores no email', async () => {
    const who = email();
    const d1 = dashboard(one);
    const d2 = dashboard(two);
    await d2.setPassword(await d2.addUser(who), PASSWORD);
    for (let i = 0; i < 5; i++) await d1.signIn(who, `wrong password ${i}!`, '198.51.100.20');
    const res = await d2.signIn(who, PASSWORD, '198.51.100.21');
    expect(res.status).toBe(429);
    expect(errorOf(res)).toContain('locked');
    const stored = (await keys.keys()).join('\n');
    expect(stored).toContain('staff-sign-in:');
    expect(stored).not.toContain(who);
  });
});
