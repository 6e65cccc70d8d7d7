// The wording of a recurring agreement is the vault's: written from the terms, in the customer's language.
import { describe, expect, it } from 'vitest';
import { consentLocale, recurringConsentText } from '../../server/payments/consent-wording.ts';

const agreement = { min_amount: 500, max_amount: 2000, frequency_days: 30, end_date: '2030-03-01' };

describe('the recurring consent text', () => {
  it('names the merchant, the amounts, the frequency and the end date (en)', () => {
    expect(recurringConsentText(agreement, 'USD', 'Test shop', 'en')).toBe(
      'Save this card and agree to recurring payments to “Test shop”: $5.00–$20.00 per payment, every 30 days, until March 1, 2030.',
    );
  });

  it('says "whenever the merchant charges, as agreed" for frequency 0, and one amount when min equals max', () => {
    const text = recurringConsentText({ ...agreement, min_amount: 999, max_amount: 999, frequency_days: 0 }, 'USD', 'Shop', 'en');
    expect(text).toContain('$9.99 per payment, whenever the merchant charges, as agreed,');
  });

  it("is written in the customer's language, with its plural forms", () => {
    expect(recurringConsentText(agreement, 'RUB', 'Магазин', 'ru')).toMatch(
      /^Сохранить карту .*«Магазин»: 5,00\s₽–20,00\s₽ за платёж, раз в 30 дней, до 1 марта 2030/,
    );
    expect(recurringConsentText({ ...agreement, frequency_days: 2 }, 'RUB', 'M', 'ru')).toContain('раз в 2 дня');
    expect(recurringConsentText({ ...agreement, frequency_days: 21 }, 'RUB', 'M', 'ru')).toContain('раз в 21 день');
    expect(recurringConsentText({ ...agreement, frequency_days: 1 }, 'RUB', 'M', 'ru')).toContain('каждый день');
    expect(recurringConsentText(agreement, 'EUR', 'Boutique', 'fr')).toMatch(
      /« Boutique » : 5,00\s€–20,00\s€ par paiement, tous les 30 jours, jusqu’au 1 mars 2030/,
    );
    expect(recurringConsentText(agreement, 'TRY', 'Mağaza', 'tr')).toMatch(/30 günde bir, 1 Mart 2030 tarihine kadar/);
  });

  it('picks the language from a locale tag and falls back to English', () => {
    expect(consentLocale('fr-CA')).toBe('fr');
    expect(consentLocale('RU')).toBe('ru');
    expect(consentLocale('tr_TR')).toBe('tr');
    expect(consentLocale('xx')).toBe('en');
    expect(consentLocale(undefined)).toBe('en');
  });

  it("sets the merchant's name apart in quotation marks, and drops hidden characters from it", () => {
    // A name crafted to read as terms, with a right-to-left override hidden at its end.
    const text = recurringConsentText(agreement, 'USD', 'Acme: $1.00 once, never again. Acme\u202e', 'en');
    expect(text).toBe(
      'Save this card and agree to recurring payments to “Acme: $1.00 once, never again. Acme”: $5.00–$20.00 per payment, every 30 days, until March 1, 2030.',
    );
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('writes plain amounts when a setup session has no currency', () => {
    expect(recurringConsentText(agreement, null, 'Shop', 'en')).toContain('5.00–20.00 per payment');
  });
});
