import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../server/env.ts';
import type { LimitsEnv } from '../../server/vault-runtime.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { describeWithRedis, redisPrefix } from '../helpers/redis.ts';
import { openSession, SHOP, startTestVault, VAULT, type TestVault } from '../helpers/test-vault.ts';

const PROXY = '10.0.0.1';

/** A fields request as a server-side client can send it: any socket address, any X-Forwarded-For. */
async function fieldsFrom(v: TestVault, secret: string, socket: string, xff?: string) {
  const headers: Record<string, string> = {
    origin: VAULT,
    'checkout-host-origin': SHOP,
    authorization: `Bearer ${secret}`,
    'content-type': 'application/json',
  };
  if (xff !== undefined) headers['x-forwarded-for'] = xff;
  const res = await v.runtime.app.request(`${VAULT}/frame/v1/session`, { method: 'POST', headers, body: '{}' }, {
    incoming: { socket: { remoteAddress: socket } },
  } as any);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}

async function statuses(v: TestVault, secret: string, count: number, socket: string, xff?: (i: number) => string) {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await fieldsFrom(v, secret, socket, xff?.(i))).status);
  return out;
}

/** A new merchant of this vault with `frame_limit_per_address` set, and a session's client secret. */
async function merchantLimitedTo(v: TestVault, perAddress: number, settings: Record<string, unknown> = {}) {
  const m = await v.newMerchant();
  const set = await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { frame_limit_per_address: perAddress, ...settings } });
  expect(set.status, set.text).toBe(200);
  const s = await openSession(v, {}, m.secret_key);
  return { merchant: m, secret: s.secret };
}

