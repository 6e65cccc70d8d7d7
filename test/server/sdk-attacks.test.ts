// Attacks on the merchant-side SDK: card-vault/webhooks (verifyWebhook) against forged, replayed,
// stale, future-dated, multi-signature, padded or case-changed headers and re-serialised bodies; and
// card-vault/server (createVaultClient) against leaking the secret key: to another host, over
// cleartext, into errors, the console or the client object. Each test asserts the safe behaviour.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import util from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createVaultClient, VaultError } from '../../sdk/server-client.ts';
import { verifyWebhook, WebhookVerificationError } from '../../sdk/verify-webhook.ts';

const SECRET = 'whsec_test_' + 'a'.repeat(32);
const OTHER = 'whsec_test_' + 'b'.repeat(32);
const NOW = 1_760_000_000;
const EVENT = { id: 'evt_1', type: 'session.completed', created: '2025-10-09T08:53:20.000Z', data: { session: 'cs_1', amount: 1999 } };
/** The raw body exactly as the vault sends it. */
const RAW = JSON.stringify(EVENT);

const hmac = (secret: string, t: number | string, body: string | Buffer) => crypto.createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
const header = (t: number | string, ...sigs: string[]) => [`t=${t}`, ...sigs.map((s) => `v1=${s}`)].join(',');
const signed = (body: string = RAW, t: number = NOW, secret = SECRET) => header(t, hmac(secret, t, body));

