import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyAppearance, isSafeValue } from '../../iframe/appearance.ts';
import { addTexts, apiErrorLabel, createTranslator, fill, hasTexts, pickLocale } from '../../iframe/i18n.ts';
import { ROWS, TRANSLATIONS } from '../../iframe/locales.ts';
import { KEYS } from '../../iframe/translations.ts';
import { LOCALES, type LabelKey } from '../../protocol/messages.ts';

// Every LabelKey of the contract; the satisfies clause fails to compile if one is missing here.
const LABEL_KEYS = {
  number: 1,
  expiry: 1,
  cvc: 1,
  holder: 1,
  holderOptional: 1,
  save: 1,
  submit: 1,
  pay: 1,
  newCard: 1,
  savedCards: 1,
  useCard: 1,
  expires: 1,
  cardEnding: 1,
  delete: 1,
  deleteConfirm: 1,
  deleteConfirmAgreements: 1,
  deleteYes: 1,
  deleteNo: 1,
  cvcFor: 1,
  challengeTitle: 1,
  challengeWait: 1,
  errorNumber: 1,
  errorNumberIncomplete: 1,
  errorExpiry: 1,
  errorExpiryPast: 1,
  errorCvc: 1,
  errorCvcIncorrect: 1,
  errorConsent: 1,
  errorSession: 1,
  errorDeclined: 1,
  errorTestCard: 1,
  errorGeneric: 1,
  processing: 1,
} satisfies Record<LabelKey, 1>;

const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

describe('translations', () => {
  it('has every LabelKey in every locale', () => {
    for (const locale of LOCALES) {
      for (const key of Object.keys(LABEL_KEYS) as LabelKey[]) expect(TRANSLATIONS[locale][key], `${locale}.${key}`).toMatch(/\S/);
    }
  });

  it('translates: the other locales differ from English', () => {
    // Words that really are the same: "MM / YY" in French, "(optional)" in German, "No" in Spanish and Italian.
    const alike: Partial<Record<string, string[]>> = { de: ['holderOptional'], es: ['deleteNo'], it: ['deleteNo'] };
    expect(LOCALES.length).toBeGreaterThanOrEqual(12);
    for (const locale of LOCALES.filter((l) => l !== 'en')) {
      const same = KEYS.filter((key) => TRANSLATIONS[locale][key] === TRANSLATIONS.en[key]);
      expect(
        same.filter((k) => k !== 'expiryPlaceholder' && !alike[locale]?.includes(k)),
        locale,
      ).toEqual([]);
    }
  });

  it("keeps each text's placeholders in every locale (the rows are in the same order)", () => {
    for (const locale of LOCALES) {
      for (const key of KEYS) expect(placeholders(TRANSLATIONS[locale][key]), `${locale}.${key}`).toEqual(placeholders(TRANSLATIONS.en[key]));
    }
  });
});

describe('createTranslator', () => {
  // As the vault's page brings them: English (the page's, so the fallback) and French, which most tests
  // here read (Turkish stays out until one adds it).
  beforeAll(() => {
    addTexts('en', ROWS.en);
    addTexts('fr', ROWS.fr);
  });

  it('reads English in a locale whose texts have not arrived, and writes dates its own way', () => {
    expect(hasTexts('tr')).toBe(false);
    const tr = createTranslator('tr');
    expect(tr.locale).toBe('tr');
    expect(tr.t('number')).toBe('Card number');
    expect(tr.date('2027-03-01')).toBe('1 Mart 2027');
  });

  it("takes a locale's row only when it is one: a known locale, every text, strings only", () => {
    expect(addTexts('xx', ROWS.fr)).toBe(false);
    expect(addTexts('constructor', ROWS.fr)).toBe(false);
    expect(addTexts('tr', ROWS.tr.slice(1))).toBe(false);
    expect(addTexts('tr', [...ROWS.tr.slice(1), 42])).toBe(false);
    expect(addTexts('tr', 'Kart numarası')).toBe(false);
    expect(hasTexts('tr')).toBe(false);
    expect(addTexts('tr', ROWS.tr)).toBe(true);
    expect(createTranslator('tr').t('number')).toBe('Kart numarası');
  });

  it('picks the locale from a tag and falls back to English', () => {
    expect(pickLocale('ru-RU')).toBe('ru');
    expect(pickLocale('FR')).toBe('fr');
    expect(pickLocale('xx')).toBe('en');
    expect(pickLocale('pt-BR')).toBe('pt');
    // checkout.js sends the page's choice, then the browser's language.
    expect(pickLocale('auto,fr-FR')).toBe('fr');
    expect(pickLocale('xx, AR_eg')).toBe('ar');
    expect(pickLocale(undefined)).toBe('en');
    expect(pickLocale('constructor')).toBe('en');
  });

  it("lets the merchant's labels override any key, and ignores anything else", () => {
    const { t } = createTranslator('fr', { number: 'Numéro', pay: 'Régler {amount}', bogus: 'x', cvc: 42, toString: 'x' });
    expect(t('number')).toBe('Numéro');
    expect(t('pay', { amount: '10 €' })).toBe('Régler 10 €');
    expect(t('cvc')).toBe('Code de sécurité');
    expect(createTranslator('en', 'not an object').t('number')).toBe('Card number');
  });

  it('fills placeholders from its own values only', () => {
    expect(fill('{a} and {b}', { a: '1' })).toBe('1 and {b}');
    expect(fill('{constructor}', {})).toBe('{constructor}');
  });
});

