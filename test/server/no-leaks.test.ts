// Card numbers and CVCs never appear in a log line, a response or the stored data, in any form.
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { runCli } from '../helpers/storage-scan.ts';
import { CARDS, openSession, startTestVault, type Reply, type TestVault, LIFTABLE_LIMITS } from '../helpers/test-vault.ts';

// Distinctive CVCs, so that a hit is a leak and not a coincidence.
const CVC = '583';
const AMEX_CVC = '7391';
const year = new Date().getUTCFullYear() + 4;
const ALL_NUMBERS = Object.values(CARDS);

/** Every way a number could be written: plain, spaced in fours, Amex-style, dashed. */
function forms(number: string): string[] {
  const fours = number.match(/.{1,4}/g)!.join(' ');
  const amex = number.length === 15 ? `${number.slice(0, 4)} ${number.slice(4, 10)} ${number.slice(10)}` : fours;
  return [number, fours, amex, ...['-', '.', '_', '/'].map((separator) => fours.replace(/ /g, separator))];
}

/** A CVC counts as leaked when it stands alone, not inside an id, a base64 blob or a timestamp. */
const cvcPattern = (cvc: string) => new RegExp(`(?<![A-Za-z0-9+/=.])${cvc}(?![A-Za-z0-9+/=])`);

function findLeaks(haystack: string | Buffer, where: string): string[] {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  const leaks: string[] = [];
  for (const number of ALL_NUMBERS) for (const f of forms(number)) if (text.includes(f)) leaks.push(`${where}: card number ${number.slice(-4)}`);
  for (const cvc of [CVC, AMEX_CVC]) if (cvcPattern(cvc).test(text)) leaks.push(`${where}: CVC ${cvc}`);
  // UTF-16 copies, in case anything wrote wide strings.
  if (typeof haystack !== 'string') {
    const wide = haystack.toString('utf16le');
    for (const number of ALL_NUMBERS) if (wide.includes(number)) leaks.push(`${where}: card number ${number.slice(-4)} (utf-16)`);
  }
  return leaks;
}