/** The reason verifyWebhook refused with; fails the test if it accepted. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return err instanceof WebhookVerificationError ? err.reason : `threw ${(err as Error)?.name}: ${(err as Error)?.message}`;
  }
  return 'ACCEPTED';
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('verifyWebhook under attack', () => {
  it('accepts the genuine delivery (baseline)', () => {
    expect(verifyWebhook(RAW, signed(), SECRET, { now: NOW })).toEqual(EVENT);
    expect(verifyWebhook(Buffer.from(RAW), signed(), SECRET, { now: NOW })).toEqual(EVENT);
  });

  it('refuses a signature made with another secret, a random signature, and an empty one', () => {
    expect(refusal(() => verifyWebhook(RAW, signed(RAW, NOW, OTHER), SECRET, { now: NOW }))).toBe('no_matching_signature');
    expect(refusal(() => verifyWebhook(RAW, header(NOW, crypto.randomBytes(32).toString('hex')), SECRET, { now: NOW }))).toBe('no_matching_signature');
    expect(refusal(() => verifyWebhook(RAW, header(NOW, '0'.repeat(64)), SECRET, { now: NOW }))).toBe('no_matching_signature');
    expect(refusal(() => verifyWebhook(RAW, `t=${NOW},v1=`, SECRET, { now: NOW }))).not.toBe('ACCEPTED');
    expect(refusal(() => verifyWebhook(RAW, '', SECRET, { now: NOW }))).toBe('missing_header');
    expect(refusal(() => verifyWebhook(RAW, undefined, SECRET, { now: NOW }))).toBe('missing_header');
  });

  it('refuses a genuine signature over a body changed by one byte, or with data appended', () => {
    const tampered = RAW.replace('1999', '1990');
    expect(refusal(() => verifyWebhook(tampered, signed(), SECRET, { now: NOW }))).toBe('no_matching_signature');
    expect(refusal(() => verifyWebhook(`${RAW}\n`, signed(), SECRET, { now: NOW }))).toBe('no_matching_signature');
    expect(refusal(() => verifyWebhook(` ${RAW}`, signed(), SECRET, { now: NOW }))).toBe('no_matching_signature');
    // A signature truncated, or extended with hex, is not the signature.
    const sig = hmac(SECRET, NOW, RAW);
    expect(refusal(() => verifyWebhook(RAW, header(NOW, sig.slice(0, 62)), SECRET, { now: NOW }))).not.toBe('ACCEPTED');
    expect(refusal(() => verifyWebhook(RAW, header(NOW, `${sig}00`), SECRET, { now: NOW }))).not.toBe('ACCEPTED');
    expect(refusal(() => verifyWebhook(RAW, header(NOW, `${sig.slice(0, 63)}g`), SECRET, { now: NOW }))).not.toBe('ACCEPTED');
  });

  it('refuses an old delivery replayed after the tolerance, and a future-dated one, even when correctly signed', () => {
    const old = NOW - 301;
    expect(refusal(() => verifyWebhook(RAW, signed(RAW, old), SECRET, { now: NOW }))).toBe('timestamp_out_of_tolerance');
    const future = NOW + 301;
    expect(refusal(() => verifyWebhook(RAW, signed(RAW, future), SECRET, { now: NOW }))).toBe('timestamp_out_of_tolerance');
    expect(refusal(() => verifyWebhook(RAW, signed(RAW, 0), SECRET, { now: NOW }))).toBe('timestamp_out_of_tolerance');
    expect(refusal(() => verifyWebhook(RAW, signed(RAW, 999_999_999_999), SECRET, { now: NOW }))).toBe('timestamp_out_of_tolerance');
    // Within the window on either side it is accepted (delivery is at least once: the receiver dedupes on id).
    expect(verifyWebhook(RAW, signed(RAW, NOW - 299), SECRET, { now: NOW }).id).toBe('evt_1');
    expect(verifyWebhook(RAW, signed(RAW, NOW + 299), SECRET, { now: NOW }).id).toBe('evt_1');
  });

  it('refuses an old signature re-dated: a fresh t=, a second t=, or the same instant spelt differently', () => {
    const old = NOW - 3600;
    const oldSig = hmac(SECRET, old, RAW);
    // The captured v1 with the timestamp swapped for a fresh one.
    expect(refusal(() => verifyWebhook(RAW, header(NOW, oldSig), SECRET, { now: NOW }))).toBe('no_matching_signature');
    // Two t= in one header, in either order.
    expect(refusal(() => verifyWebhook(RAW, `t=${NOW},v1=${oldSig},t=${old}`, SECRET, { now: NOW }))).not.toBe('ACCEPTED');
    expect(refusal(() => verifyWebhook(RAW, `t=${old},v1=${oldSig},t=${NOW}`, SECRET, { now: NOW }))).not.toBe('ACCEPTED');
    // A fresh timestamp with leading zeros, a sign or a fraction is not the signed string.
    const fresh = hmac(SECRET, NOW, RAW);
    for (const t of [`0${NOW}`, `+${NOW}`, `${NOW}.0`, `${NOW}e0`, ` ${NOW}x`]) {
      expect(
        refusal(() => verifyWebhook(RAW, `t=${t},v1=${fresh}`, SECRET, { now: NOW })),
        t,
      ).not.toBe('ACCEPTED');
    }
  });

  it('keeps the timestamp check when the tolerance or the clock is not a number (e.g. Number(process.env.X) unset)', () => {
    const ancient = NOW - 30 * 86400;
    // A misread setting must fail closed, not turn the replay window into forever.
    expect(refusal(() => verifyWebhook(RAW, signed(RAW, ancient), SECRET, { now: NOW, toleranceSeconds: Number(undefined) }))).not.toBe('ACCEPTED');
    expect(refusal(() => verifyWebhook(RAW, signed(RAW, ancient), SECRET, { now: Number.NaN }))).not.toBe('ACCEPTED');
  });

  it('with several v1=, accepts only when one is made with a given secret over this body and this t', () => {
    const good = hmac(SECRET, NOW, RAW);
    const junk = crypto.randomBytes(32).toString('hex');
    expect(verifyWebhook(RAW, header(NOW, junk, good, junk), SECRET, { now: NOW }).id).toBe('evt_1');
    // During a rotation both secrets are accepted, and only they.
    expect(verifyWebhook(RAW, signed(RAW, NOW, OTHER), [SECRET, OTHER], { now: NOW }).id).toBe('evt_1');
    expect(refusal(() => verifyWebhook(RAW, header(NOW, junk, hmac(OTHER, NOW, RAW), junk), SECRET, { now: NOW }))).toBe('no_matching_signature');
    // A thousand guesses in one header are still only guesses.
    const many = Array.from({ length: 1000 }, () => crypto.randomBytes(32).toString('hex'));
    expect(refusal(() => verifyWebhook(RAW, header(NOW, ...many), SECRET, { now: NOW }))).toBe('no_matching_signature');
  });

  it('does not take a v1 under another scheme name or case (V1=, v0=, v2=) as a signature', () => {
    const good = hmac(SECRET, NOW, RAW);
    expect(refusal(() => verifyWebhook(RAW, `t=${NOW},V1=${good}`, SECRET, { now: NOW }))).toBe('malformed_header');
    expect(refusal(() => verifyWebhook(RAW, `T=${NOW},v1=${good}`, SECRET, { now: NOW }))).toBe('malformed_header');
    expect(refusal(() => verifyWebhook(RAW, `t=${NOW},v0=${good}`, SECRET, { now: NOW }))).toBe('malformed_header');
    // A sha1 or md5 HMAC, of the length the parser wants or not, never matches.
    const sha1 = crypto.createHmac('sha1', SECRET).update(`${NOW}.${RAW}`).digest('hex');
    expect(refusal(() => verifyWebhook(RAW, header(NOW, sha1), SECRET, { now: NOW }))).not.toBe('ACCEPTED');
    expect(refusal(() => verifyWebhook(RAW, 'garbage', SECRET, { now: NOW }))).toBe('malformed_header');
  });

  it('tolerates whitespace padding and upper-case hex of a genuine header, and nothing else changes with it', () => {
    const good = hmac(SECRET, NOW, RAW);
    expect(verifyWebhook(RAW, `  t=${NOW} ,  v1=${good.toUpperCase()}  `, SECRET, { now: NOW }).id).toBe('evt_1');
    // The padding cannot smuggle a second value into the signed timestamp.
    expect(refusal(() => verifyWebhook(RAW, `t=${NOW} ${NOW},v1=${good}`, SECRET, { now: NOW }))).not.toBe('ACCEPTED');
  });

  it('refuses a body a framework parsed, or parsed and serialised again, or decoded in another charset', () => {
    const pretty = JSON.stringify({ ...EVENT, data: { ...EVENT.data, note: 'café' } }, null, 2);
    const header = signed(pretty);
    expect(verifyWebhook(pretty, header, SECRET, { now: NOW }).id).toBe('evt_1');
    expect(refusal(() => verifyWebhook(JSON.parse(pretty), header, SECRET, { now: NOW }))).toBe('invalid_body');
    expect(refusal(() => verifyWebhook(JSON.stringify(JSON.parse(pretty)), header, SECRET, { now: NOW }))).toBe('no_matching_signature');
    expect(refusal(() => verifyWebhook(Buffer.from(pretty, 'utf8').toString('latin1'), header, SECRET, { now: NOW }))).toBe('no_matching_signature');
    expect(refusal(() => verifyWebhook(null as never, header, SECRET, { now: NOW }))).toBe('invalid_body');
    expect(refusal(() => verifyWebhook(new Uint16Array(4) as never, header, SECRET, { now: NOW }))).not.toBe('ACCEPTED');
  });

  it('refuses a signed body that is not an event, and a header that is not a string', () => {
    for (const body of ['[]', 'null', '{}', '{"id":1,"type":"x"}', 'not json']) {
      expect(
        refusal(() => verifyWebhook(body, signed(body), SECRET, { now: NOW })),
        body,
      ).toBe('invalid_body');
    }
    // Node hands a repeated header to some frameworks as an array: refused, never accepted.
    expect(refusal(() => verifyWebhook(RAW, [signed()] as never, SECRET, { now: NOW }))).not.toBe('ACCEPTED');
  });

  it('never verifies with a missing or empty secret (an unset environment variable)', () => {
    const emptyKeySig = signed(RAW, NOW, '');
    for (const secret of [undefined, '', [], [''], [undefined]] as never[]) {
      expect(
        refusal(() => verifyWebhook(RAW, emptyKeySig, secret, { now: NOW })),
        JSON.stringify(secret),
      ).not.toBe('ACCEPTED');
    }
  });

  it('compares every candidate with crypto.timingSafeEqual, the matching one first or not', () => {
    const spy = vi.spyOn(crypto, 'timingSafeEqual');
    const good = hmac(SECRET, NOW, RAW);
    const junk = () => crypto.randomBytes(32).toString('hex');
    verifyWebhook(RAW, header(NOW, good, junk(), junk()), [SECRET, OTHER], { now: NOW });
    // 2 secrets x 3 signatures: no early exit once the first one matched.
    expect(spy).toHaveBeenCalledTimes(6);
    spy.mockClear();
    expect(refusal(() => verifyWebhook(RAW, header(NOW, junk(), junk()), [SECRET, OTHER], { now: NOW }))).toBe('no_matching_signature');
    expect(spy).toHaveBeenCalledTimes(4);
    for (const [a, b] of spy.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
  });

  it('never puts the secret or the expected signature in an error message', () => {
    const expected = hmac(SECRET, NOW, RAW);
    const attempts = [
      () => verifyWebhook(RAW, header(NOW, '0'.repeat(64)), SECRET, { now: NOW }),
      () => verifyWebhook(RAW, signed(RAW, NOW - 9999), SECRET, { now: NOW }),
      () => verifyWebhook('x', signed('x'), SECRET, { now: NOW }),
    ];
    for (const run of attempts) {
      let text = '';
      try {
        run();
      } catch (err) {
        text = util.inspect(err, { depth: 5 }) + String((err as Error).stack);
      }
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(expected);
    }
  });
});

// ---- card-vault/server ----

const LIVE_KEY = 'sk_live_' + 'Z9'.repeat(16);
const TEST_KEY = 'sk_test_' + 'Q7'.repeat(16);

interface Heard {
  url: string;
  authorization: string | null;
}

/** A fetch that answers `answer` and records what was sent. */
function recorder(answer: (request: Request) => Response = () => Response.json({ data: [], has_more: false })) {
  const heard: Heard[] = [];
  const fetch = async (request: Request) => {
    heard.push({ url: request.url, authorization: request.headers.get('authorization') });
    return answer(request);
  };
  return { heard, fetch };
}