describe('apiErrorLabel', () => {
  it('gives the customer a text for each vault error, and a generic one otherwise', () => {
    expect(apiErrorLabel({ code: 'incorrect_cvc' })).toBe('errorCvcIncorrect');
    // A CVC the bank refused is wrong, not malformed: the customer reads the difference.
    expect(createTranslator('en').t('errorCvcIncorrect')).not.toBe(createTranslator('en').t('errorCvc'));
    expect(apiErrorLabel({ code: 'session_expired' })).toBe('errorSession');
    expect(apiErrorLabel({ code: 'parameter_missing', param: 'save' })).toBe('errorConsent');
    expect(apiErrorLabel({ code: 'card_declined' })).toBe('errorDeclined');
    expect(apiErrorLabel({ code: 'insufficient_funds' })).toBe('errorDeclined');
    expect(apiErrorLabel({ code: 'card_declined', decline_code: 'test_mode_live_card' })).toBe('errorTestCard');
    expect(apiErrorLabel({ code: 'card_declined', decline_code: 'generic_decline' })).toBe('errorDeclined');
    expect(apiErrorLabel({ code: 'processor_unavailable' })).toBe('errorGeneric');
    expect(apiErrorLabel({ code: 'toString' })).toBe('errorGeneric');
  });
});

describe('applyAppearance', () => {
  let remove = () => {};
  afterEach(() => remove());
  const root = () => document.documentElement;

  it('sets the variables as --cv-* custom properties through the CSSOM', () => {
    remove = applyAppearance(root(), {
      colorPrimary: '#0055ff',
      fontFamily: '"Helvetica Neue", Arial, sans-serif',
      borderRadius: '10px',
      spacingUnit: '0.5rem',
      colorText: 'rgb(10, 20, 30)',
    });
    expect(root().style.getPropertyValue('--cv-color-primary')).toBe('#0055ff');
    expect(root().style.getPropertyValue('--cv-font-family')).toBe('"Helvetica Neue", Arial, sans-serif');
    expect(root().style.getPropertyValue('--cv-border-radius')).toBe('10px');
    expect(root().style.getPropertyValue('--cv-spacing-unit')).toBe('0.5rem');
    expect(root().style.getPropertyValue('--cv-color-text')).toBe('rgb(10, 20, 30)');
    expect(root().getAttribute('style')).not.toContain('url(');
    remove();
    expect(root().style.getPropertyValue('--cv-color-primary')).toBe('');
  });

  it('drops values that could inject: url(), other functions, extra declarations, escapes', () => {
    remove = applyAppearance(root(), {
      colorPrimary: 'url(https://evil.test/x.png)',
      colorBackground: 'red;background-image:url(x)',
      colorDanger: 'expression(alert(1))',
      fontFamily: 'x\\28 url',
      borderRadius: 'calc(1px + url(x))',
      fontSizeBase: '12px; color: red',
      notAVariable: 'red',
    });
    expect(root().getAttribute('style') ?? '').toBe('');
  });

  it('ignores an appearance that is not an object', () => {
    remove = applyAppearance(root(), 'colorPrimary:red');
    expect(root().getAttribute('style') ?? '').toBe('');
  });

  it('accepts only conservative shapes per kind', () => {
    expect(isSafeValue('color', 'rebeccapurple')).toBe(true);
    expect(isSafeValue('color', 'hsla(120, 50%, 50%, 0.3)')).toBe(true);
    expect(isSafeValue('color', 'var(--x)')).toBe(false);
    expect(isSafeValue('length', '6px')).toBe(true);
    expect(isSafeValue('length', '-6px')).toBe(false);
    expect(isSafeValue('font', 'system-ui')).toBe(true);
    expect(isSafeValue('font', 'a:b')).toBe(false);
    expect(isSafeValue('color', 42)).toBe(false);
  });
});
