// Customer messages read as written in each language: every template, nothing left untranslated or
// unfilled, Intl's own amounts and dates, and Arabic lines that keep their order around the values.
import { describe, expect, it } from 'vitest';
import { LOCALES, renderMessage } from '../../server/messages/message-templates.ts';
import type { MessageTemplate } from '../../server/messages/messenger.ts';
import { CARDS } from '../helpers/test-vault.ts';

const TEMPLATES: MessageTemplate[] = ['payment_approved', 'payment_failed', 'card_saved', 'agreement_cancelled'];
/** Words of the English templates: none may be left in another language's message. */
const ENGLISH = /\b(?:hello|payments?|card|approved|thank|charge|saved|agreement|cancelled|please|ending|automatic|due)\b/i;
const FSI = '\u2068';
const PDI = '\u2069';

const data = { amount: 1999, currency: 'EUR', last4: '4242', due_date: '2030-03-15', merchant: 'Shop', description: 'INV-7' };
const amountIn = (locale: string) => new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' }).format(19.99);
const dueIn = (locale: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(Date.UTC(2030, 2, 15));

/** Every variant a customer can receive: a failed payment with and without a saved card, with and without a due date. */
function renderings(locale: (typeof LOCALES)[number]) {
  const out = TEMPLATES.map((template) => ({ template, message: renderMessage(template, locale, data) }));
  const { last4: _, ...noCard } = data;
  const { due_date: __, ...noDue } = data;
  out.push({ template: 'payment_failed', message: renderMessage('payment_failed', locale, noCard) });
  out.push({ template: 'payment_failed', message: renderMessage('payment_failed', locale, noDue) });
  return out;
}

/** The paragraph's direction as the Unicode bidi algorithm finds it (P2, P3): its first strong letter, skipping isolates. */
function paragraphDirection(line: string): 'rtl' | 'ltr' | 'none' {
  const outside = line.replace(/\u2068[^\u2068\u2069]*\u2069/g, '');
  const strong = outside.match(/\p{L}/u)?.[0];
  return strong === undefined ? 'none' : /\p{Script=Arabic}/u.test(strong) ? 'rtl' : 'ltr';
}

describe('customer messages in every language', () => {
  it.each(LOCALES)('%s: every template is filled in, with no placeholder, no "undefined" and no card number', (locale) => {
    for (const { template, message } of renderings(locale)) {
      for (const part of [message.subject, message.text, message.sms]) {
        expect(part, `${locale} ${template}`).not.toMatch(/[{}]|\b(?:undefined|null|NaN)\b/);
        expect(part.trim().length, `${locale} ${template}`).toBeGreaterThan(10);
      }
      expect(message.text, `${locale} ${template}`).toContain('Shop');
    }
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('%s: no English is left in any message', (locale) => {
    for (const { template, message } of renderings(locale)) {
      for (const part of [message.subject, message.text, message.sms]) expect(part, `${locale} ${template}`).not.toMatch(ENGLISH);
    }
  });

  it.each(LOCALES)('%s: amounts and dates are written as Intl writes them in that language', (locale) => {
    const approved = renderMessage('payment_approved', locale, data);
    const failed = renderMessage('payment_failed', locale, data);
    for (const part of [approved.subject, approved.text, approved.sms, failed.text, failed.sms]) expect(part).toContain(amountIn(locale));
    expect(failed.text).toContain(dueIn(locale));
    expect(failed.sms).toContain(dueIn(locale));
  });

  it('speaks to the customer in the register of the fields', () => {
    expect(renderMessage('payment_approved', 'de', data).text).toContain(`Ihre Zahlung über ${amountIn('de')} an Shop mit Ihrer Karte`);
    expect(renderMessage('card_saved', 'es', data).text).toContain('Si no has sido tú, ponte en contacto con Shop.');
    expect(renderMessage('card_saved', 'nl', data).text).toContain('Was jij dit niet? Neem dan contact op met Shop.');
    expect(renderMessage('payment_failed', 'pt', data).text).toContain(`O pagamento vence em ${dueIn('pt')}.`);
    expect(renderMessage('card_saved', 'ja', data).subject).toBe('末尾4242のカードが登録されました');
    expect(renderMessage('card_saved', 'pl', data).sms).toBe('Shop: karta *4242 zapisana na potrzeby kolejnych płatności.');
  });
});

describe('Arabic messages, written right to left', () => {
  const all = () => renderings('ar').flatMap(({ message }) => [message.subject, ...message.text.split('\n'), message.sms]);

  it('set the shop, the amount, the date and the card digits each in a bidi isolate', () => {
    const m = renderMessage('payment_failed', 'ar', data);
    for (const value of ['Shop', amountIn('ar'), dueIn('ar'), '4242', 'INV-7']) expect(m.text).toContain(`${FSI}${value}${PDI}`);
    expect(m.sms).toContain(`${FSI}Shop${PDI}:`);
    expect(m.sms).toContain(`*${FSI}4242${PDI}`);
    expect(m.subject).toContain(`${FSI}4242${PDI}`);
  });

  it('read right to left on every line, even one that opens with a Latin shop name', () => {
    for (const line of all()) expect([line, paragraphDirection(line)]).not.toEqual([line, 'ltr']);
    // The signature is the name alone: no Arabic around it to reorder.
    expect(renderMessage('card_saved', 'ar', data).sms.startsWith(`${FSI}Shop${PDI}`)).toBe(true);
  });

  it('keep every isolate closed, whatever bidi controls a name or description carries', () => {
    const m = renderMessage('payment_approved', 'ar', { ...data, merchant: `Shop${PDI}\u202e evil`, description: `a${PDI}\u2066b` });
    for (const part of [m.subject, m.text, m.sms]) {
      let depth = 0;
      for (const ch of part) {
        if (ch === FSI) depth++;
        if (ch === PDI) depth--;
        expect(depth).toBeGreaterThanOrEqual(0);
        expect(depth).toBeLessThanOrEqual(1);
      }
      expect(depth).toBe(0);
      expect(part).not.toMatch(/[\u202a-\u202e\u2066\u2067]/);
    }
    expect(m.text).toContain(`${FSI}Shop evil${PDI}`);
  });

  it('still redact a card number in a description, split by bidi controls or not', () => {
    const dotted = CARDS.visa.replace(/(\d{4})(?=\d)/g, '$1.');
    for (const description of [`ref ${CARDS.visa}`, `ref ${CARDS.visa.slice(0, 8)}\u2069\u202e${CARDS.visa.slice(8)}`, `ref ${dotted}`]) {
      const m = renderMessage('payment_failed', 'ar', { ...data, description });
      expect(m.text).toContain('[redacted]');
      for (const part of [m.subject, m.text, m.sms]) expect(part.replace(/\D/g, '')).not.toContain(CARDS.visa);
    }
  });

  it('leave left-to-right languages without isolates while the values are in Latin letters (an SMS stays GSM-7)', () => {
    for (const locale of LOCALES.filter((l) => l !== 'ar')) {
      for (const { message } of renderings(locale)) expect(`${message.subject}${message.text}${message.sms}`).not.toMatch(/[\u2068\u2069]/);
    }
  });

  it('isolate a shop name written right to left in every language, so an English SMS does not start reading backwards', () => {
    const name = 'متجر النور';
    for (const locale of LOCALES) {
      const m = renderMessage('payment_approved', locale, { ...data, merchant: name });
      expect(m.sms, locale).toContain(`${FSI}${name}${PDI}`);
      expect(m.text, locale).toContain(`${FSI}${name}${PDI}`);
    }
  });
});
