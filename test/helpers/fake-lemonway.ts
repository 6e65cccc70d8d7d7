// A local stand-in for Lemonway's RegisterCard (the JSON flavour of its DirectKit): the request's
// fields as Lemonway documents them (wallet, cardType 0 CB / 1 Visa / 2 Mastercard, cardNumber,
// cardCode, cardDate MM/YYYY) and its answer { CARD: { ID, EXTRA: { IS3DS, CTRY, AUTH, NUM, EXP } } },
// NUM being the card masked as 497010XXXXXX0014. Format per
// https://documentation.lemonway.com/reference/deprecated-registercard
// The caller is authenticated by the bearer token of Lemonway's current API, which the vault's
// operator registers as the destination's header. It records every request, so a test can see what
// the vault sent (the CVC arrives here, and only here).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where a merchant's DirectKit lives: https://sandbox-api.lemonway.fr/mb/{company}/dev/directkitjson2/Service.asmx */
export const LEMONWAY_SERVICE = '/mb/demo/dev/directkitjson2/Service.asmx';

export interface LemonwayCall {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown> | undefined;
}

export interface FakeLemonway {
  /** The DirectKit's URL, as the operator registers it; methods are paths under it (/RegisterCard). */
  url: string;
  token: string;
  calls: LemonwayCall[];
  /** Answers this many milliseconds late (a slow provider). */
  delayMs: number;
  close(): Promise<void>;
}

const masked = (pan: string) => `${pan.slice(0, 6)}${'X'.repeat(pan.length - 10)}${pan.slice(-4)}`;

export async function startFakeLemonway(token = 'lw-oauth-token-7f3c9a'): Promise<FakeLemonway> {
  const calls: LemonwayCall[] = [];
  let cards = 0;
  const fake: FakeLemonway = { url: '', token, calls, delayMs: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      calls.push({ path: req.url ?? '', headers: req.headers, raw, body });
      const answer = (status: number, payload: unknown) =>
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(status, {
            'content-type': 'application/json; charset=utf-8',
            'x-request-id': `lw-req-${calls.length}`,
            'set-cookie': 'lw-session=secret-session',
          });
          res.end(JSON.stringify(payload));
        }, fake.delayMs);
      const error = (code: string, msg: string) => answer(200, { CARD: null, E: { Code: code, Msg: msg } });
      if (req.method !== 'POST' || req.url !== `${LEMONWAY_SERVICE}/RegisterCard`) return answer(404, { message: 'no such method' });
      if (req.headers.authorization !== `Bearer ${token}`) return answer(401, { message: 'invalid token' });
      if (!/^application\/json/.test(req.headers['content-type'] ?? '') || !body) return error('400', 'body is not JSON');
      const { wallet, cardType, cardNumber, cardCode, cardDate } = body as Record<string, string>;
      if (typeof wallet !== 'string' || !wallet) return error('147', 'wallet is missing');
      if (!['0', '1', '2'].includes(cardType)) return error('142', 'cardType must be 0, 1 or 2');
      if (!/^\d{13,19}$/.test(cardNumber ?? '')) return error('143', 'cardNumber must be 13-19 digits');
      if (!/^\d{3,4}$/.test(cardCode ?? '')) return error('144', 'cardCode must be 3 or 4 digits');
      if (!/^(0[1-9]|1[0-2])\/\d{4}$/.test(cardDate ?? '')) return error('145', 'cardDate must be MM/YYYY');
      cards++;
      return answer(200, {
        CARD: { ID: String(1000 + cards), EXTRA: { IS3DS: '0', CTRY: 'FRA', AUTH: `A${cards}`, NUM: masked(cardNumber), EXP: cardDate } },
        E: null,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${LEMONWAY_SERVICE}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