describeEachDb('no card number or CVC leaks', (target) => {
  let v: TestVault;
  const replies: Reply[] = [];
  const hostile: Reply[] = [];
  const record = async (p: Promise<Reply>) => {
    const r = await p;
    replies.push(r);
    return r;
  };
  const card = (number: string, spaced = false) => ({
    number: spaced ? forms(number)[number.length === 15 ? 2 : 1] : number,
    exp_month: 11,
    exp_year: year,
    cvc: number.startsWith('37') ? AMEX_CVC : CVC,
  });

  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await record(v.api('POST', '/v1/merchant', { body: { frame_limit_per_address: 0, rate_limit: 0, one_click_after: 0 } }));
    // Every test card, new, saved and as a guest, spaced and plain.
    for (const [i, number] of ALL_NUMBERS.entries()) {
      const customer = `leak-${i}`;
      for (const mode of ['payment', 'setup'] as const) {
        const s = await openSession(v, mode === 'payment' ? { customer, order: `o-${i}` } : { mode, customer, amount: undefined, currency: undefined });
        await record(v.frame('/frame/v1/session', s.secret));
        const res = await record(v.frame('/frame/v1/confirm', s.secret, { card: card(number, i % 2 === 0), save: true, consent_text: 'Save this card' }));
        if (res.body?.status === 'requires_action') {
          const id = res.body.next_action.challenge;
          await record(v.api('GET', `/frame/3ds/${id}`, { key: '' }));
          await record(v.frame(`/frame/v1/challenges/${id}`, s.secret, { code: '123456' }));
          await record(v.frame('/frame/v1/confirm', s.secret, { card: card(number), save: true, challenge: id }));
        }
      }
      const guest = await openSession(v);
      await record(v.frame('/frame/v1/confirm', guest.secret, { card: card(number) }));
      // Imports carry the number in a merchant request; bad input must not echo it either.
      await record(
        v.api('POST', `/v1/customers/${customer}/cards`, { body: { number, exp_month: 10, exp_year: year }, headers: { 'idempotency-key': `imp-${i}` } }),
      );
      await record(
        v.api('POST', `/v1/customers/${customer}/cards`, {
          body: { number: `${number.slice(0, -1)}${(Number(number.at(-1)) + 1) % 10}`, exp_month: 10, exp_year: year },
        }),
      );
      await record(v.api('POST', `/v1/customers/${customer}/cards`, { body: { number, exp_month: 13, exp_year: year, cvc: CVC } }));
      const cards = await record(v.api('GET', `/v1/customers/${customer}/cards`));
      for (const c of cards.body.data ?? []) {
        const s = await openSession(v, { customer });
        await record(v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: c.token, cvc: number.startsWith('37') ? AMEX_CVC : CVC } }));
        await record(v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: c.token, cvc: '000' } }));
      }
      const charges = await record(v.api('GET', `/v1/charges?customer=${customer}`));
      for (const ch of charges.body.data ?? []) {
        await record(v.api('GET', `/v1/charges/${ch.id}`));
        if (ch.status === 'succeeded') await record(v.api('POST', `/v1/charges/${ch.id}/refunds`, { body: { amount: 1 } }));
      }
      await record(v.api('GET', `/v1/customers/${customer}`));
      if (cards.body.data?.[0]) await record(v.api('DELETE', `/v1/customers/${customer}/cards/${cards.body.data[0].token}`));
    }
    // Malformed and hostile bodies: a number in an unknown field, in a non-JSON body, in a bad customer.
    await record(v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD', note: CARDS.visa } }));
    await record(v.api('POST', '/v1/sessions', { raw: `number=${CARDS.visa}&cvc=${CVC}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    await record(v.api('GET', `/v1/customers/${CARDS.visa}x`));
    // Keys are the caller's text too, and an error is stored for its Idempotency-Key: a number as an
    // unknown parameter's name (in any spelling), as a header name of a forward, or as the key itself.
    const [, dotted, , underscored] = forms(CARDS.visa).slice(1);
    hostile.push(
      await record(v.api('POST', '/v1/customers/leak-keys', { body: { [dotted]: 1 }, headers: { 'idempotency-key': 'hostile-1' } })),
      await record(
        v.api('POST', '/v1/forward', {
          body: { destination: 'x', customer: 'c1', card: 'card_x', request: { method: 'POST', headers: { [forms(CARDS.mastercard)[1]]: 'v' }, body: 'a=1' } },
          headers: { 'idempotency-key': 'hostile-2' },
        }),
      ),
      await record(v.api('POST', '/v1/sessions', { body: { amount: 100, currency: 'USD' }, headers: { 'idempotency-key': underscored } })),
    );
    // A forward's header names, read once the destination is the merchant's: a number in one (sent on, and kept
    // with a session's forward), and a name given twice, which the refusal named.
    const added = await runCli(v, 'server/cli/forward.ts', ['add', '--merchant', v.merchant.id, '--name', 'leaks', '--url', 'http://127.0.0.1:9/']);
    expect(added.code, added.err).toBe(0);
    const dashed = forms(CARDS.visa)[3];
    const forwardWith = (headers: Record<string, string>, key: string) =>
      record(
        v.api('POST', '/v1/forward', {
          body: { destination: 'leaks', customer: 'c1', card: 'card_x', request: { method: 'POST', headers, body: 'a=1' } },
          headers: { 'idempotency-key': key },
        }),
      );
    hostile.push(
      await forwardWith({ [`X-${dashed}`]: 'a', [`x-${dashed}`]: 'b' }, 'hostile-4'),
      await record(
        v.api('POST', '/v1/sessions', {
          body: {
            amount: 100,
            currency: 'USD',
            forward: { destination: 'leaks', request: { method: 'POST', headers: { [`X-Card-${dashed}`]: 'v' }, body: 'a=1' } },
          },
          headers: { 'idempotency-key': 'hostile-5' },
        }),
      ),
      // Twelve digits: no card number, but what the vault never quotes back either.
      await forwardWith({ 'X-Ref-1234-5678-9012': 'a', 'x-ref-1234-5678-9012': 'b' }, 'hostile-6'),
    );
    await record(v.api('GET', '/v1/events?limit=100'));
  });
  afterAll(() => v.close());

  it('exercised the payments it meant to', () => {
    const statuses = new Set(replies.map((r) => r.status));
    for (const s of [200, 201, 400, 402, 502]) expect(statuses).toContain(s);
    expect(v.logs.length).toBeGreaterThan(100);
  });

  it('refuses the hostile keys in the contract shape, without the number', () => {
    expect(hostile.map((r) => [r.status, r.body.error?.code])).toEqual([
      [400, 'parameter_unknown'],
      [400, 'parameter_invalid'],
      [400, 'parameter_invalid'],
      [400, 'parameter_invalid'],
      [400, 'parameter_invalid'],
      [400, 'parameter_invalid'],
    ]);
    expect(hostile[2].body.error.param).toBe('Idempotency-Key');
    expect(hostile.slice(3).map((r) => r.body.error.param)).toEqual(['request.headers', 'forward.request.headers', 'request.headers']);
    expect(hostile[5].body.error.message).toBe('request.headers: [redacted] is given twice');
  });

  it("keeps the refusals of a forward's header names without the number", async () => {
    const rows = await v.runtime.deps.db
      .selectFrom('idempotency_keys')
      .select(['key', 'response_status', 'response_body'])
      .where('key', 'in', ['hostile-4', 'hostile-5', 'hostile-6'])
      .orderBy('key')
      .execute();
    expect(rows.map((r) => [r.key, r.response_status])).toEqual([
      ['hostile-4', 400],
      ['hostile-5', 400],
      ['hostile-6', 400],
    ]);
    expect(rows.flatMap((r) => findLeaks(r.response_body ?? '', r.key))).toEqual([]);
    expect(rows[2].response_body).not.toContain('1234-5678-9012');
  });

  it('prints no card number or CVC in any log line', () => {
    expect(v.logs.flatMap((line, i) => findLeaks(line, `log line ${i}`))).toEqual([]);
  });

  it('answers no card number or CVC in any response', () => {
    expect(replies.flatMap((r, i) => findLeaks(r.text, `response ${i} (${r.status}) ${r.text.slice(0, 300)}`))).toEqual([]);
  });

  it('stores no card number or CVC in any byte of the data', async () => {
    if (target === 'sqlite') {
      const files = fs.readdirSync(v.dataDir);
      expect(files).toEqual(expect.arrayContaining(['vault.db', 'vault.db-wal']));
      expect(files.flatMap((f) => findLeaks(fs.readFileSync(path.join(v.dataDir, f)), f))).toEqual([]);
    } else {
      const tables = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(v.runtime.deps.db);
      const leaks: string[] = [];
      for (const { tablename } of tables.rows) {
        const rows = await sql`select * from ${sql.table(tablename)}`.execute(v.runtime.deps.db);
        leaks.push(...findLeaks(JSON.stringify(rows.rows), `table ${tablename}`));
      }
      expect(leaks).toEqual([]);
    }
  });
});
