// A local stand-in for WEBPAY's recurring payment of a card bound at another provider: a form-encoded
// POST of the wsb_* fields, signed with the shop's SecretKey as WEBPAY documents for recurring
// payments (SHA1 of wsb_seed, wsb_storeid, wsb_customer_id, wsb_order_num, wsb_test, wsb_currency_id,
// wsb_total, wsb_operation_type, wsb_recurring_token and the SecretKey, in that order), with the card
// as the fields of WEBPAY's card data block: cc_pan, cc_exp (MM/YYYY) and cc_name. Formats per
// https://docs.webpay.by/en/paymentIntegration/recurrent/recurrentPayment and
// https://docs.webpay.by/en/merchantPCIDSS/PCIDSSRecurrent (real WEBPAY wants that block RSA-encrypted
// in wsb_encrypted_data; the stand-in takes it as plain fields). The answer is the JSON of
// wsb_return_format=json, its card as trimPan (123456xxxxxx1234). `echoPan` makes it echo the full
// number (a debugging provider), to show that the vault masks it.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebpayCall {
  headers: http.IncomingHttpHeaders;
  raw: string;
  fields: Record<string, string>;
}

export interface FakeWebpay {
  url: string;
  secretKey: string;
  calls: WebpayCall[];
  echoPan: boolean;
  delayMs: number;
  close(): Promise<void>;
}

const SIGNED = [
  'wsb_seed',
  'wsb_storeid',
  'wsb_customer_id',
  'wsb_order_num',
  'wsb_test',
  'wsb_currency_id',
  'wsb_total',
  'wsb_operation_type',
  'wsb_recurring_token',
];

/** The signature a shop computes for a recurring request (version 2: SHA1). */
export function webpaySignature(fields: Record<string, string>, secretKey: string): string {
  return crypto
    .createHash('sha1')
    .update(SIGNED.map((f) => fields[f] ?? '').join('') + secretKey)
    .digest('hex');
}

export async function startFakeWebpay(secretKey = 'jPwe3d5nmN'): Promise<FakeWebpay> {
  const calls: WebpayCall[] = [];
  const fake: FakeWebpay = { url: '', secretKey, calls, echoPan: false, delayMs: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const fields = Object.fromEntries(new URLSearchParams(raw));
      calls.push({ headers: req.headers, raw, fields });
      const answer = (status: number, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(payload));
        }, fake.delayMs);
      if (req.method !== 'POST' || !/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? ''))
        return answer(400, { error: 'expected a form-encoded POST' });
      if (fields.wsb_signature !== webpaySignature(fields, secretKey)) return answer(200, { error: 'wrong wsb_signature' });
      if (fields.wsb_operation_type !== 'recurring_pay') return answer(200, { error: 'wsb_operation_type must be recurring_pay' });
      if (!/^\d{13,19}$/.test(fields.cc_pan ?? '') || !/^(0[1-9]|1[0-2])\/\d{4}$/.test(fields.cc_exp ?? ''))
        return answer(200, { error: 'cc_pan or cc_exp malformed' });
      const pan = fields.cc_pan;
      const n = calls.length;
      return answer(
        200,
        {
          time: '2026-01-15 12:00:00',
          orderNumber: fields.wsb_order_num,
          invoiceNumber: `INV${n}`,
          transaction: `T${n}`,
          authorizationCode: 'A1B2C3',
          Rrn: `RRN${n}`,
          trimPan: `${pan.slice(0, 6)}xxxxxx${pan.slice(-4)}`,
          payee: fields.cc_name,
          amount: fields.wsb_total,
          currency: fields.wsb_currency_id,
          ...(fake.echoPan ? { debug: { pan, spaced: pan.match(/.{1,4}/g)!.join(' ') } } : {}),
        },
        fake.echoPan ? { 'x-request-id': `req-${pan.match(/.{1,4}/g)!.join('-')}` } : { 'x-request-id': `req-${n}` },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
