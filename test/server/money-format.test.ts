// Amounts are ISO 4217 minor units everywhere (docs/api.md): the words a customer or a merchant reads
// say the sum the processor is asked for, also where Intl's own number of decimals differs (HUF, IDR,
// COP have none in Intl but hundredths in ISO 4217).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toMinor } from '../../dashboard/payments/amounts.ts';
import { formatMinor, minorUnitDigits } from '../../protocol/money.ts';
import { recurringConsentText } from '../../server/payments/consent-wording.ts';
import { renderMessage } from '../../server/messages/message-templates.ts';
import { openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

/** Intl separates a currency code from the number with a no-break space. */
const plain = (s: string) => s.replace(/\u00a0/g, ' ');
const formatted = (minor: number, currency: string, locale: string) => plain(formatMinor(minor, currency, locale));

describe('money in minor units', () => {
  it('writes each currency with its ISO 4217 minor unit', () => {
    expect(formatted(1999, 'USD', 'en')).toBe('$19.99');
    expect(formatted(1900, 'USD', 'en')).toBe('$19.00');
    expect(formatted(1999, 'JPY', 'en')).toBe('¥1,999');
    expect(formatted(1500, 'KWD', 'en')).toBe('KWD 1.500');
    // 100000 HUF minor units are 1,000.00 forint, not 100,000 forint.
    expect(formatted(100_000, 'HUF', 'en')).toBe('HUF 1,000');
    expect(formatted(100_050, 'HUF', 'en')).toBe('HUF 1,000.50');
    expect(formatted(2_500_000, 'IDR', 'en')).toBe('IDR 25,000');
    expect(formatted(990_000, 'COP', 'en')).toBe('COP 9,900');
    expect(minorUnitDigits('huf')).toBe(2);
    expect(() => formatMinor(100, 'NOPE!', 'en')).toThrow(RangeError);
  });

  it('says the agreed sums in the consent text and the messages, and reads a typed amount back as the same minor units', () => {
    const text = plain(
      recurringConsentText({ min_amount: 100_000, max_amount: 500_000, frequency_days: 30, end_date: '2030-12-31' }, 'HUF', 'Budapest Shop', 'en', 'new'),
    );
    expect(text).toContain('HUF 1,000');
    expect(text).toContain('HUF 5,000');
    expect(text).not.toContain('100,000');
    const message = renderMessage('payment_approved', 'en', { amount: 250_000, currency: 'HUF', last4: '4242', merchant: 'Budapest Shop' });
    expect(plain(message.text)).toContain('HUF 2,500');
    expect(message.text).not.toContain('250,000');
    expect(toMinor('2500', 'HUF')).toBe(250_000);
    expect(toMinor('2500', 'JPY')).toBe(2500);
  });
});

describe("the pay button's amount, written by the vault for the fields", () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault('sqlite');
  });
  afterAll(() => v.close());

  const amountText = async (amount: number, currency: string, locale: string) => {
    const session = await openSession(v, { amount, currency });
    const res = await v.frame('/frame/v1/session', session.secret, { locale });
    expect(res.status).toBe(200);
    return res.body.amount_text as string;
  };

  it("writes the session's amount with its ISO 4217 minor unit, in the fields' language", async () => {
    expect(await amountText(1999, 'USD', 'en')).toBe('$19.99');
    expect(await amountText(500, 'JPY', 'en')).toBe('¥500');
    expect(plain(await amountText(1999, 'EUR', 'fr'))).toBe('19,99 €');
    expect(plain(await amountText(100_000, 'HUF', 'en'))).toBe('HUF 1,000');
  });

  it('writes none for a setup session, which has no amount', async () => {
    const session = await openSession(v, { mode: 'setup', amount: undefined, currency: 'USD', customer: 'setup-customer' });
    const res = await v.frame('/frame/v1/session', session.secret, { locale: 'en' });
    expect(res.body.amount_text).toBeNull();
  });
});