function listen(handler: http.RequestListener): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise<void>((done) => server.close(() => done())) });
    }),
  );
}

describe('createVaultClient and the secret key', () => {
  it('never repeats the key in its option errors, whatever was swapped or mistyped', () => {
    const cases: unknown[] = [
      { baseUrl: TEST_KEY, secretKey: 'http://localhost:4000' },
      { baseUrl: `ftp://${TEST_KEY}`, secretKey: TEST_KEY },
      { baseUrl: 'http://localhost:4000', secretKey: `pk_${TEST_KEY}` },
      { baseUrl: 'http://localhost:4000', secretKey: `x${TEST_KEY}` },
    ];
    for (const options of cases) {
      let message = 'ACCEPTED';
      try {
        createVaultClient(options as never);
      } catch (err) {
        message = util.inspect(err) + String((err as Error).message);
      }
      expect(message).not.toBe('ACCEPTED');
      expect(message).not.toContain(TEST_KEY.slice(3));
    }
  });

  it('sends the key only to the vault it was given, whatever a path parameter holds', async () => {
    const { heard, fetch } = recorder();
    const vault = createVaultClient({ baseUrl: 'http://vault.test:4000', secretKey: TEST_KEY, fetch, maxRetries: 0 });
    for (const customer of ['@evil.test', '../../../../evil', '//evil.test/x', 'a?b=c#d', 'x/../../v1/merchant/roll_secret_key']) {
      await vault.GET('/v1/customers/{customer}/cards', { params: { path: { customer } } }).catch(() => undefined);
    }
    expect(heard.length).toBe(5);
    for (const h of heard) {
      const url = new URL(h.url);
      expect(url.host, h.url).toBe('vault.test:4000');
      expect(url.username + url.password).toBe('');
      expect(url.pathname, h.url).toMatch(/^\/v1\/customers\/[^/]+\/cards$/);
    }
  });

  it('does not forward the key when the vault (or something in front of it) redirects to another origin', async () => {
    const elsewhere: (string | undefined)[] = [];
    const other = await listen((req, res) => {
      elsewhere.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[],"has_more":false}');
    });
    const vault = await listen((_req, res) => res.writeHead(307, { location: `${other.origin}/v1/charges` }).end());
    try {
      const client = createVaultClient({ baseUrl: vault.origin.replace('127.0.0.1', 'localhost'), secretKey: TEST_KEY, maxRetries: 0 });
      await client.GET('/v1/charges').catch(() => undefined);
      await client.POST('/v1/sessions', { body: { amount: 100, currency: 'USD' } as never }).catch(() => undefined);
      expect(elsewhere.length, 'the redirect was followed').toBeGreaterThan(0);
      for (const h of elsewhere) expect(h ?? '').not.toContain(TEST_KEY);
    } finally {
      await Promise.all([vault.close(), other.close()]);
    }
  });

  it('refuses to send a live secret key in cleartext (http://) to a host that is not this machine', async () => {
    const { heard, fetch } = recorder();
    let refused = false;
    try {
      const vault = createVaultClient({ baseUrl: 'http://vault.example.com', secretKey: LIVE_KEY, fetch, maxRetries: 0 });
      await vault.GET('/v1/charges');
    } catch {
      refused = true;
    }
    const cleartext = heard.filter((h) => h.url.startsWith('http:') && h.authorization?.includes(LIVE_KEY));
    expect(cleartext, 'sk_live_ went over http:// to vault.example.com').toEqual([]);
    expect(refused).toBe(true);
  });

  it('keeps the key out of the console, its errors, a lost connection and the client object', async () => {
    const printed: string[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(util.format(...args)));
    }
    const writes = vi.spyOn(process.stderr, 'write');
    const { fetch } = recorder((request) =>
      // A vault that echoes what it was sent in its error message must not make the SDK print it more.
      Response.json({ error: { type: 'invalid_request_error', code: 'resource_missing', message: 'nope' } }, { status: request.method === 'POST' ? 400 : 503 }),
    );
    const vault = createVaultClient({ baseUrl: 'http://localhost:1', secretKey: TEST_KEY, fetch, maxRetries: 1, maxDelayMs: 1 });
    const errors: unknown[] = [];
    await vault.GET('/v1/charges').catch((e: unknown) => errors.push(e));
    await vault.POST('/v1/sessions', { body: { amount: 1, currency: 'USD' } as never }).catch((e: unknown) => errors.push(e));
    // The real network, nothing listening: the thrown error and its cause.
    const down = createVaultClient({ baseUrl: 'http://127.0.0.1:9', secretKey: TEST_KEY, maxRetries: 0 });
    await down.GET('/v1/charges').catch((e: unknown) => errors.push(e));
    expect(errors.length).toBe(3);
    expect(errors[0]).toBeInstanceOf(VaultError);
    const dump = errors.map((e) => util.inspect(e, { depth: 8, showHidden: true }) + JSON.stringify(e)).join('\n');
    expect(dump).not.toContain(TEST_KEY);
    expect(util.inspect(vault, { depth: 8, showHidden: true })).not.toContain(TEST_KEY);
    expect(JSON.stringify(vault) ?? '').not.toContain(TEST_KEY);
    expect(printed.join('\n')).not.toContain(TEST_KEY);
    expect(writes.mock.calls.map((c) => String(c[0])).join('')).not.toContain(TEST_KEY);
  });
});
