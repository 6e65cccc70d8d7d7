// A test-mode shop on the simulated processor takes test cards only: a real card number typed into the
// fields or imported through the API is refused (402 card_declined / test_mode_live_card) before
// anything stores, charges or logs it. Numbers with a test card's first six and last four are test cards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCard } from '../../server/cards/card-store.ts';
import { ensureCustomer } from '../../server/customers/customer-store.ts';
import { binFacts } from '../../server/payments/bin-facts.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { everyRow } from '../helpers/storage-scan.ts';
import { freshVisa, guessesBetween, realLookingVisa, withCheckDigit } from '../helpers/test-cards.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, newShop, openSession, recordAuthorizations, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const realLooking = realLookingVisa;
const middle = (n: string) => n.slice(6, n.length - 4);
const FULL_WIDTH = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
const ARABIC_INDIC = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
/** A valid 19-digit number with 4242 4242's first six and last four: not a test card (wrong length). */
function testEnds19(): string {
  for (let mid = 123_456_789; ; mid++) {
    const c = withCheckDigit(`424242${mid}424`);
    if (c.endsWith('4242')) return c;
  }
}
const groups = (s: string, sep: string) => s.match(/.{1,4}/g)!.join(sep);

describeEachDb('test cards only, in test mode', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    // Many requests from one merchant and one address: the limits would answer 429 before the rule.
    await v.api('POST', '/v1/merchant', { body: { frame_limit_per_address: 0, rate_limit: 0 } });
  });
  afterAll(() => v.close());

  let n = 0;
  const uniq = (p: string) => `${p}-${target.slice(0, 2)}-${++n}`;
  const nextYear = new Date().getUTCFullYear() + 3;
  const exp = { exp_month: 12, exp_year: nextYear };

  /** A merchant's agreement for `card`, recorded through the API. */
  const agreement = (card: string, consent: Record<string, string> = {}) => ({
    card,
    min_amount: 100,
    max_amount: 10_000,
    currency: 'USD',
    frequency_days: 0,
    end_date: `${nextYear}-12-31`,
    consent: { text: 'Agreed by phone', accepted_at: '2024-01-01T00:00:00Z', ...consent },
  });

  const expectRefused = (res: { status: number; text: string; body: any }, number: string) => {
    expect(res.status, res.text).toBe(402);
    expect(res.body.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'test_mode_live_card', param: 'card.number' });
    expect(res.body.error.message).toMatch(/test mode/);
    expect(res.text).not.toContain(number);
    expect(res.text).not.toContain(number.slice(6, 12));
  };

  it('refuses a real card typed into the fields, before the processor hears of it, and stores nothing of it', async () => {
    const asked = recordAuthorizations(v);
    const customer = uniq('typed');
    const number = realLooking();
    const s = await openSession(v, { customer, save_card: 'ask', amount: 1500, currency: 'USD' });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true });
    expectRefused(res, number);
    expect(asked).toEqual([]);
    // The session is still open, with no failed attempt counted: the customer may type a test card.
    const again = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
    expect(again.status, again.text).toBe(200);
    expect(again.body.status).toBe('succeeded');
    const stored = await everyRow(v, target, 'cards');
    expect(stored).not.toContain(number);
    expect(stored).not.toContain(number.slice(6, 12));
    expect((await v.api('GET', `/v1/customers/${customer}/cards`)).body.data.map((c: { last4: string }) => c.last4)).toEqual(['4242']);
  });

  it('refuses a real card imported through the API, and stores nothing of it', async () => {
    const customer = uniq('import');
    const number = realLooking();
    const res = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number, ...exp } });
    expectRefused(res, number);
    expect((await v.api('GET', `/v1/customers/${customer}/cards`)).body.data).toEqual([]);
    expect(await everyRow(v, target, 'cards')).not.toContain(number);
  });

  it('takes every card of the test table, and any number with a test card’s first six and last four', async () => {
    for (const number of [CARDS.visa, CARDS.mastercard, CARDS.amex, CARDS.declineAfterSave, freshVisa(), '4242426556624242', '5555555105194444']) {
      const res = await v.api('POST', `/v1/customers/${uniq('test-card')}/cards`, { body: { number, ...exp } });
      expect(res.status, `${number}: ${res.text}`).toBe(201);
    }
    // The first six of a test card are not enough, nor its last four.
    for (const number of [withCheckDigit('424242123456789'), guessesBetween('453912', '4242', 1, '')[0]]) {
      expectRefused(await v.api('POST', `/v1/customers/${uniq('near')}/cards`, { body: { number, ...exp } }), number);
    }
  });

  it('leaves a test-mode shop on a real provider’s test account to that provider (an import is not checked)', async () => {
    const shop = await newShop(v);
    const set = await shop.api('POST', '/v1/merchant', { processor: { type: 'stripe', secret_key: 'sk_test_local_provider_account' } });
    expect(set.status, set.text).toBe(200);
    const res = await shop.api('POST', `/v1/customers/${uniq('provider')}/cards`, { number: '4111111111111111', ...exp });
    expect(res.status, res.text).toBe(201);
  });

  it('charges no real card stored before the rule: not in one click, not merchant-initiated under a mandate', async () => {
    const asked = recordAuthorizations(v);
    const { deps } = v.runtime;
    const groupId = v.merchant.group;
    const customer = uniq('before');
    const number = realLooking();
    // Stored as the vault stored them before test mode took test cards only: one saved at checkout, one imported.
    const plant = async (card: string, source: 'checkout' | 'import') => {
      await ensureCustomer(deps.db, groupId, customer, new Date());
      const at = new Date();
      const { row } = await saveCard(deps.db, deps.ring, deps.fingerprints, {
        groupId,
        customer,
        card: { number: card, brand: 'visa', exp_month: 12, exp_year: nextYear },
        bin: binFacts(card.slice(0, 6)),
        source,
        now: at,
      });
      // Paid with once already, so that the shop offers it in one click.
      await deps.db.updateTable('cards').set({ successful_payments: 1 }).where('token', '=', row.token).execute();
      return row.token;
    };
    const saved = await plant(number, 'checkout');
    const s = await openSession(v, { customer, amount: 1500, currency: 'USD' });
    const oneClick = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: saved, cvc: '123' } });
    expect(oneClick.status, oneClick.text).toBe(402);
    expect(oneClick.body.error).toMatchObject({ code: 'card_declined', decline_code: 'test_mode_live_card', param: 'saved_card.token' });
    expect(oneClick.text).not.toContain(number);

    // A shop that imported a real card while on a provider's test account, then went back to the simulated processor.
    const shop = await newShop(v);
    expect((await shop.api('POST', '/v1/merchant', { processor: { type: 'stripe', secret_key: 'sk_test_local_provider_account' } })).status).toBe(200);
    const importedNumber = realLooking();
    const imported = await shop.api('POST', `/v1/customers/${customer}/cards`, { number: importedNumber, ...exp });
    expect(imported.status, imported.text).toBe(201);
    const back = await shop.api('POST', '/v1/merchant', { processor: { type: 'simulated' } });
    expect(back.status, back.text).toBe(200);
    const mandate = await shop.api(
      'POST',
      `/v1/customers/${customer}/mandates`,
      agreement(imported.body.token, { text: 'Signed at our previous provider', network_transaction_id: 'ntid_before' }),
    );
    expect(mandate.status, mandate.text).toBe(201);
    const charge = await shop.api(
      'POST',
      '/v1/charges',
      { customer, card: imported.body.token, mandate: mandate.body.id, amount: 1000, currency: 'USD' },
      { 'idempotency-key': uniq('before-charge') },
    );
    expect(charge.status, charge.text).toBe(402);
    expect(charge.body.error).toMatchObject({ code: 'card_declined', decline_code: 'test_mode_live_card', param: 'card' });
    expect(charge.text).not.toContain(importedNumber);
    expect(asked).toEqual([]);
    expect(asked.filter((a) => a.card.number === importedNumber)).toEqual([]);
    expect(await deps.db.selectFrom('charges').select('id').where('customer', '=', customer).execute()).toEqual([]);

    // The same session still pays with a test card stored the same way.
    const test = await plant(freshVisa(), 'checkout');
    const paid = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token: test, cvc: '123' } });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body.status).toBe('succeeded');
  });

  // From the attack review of this rule: formats, other sessions, 3-D Secure, replays, sister shops, logs.
  const noEcho = (text: string, number: string) => {
    expect(text).not.toContain(number);
    expect(text).not.toContain(middle(number));
  };

  const variants = (r: string): [string, string][] => [
    ['plain', r],
    ['spaces', groups(r, ' ')],
    ['dashes', groups(r, '-')],
    ['nbsp', groups(r, '\u00a0')],
    ['figure space', groups(r, '\u2007')],
    ['ideographic space', groups(r, '\u3000')],
    ['tab/newline', groups(r, '\t') + '\n'],
    ['zero-width space', groups(r, '\u200b')],
    ['soft hyphen', groups(r, '\u00ad')],
    ['dots', groups(r, '.')],
    ['full-width digits', FULL_WIDTH(r)],
    ['arabic-indic digits', ARABIC_INDIC(r)],
    ['leading zero', `0${r}`],
    ['leading zeros', `000${r}`],
    ['surrounding spaces', `  ${r}  `],
    ['over 40 chars (zod)', `${r}${' '.repeat(30)}`],
    ['19-digit visa', realLooking(19)],
    ['13-digit visa', realLooking(13)],
    ['19 digits with a test first six/last four', testEnds19()],
  ];

  it('import: no formatting of a real number is stored (each variant refused, nothing echoed)', async () => {
    const asked = recordAuthorizations(v);
    const r = realLooking();
    for (const [name, number] of variants(r)) {
      const customer = uniq('fmt');
      const res = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number, ...exp } });
      expect(res.status, `${name}: ${res.text}`).toBeGreaterThanOrEqual(400);
      if (res.status === 402) expect(res.body.error.decline_code, name).toBe('test_mode_live_card');
      noEcho(res.text, number.replace(/\D/g, '') || r);
      noEcho(res.text, r);
      expect((await v.api('GET', `/v1/customers/${customer}/cards`)).body.data, name).toEqual([]);
    }
    expect(asked).toEqual([]);
    expect(await everyRow(v, target, 'cards')).not.toContain(middle(r));
  });

  it('fields: no formatting of a real number is charged or saved', async () => {
    const asked = recordAuthorizations(v);
    const r = realLooking();
    for (const [name, number] of variants(r)) {
      const customer = uniq('fmt-frame');
      const s = await openSession(v, { customer, save_card: 'ask', amount: 1500, currency: 'USD' });
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true });
      expect(res.status, `${name}: ${res.text}`).toBeGreaterThanOrEqual(400);
      noEcho(res.text, r);
      expect((await v.api('GET', `/v1/customers/${customer}/cards`)).body.data, name).toEqual([]);
    }
    expect(asked.filter((a) => !a.card.number.startsWith('424242'))).toEqual([]);
  });

  it('setup session (no payment) and recurring session: a real number is refused too', async () => {
    const asked = recordAuthorizations(v);
    const r = realLooking();
    const customer = uniq('setup');
    const setup = await v.api('POST', '/v1/sessions', { body: { mode: 'setup', customer, save_card: 'require' } });
    expect(setup.status, setup.text).toBe(201);
    {
      const res = await v.frame('/frame/v1/confirm', setup.body.client_secret, { card: newCard(r), save: true });
      expect(res.status, res.text).toBe(402);
      noEcho(res.text, r);
    }
    const rec = await v.api('POST', '/v1/sessions', {
      body: { amount: 1000, currency: 'USD', customer, recurring: { min_amount: 500, max_amount: 2000, frequency_days: 0, end_date: `${nextYear}-12-31` } },
    });
    expect(rec.status, rec.text).toBe(201);
    const res = await v.frame('/frame/v1/confirm', rec.body.client_secret, { card: newCard(r), save: true });
    expect(res.status, res.text).toBe(402);
    noEcho(res.text, r);
    expect(asked).toEqual([]);
    expect((await v.api('GET', `/v1/customers/${customer}/cards`)).body.data).toEqual([]);
  });

  it('a 3-D Secure challenge passed with the test challenge card does not let a real number through', async () => {
    const asked = recordAuthorizations(v);
    const r = realLooking();
    const customer = uniq('3ds');
    const s = await openSession(v, { customer, save_card: 'ask', amount: 1500, currency: 'USD' });
    const first = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge), save: true });
    const challenge = first.body?.next_action?.challenge;
    expect(challenge, first.text).toBeTruthy();
    {
      const passed = await v.frame(`/frame/v1/challenges/${challenge}`, s.secret, { code: '123456' });
      expect(passed.status, passed.text).toBe(200);
      const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(r), save: true, challenge });
      expect(res.status, res.text).toBe(402);
      noEcho(res.text, r);
    }
    expect(asked.filter((a) => a.card.number === r)).toEqual([]);
    expect(await everyRow(v, target, 'cards')).not.toContain(middle(r));
  });

  it('idempotency: a key first used for a test-card import, replayed with a real number, never stores it', async () => {
    const customer = uniq('idem');
    const r = realLooking();
    const key = `review-${target}-${Math.random().toString(36).slice(2)}`;
    const first = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number: CARDS.visa, ...exp }, headers: { 'idempotency-key': key } });
    expect(first.status, first.text).toBe(201);
    const replay = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number: r, ...exp }, headers: { 'idempotency-key': key } });
    expect(replay.status, replay.text).not.toBe(201);
    noEcho(replay.text, r);
    // And the other order: the key first refused for a real number, then a test card, then the real number again.
    const key2 = `${key}-2`;
    const refused = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number: r, ...exp }, headers: { 'idempotency-key': key2 } });
    expect(refused.status, refused.text).toBe(402);
    const again = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number: r, ...exp }, headers: { 'idempotency-key': key2 } });
    expect(again.status, again.text).toBe(402);
    const cards = (await v.api('GET', `/v1/customers/${customer}/cards`)).body.data;
    expect(cards.map((c: { last4: string }) => c.last4)).toEqual(['4242']);
  });

  it('the holder field cannot carry a real number into storage', async () => {
    const customer = uniq('holder');
    const r = realLooking();
    for (const holder of [r, groups(r, ' '), `Jane ${groups(r, '-')}`]) {
      const res = await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number: CARDS.visa, ...exp, holder } });
      expect(res.status, res.text).toBe(400);
      noEcho(res.text, r);
    }
    expect(await everyRow(v, target, 'cards')).not.toContain(middle(r));
  });

  it('a sister shop on a provider test account imports a real number: the simulated sister cannot charge it', async () => {
    const asked = recordAuthorizations(v);
    const a = await newShop(v);
    const set = await a.api('POST', '/v1/merchant', { processor: { type: 'stripe', secret_key: 'sk_test_local_provider_account' } });
    expect(set.status, set.text).toBe(200);
    const b = await newShop(v, { group: a.group });
    const customer = uniq('sister');
    const r = realLooking();
    const imported = await a.api('POST', `/v1/customers/${customer}/cards`, { number: r, ...exp });
    expect(imported.status, imported.text).toBe(201);
    const token = imported.body.token;
    // B: a mandate on A's imported card.
    const mandate = await b.api('POST', `/v1/customers/${customer}/mandates`, agreement(token));
    expect(mandate.status, mandate.text).not.toBe(201);
    expect(mandate.body.error?.code, mandate.text).toBe('mandate_violation');
    // B: a merchant-initiated charge on it without a mandate.
    const charge = await b.api('POST', '/v1/charges', { customer, card: token, amount: 1000, currency: 'USD' }, { 'idempotency-key': `sis-${uniq('k')}` });
    expect(charge.status, charge.text).not.toBe(200);
    expect(charge.status, charge.text).not.toBe(201);
    // B: the saved card in B's checkout.
    const s = await openSession(v, { customer, amount: 1500, currency: 'USD' }, b.secret_key);
    const paid = await v.frame('/frame/v1/confirm', s.secret, { saved_card: { token, cvc: '123' } });
    expect(paid.status, paid.text).not.toBe(200);
    expect(paid.text).toMatch(/merchant-initiated charges only/);
    // B: the number typed again in B's checkout (it is the customer's card already).
    const typed = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(r), save: true });
    expect(typed.status, typed.text).toBe(402);
    noEcho(typed.text, r);
    // B: importing the same number.
    const again = await b.api('POST', `/v1/customers/${customer}/cards`, { number: r, ...exp });
    expect(again.status, again.text).toBe(402);
    expect(asked.filter((x) => x.card.number === r)).toEqual([]);
  });

  it('the logs never carry a refused number', async () => {
    const r = realLooking();
    const customer = uniq('logs');
    await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number: groups(r, ' '), ...exp } });
    await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number: FULL_WIDTH(r), ...exp } });
    await v.api('POST', `/v1/customers/${customer}/cards`, { body: { number: `${r}${' '.repeat(30)}`, ...exp } });
    const s = await openSession(v, { customer, save_card: 'ask', amount: 1500, currency: 'USD' });
    await v.frame('/frame/v1/confirm', s.secret, { card: newCard(r), save: true });
    const logs = v.logs.join('\n');
    expect(logs).not.toContain(r);
    expect(logs).not.toContain(middle(r));
    expect(logs).not.toContain(FULL_WIDTH(r));
  });
});

describe('test cards only: the rule itself', () => {
  it('names as test cards exactly the numbers with a test card’s first six, last four and length', async () => {
    const { isTestCardNumber } = await import('../../server/payments/test-mode-cards.ts');
    expect(isTestCardNumber(CARDS.visa)).toBe(true);
    expect(isTestCardNumber('4242420000004242')).toBe(true);
    expect(isTestCardNumber('4242421234567890')).toBe(false);
    expect(isTestCardNumber('4111111111114242')).toBe(false);
    expect(isTestCardNumber('42424200004242')).toBe(false);
  });
});