function expectLimited(res: { status: number; retryAfter: string | null; body: any }) {
  expect(res.status).toBe(429);
  expect(res.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
  expect(res.retryAfter).toMatch(/^\d+$/);
  expect(Number(res.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(res.retryAfter)).toBeLessThanOrEqual(60);
}

async function withVault(limits: LimitsEnv, fn: (v: TestVault) => Promise<void>) {
  const v = await startTestVault('sqlite', { limits });
  try {
    await fn(v);
  } finally {
    await v.close();
  }
}

describe('the client address behind proxies', () => {
  it('with TRUST_PROXY=1 counts each customer behind the proxy on its own, and a forged X-Forwarded-For changes nothing', () =>
    withVault({ TRUST_PROXY: 1 }, async (v) => {
      const { secret } = await merchantLimitedTo(v, 3);
      const alice = '198.51.100.1';
      const bob = '198.51.100.2';
      // Both customers reach the vault through the same proxy socket; the proxy appends who connected to it.
      expect(await statuses(v, secret, 3, PROXY, () => alice)).toEqual([200, 200, 200]);
      expectLimited(await fieldsFrom(v, secret, PROXY, alice));
      expect((await fieldsFrom(v, secret, PROXY, bob)).status).toBe(200);
      // Alice sends her own X-Forwarded-For naming Bob or a fresh address; the proxy appends hers after it.
      expectLimited(await fieldsFrom(v, secret, PROXY, `${bob}, ${alice}`));
      expectLimited(await fieldsFrom(v, secret, PROXY, `203.0.113.99, ${alice}`));
      expectLimited(await fieldsFrom(v, secret, PROXY, `garbage, , ${alice}`));
      // Her forged requests were not counted as Bob's: he still has the two requests left of his three.
      expect(await statuses(v, secret, 2, PROXY, () => bob)).toEqual([200, 200]);
      expectLimited(await fieldsFrom(v, secret, PROXY, bob));
    }));

  it('counts an address a proxy wrote with its port (ip:port, [ipv6]:port) once, whatever the port', () =>
    withVault({ TRUST_PROXY: 1 }, async (v) => {
      const { secret } = await merchantLimitedTo(v, 3);
      // Some gateways write the client's source port too: each new connection has another one.
      expect(await statuses(v, secret, 3, PROXY, (i) => `198.51.100.8:${51_000 + i}`)).toEqual([200, 200, 200]);
      expectLimited(await fieldsFrom(v, secret, PROXY, '198.51.100.8:52999'));
      expectLimited(await fieldsFrom(v, secret, PROXY, '198.51.100.8'));
      expect(await statuses(v, secret, 3, PROXY, (i) => `[2001:db8:5::${i + 1}]:443`)).toEqual([200, 200, 200]);
      expectLimited(await fieldsFrom(v, secret, PROXY, '[2001:db8:5::99]:8443'));
      // An entry that is no address is counted as the proxy itself, not as a fresh bucket of its own.
      const junk = await statuses(v, secret, 4, PROXY, (i) => `not-an-address-${i}`);
      expect(junk.slice(0, 3)).toEqual([200, 200, 200]);
      expect(junk[3]).toBe(429);
    }));

  it('without TRUST_PROXY ignores X-Forwarded-For: the socket address is counted', () =>
    withVault({}, async (v) => {
      const { secret } = await merchantLimitedTo(v, 3);
      expect(await statuses(v, secret, 3, PROXY, (i) => `198.51.100.${i + 10}`)).toEqual([200, 200, 200]);
      // Another X-Forwarded-For from the same socket is the same client.
      expectLimited(await fieldsFrom(v, secret, PROXY, '198.51.100.50'));
      // Naming a limited address in the header costs another socket nothing.
      expect(await statuses(v, secret, 3, '203.0.113.20', () => PROXY)).toEqual([200, 200, 200]);
    }));

  it('with TRUST_PROXY as CIDRs skips the trusted proxies from the right and ignores the header from any other socket', () =>
    withVault({ TRUST_PROXY: ['10.0.0.0/8'] }, async (v) => {
      const { secret } = await merchantLimitedTo(v, 3);
      const customer = '198.51.100.7';
      // Two proxies of the operator (10.0.0.9, then 10.0.0.1), and a different forged entry each time.
      expect(await statuses(v, secret, 3, PROXY, (i) => `192.0.2.${i}, ${customer}, 10.0.0.9`)).toEqual([200, 200, 200]);
      expectLimited(await fieldsFrom(v, secret, PROXY, `192.0.2.77, ${customer}, 10.0.0.9`));
      // A client that connects directly cannot spend the customer's quota by naming it.
      const direct = '203.0.113.9';
      expect(await statuses(v, secret, 3, direct, () => '198.51.100.8')).toEqual([200, 200, 200]);
      expectLimited(await fieldsFrom(v, secret, direct, '198.51.100.8'));
      expect((await fieldsFrom(v, secret, PROXY, '198.51.100.8, 10.0.0.9')).status).toBe(200);
    }));

  it('counts an IPv6 client by its /56, so rotating addresses or /64 networks in its block gains nothing', () =>
    withVault({}, async (v) => {
      const { secret } = await merchantLimitedTo(v, 3);
      // One residential /56: its home networks (/64s) 2001:db8:1:200::/64 to 2001:db8:1:2ff::/64.
      const block = ['2001:db8:1:200::1', '2001:db8:1:201::ffff', '2001:db8:1:2fe:abcd::7'];
      for (const socket of block) expect((await fieldsFrom(v, secret, socket)).status).toBe(200);
      expectLimited(await fieldsFrom(v, secret, '2001:db8:1:2ff:ffff:ffff:ffff:ffff'));
      expect((await fieldsFrom(v, secret, '2001:db8:1:300::1')).status).toBe(200);
    }));
});

describeEachDb("the fields' card-testing protection holds against the merchant", (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  it("refuses frame_limit_per_address 0 or above the operator's ceiling, and the fields stay limited after rate_limit 0", async () => {
    const m = await v.newMerchant();
    const api = (body: unknown) => v.api('POST', '/v1/merchant', { key: m.secret_key, body });
    for (const value of [0, 301, 1_000_000]) {
      const res = await api({ frame_limit_per_address: value });
      expect(res.status, String(value)).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'frame_limit_per_address' });
      expect(res.body.error.message).toContain('between 1 and 300');
    }
    // Refused whole: nothing else in the request was changed either.
    expect((await api({ frame_limit_per_address: 0, one_click_after: 9 })).status).toBe(400);
    const read = await v.api('GET', '/v1/merchant', { key: m.secret_key });
    expect(read.body).toMatchObject({ frame_limit_per_address: 60, one_click_after: 1 });
    // The secret-key rate may be lifted; the fields do not follow it.
    const lifted = await api({ rate_limit: 0 });
    expect(lifted.status).toBe(200);
    expect(lifted.body.rate_limit).toBe(0);
    const s = await openSession(v, {}, m.secret_key);
    const codes = await statuses(v, s.secret, 60, '198.51.100.60');
    expect(codes.every((c) => c === 200)).toBe(true);
    expectLimited(await fieldsFrom(v, s.secret, '198.51.100.60'));
    // Within the ceiling a merchant still chooses.
    expect((await api({ frame_limit_per_address: 300 })).body.frame_limit_per_address).toBe(300);
  });
});

describe("the operator's ceilings", () => {
  it('hold a merchant whose stored frame_limit_per_address is 0 (set before the ceiling existed) to the ceiling', () =>
    withVault({ FIELDS_MAX_PER_ADDRESS: 4, FIELDS_MAX_PER_MERCHANT: 100 }, async (v) => {
      const m = await v.newMerchant();
      await v.runtime.deps.db.updateTable('merchants').set({ frame_limit_per_address: 0, rate_limit: 0 }).where('id', '=', m.id).execute();
      v.runtime.deps.merchants.invalidate();
      const s = await openSession(v, {}, m.secret_key);
      expect(await statuses(v, s.secret, 4, '198.51.100.70')).toEqual([200, 200, 200, 200]);
      expectLimited(await fieldsFrom(v, s.secret, '198.51.100.70'));
    }));

  it('cap the fields of one merchant across all addresses, even with rate_limit 0, and one address never uses up the quota', () =>
    withVault({ FIELDS_MAX_PER_ADDRESS: 3, FIELDS_MAX_PER_MERCHANT: 7 }, async (v) => {
      const { secret } = await merchantLimitedTo(v, 3, { rate_limit: 0 });
      // One address hammers: its refused requests do not spend the merchant's quota.
      const hammer = await statuses(v, secret, 20, '198.51.100.80');
      expect(hammer.slice(0, 3)).toEqual([200, 200, 200]);
      expect(hammer.slice(3).every((c) => c === 429)).toBe(true);
      expect(await statuses(v, secret, 3, '198.51.100.81')).toEqual([200, 200, 200]);
      expect((await fieldsFrom(v, secret, '198.51.100.82')).status).toBe(200);
      // Seven requests a minute for this merchant's fields: the eighth address is turned away.
      expectLimited(await fieldsFrom(v, secret, '198.51.100.83'));
    }));

  it("keep one address under half the merchant's quota even where merchants may lift the per-address limit", () =>
    withVault({ FIELDS_MAX_PER_ADDRESS: Infinity, FIELDS_MAX_PER_MERCHANT: 7 }, async (v) => {
      const { secret } = await merchantLimitedTo(v, 0);
      expect(await statuses(v, secret, 3, '198.51.100.90')).toEqual([200, 200, 200]);
      expectLimited(await fieldsFrom(v, secret, '198.51.100.90'));
      expect((await fieldsFrom(v, secret, '198.51.100.91')).status).toBe(200);
    }));

  it('are checked at start, naming the variable', () => {
    const bad: Array<[Record<string, string>, string]> = [
      [{ FIELDS_MAX_PER_ADDRESS: '0' }, 'FIELDS_MAX_PER_ADDRESS'],
      [{ FIELDS_MAX_PER_ADDRESS: 'lots' }, 'FIELDS_MAX_PER_ADDRESS'],
      [{ FIELDS_MAX_PER_ADDRESS: '3000', FIELDS_MAX_PER_MERCHANT: '6000' }, 'FIELDS_MAX_PER_ADDRESS: must be less than half of FIELDS_MAX_PER_MERCHANT'],
      [{ FIELDS_MAX_PER_MERCHANT: '2' }, 'FIELDS_MAX_PER_MERCHANT'],
      [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
      [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
      [{ TRUST_PROXY: 'loopback' }, 'TRUST_PROXY'],
      [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    ];
    for (const [env, named] of bad) expect(() => parseEnv(env), JSON.stringify(env)).toThrow(named);
    const defaults = parseEnv({});
    expect(defaults).toMatchObject({ FIELDS_MAX_PER_ADDRESS: 300, FIELDS_MAX_PER_MERCHANT: 6000, REDIS_PREFIX: 'vault:' });
    expect(defaults.TRUST_PROXY).toBeUndefined();
    expect(defaults.REDIS_URL).toBeUndefined();
    expect(parseEnv({ TRUST_PROXY: '2', FIELDS_MAX_PER_ADDRESS: 'none', FIELDS_MAX_PER_MERCHANT: 'none' })).toMatchObject({
      TRUST_PROXY: 2,
      FIELDS_MAX_PER_ADDRESS: Infinity,
      FIELDS_MAX_PER_MERCHANT: Infinity,
    });
    expect(parseEnv({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
  });
});

/** A port on which nothing listens: Redis is down from the start. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('when Redis is down', () => {
  it('starts and keeps limiting in memory, with no 500, and says so in the log', async () => {
    await withVault({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }, async (v) => {
      const { secret } = await merchantLimitedTo(v, 3);
      expect(await statuses(v, secret, 3, '198.51.100.100')).toEqual([200, 200, 200]);
      expectLimited(await fieldsFrom(v, secret, '198.51.100.100'));
      expect((await fieldsFrom(v, secret, '198.51.100.101')).status).toBe(200);
      expect(v.logs.join('\n')).toContain('Redis is unreachable');
    });
  });
});

/** A TCP relay in front of the real Redis that the test can cut and restore: Redis going away mid-run. */
async function redisRelay(url: string) {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) => new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  await listen(0);
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: async () => {
      const closed = new Promise((r) => server.close(r));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: () => listen(port),
  };
}

describeWithRedis('when Redis goes away while the vault runs', (url) => {
  it('falls back to counting in memory, never answers 500, and shares the counts again once Redis is back', async () => {
    const keys = redisPrefix(url);
    const relay = await redisRelay(url);
    try {
      await withVault({ REDIS_URL: relay.url, REDIS_PREFIX: keys.prefix }, async (v) => {
        const { merchant, secret } = await merchantLimitedTo(v, 3);
        expect((await fieldsFrom(v, secret, '198.51.100.110')).status).toBe(200);
        const counted = `${keys.prefix}rl60:frame-addr:${merchant.id}:198.51.100.110`;
        expect(await keys.keys()).toContain(counted);

        await relay.cut();
        // This instance's memory knows none of Redis's counts: three more, then the limit.
        expect(await statuses(v, secret, 3, '198.51.100.110')).toEqual([200, 200, 200]);
        expectLimited(await fieldsFrom(v, secret, '198.51.100.110'));
        const log = v.logs.join('\n');
        expect(log).toMatch(/Redis is unreachable|counted in this instance's memory/);
        expect(log).not.toContain('"level":50');

        await relay.restore();
        await expect.poll(() => v.logs.join('\n'), { timeout: 8000, interval: 100 }).toContain('Redis answers again');
        // Back on Redis, whose window still holds the one request counted before the cut.
        expect(await statuses(v, secret, 2, '198.51.100.110')).toEqual([200, 200]);
        expectLimited(await fieldsFrom(v, secret, '198.51.100.110'));
      });
    } finally {
      await relay.cut();
      await keys.drop();
    }
  });
});
