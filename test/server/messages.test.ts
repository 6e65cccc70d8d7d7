import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { smtpTransport } from '../../server/messages/email-transport.ts';
import { formatAmount, LOCALES, renderMessage } from '../../server/messages/message-templates.ts';
import { createMessenger, type MessageRequest, type MessageTemplate, type Messenger } from '../../server/messages/messenger.ts';
import type { SmsProvider } from '../../server/messages/sms-provider.ts';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { createRuntime } from '../../server/vault-runtime.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

interface Mail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  text: string;
}

/** Undoes the MIME encodings nodemailer uses: encoded-word headers, quoted-printable or base64 bodies. */
function parseMail(raw: string): { headers: Record<string, string>; subject: string; text: string } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const words = (s: string) =>
    s.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
  const body = rest.join('\r\n\r\n');
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  const text = encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : encoding === 'quoted-printable' ? qp(body.replace(/=\r\n/g, '')) : body;
  return { headers, subject: words(headers.subject ?? '').trim(), text: text.replace(/\r\n/g, '\n') };
}

function qp(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives. */
async function startSmtp() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = parseMail(raw);
        mails.push({ from: parsed.headers.from, to: session.envelope.rcptTo.map((r) => r.address), raw, subject: parsed.subject, text: parsed.text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describeEachDb('Customer messages', (target) => {
  let v: TestVault;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let outbox: Messenger;
  beforeAll(async () => {
    v = await startTestVault(target);
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0 } });
    smtp = await startSmtp();
    outbox = v.runtime.deps.messenger;
  });
  afterAll(async () => {
    await smtp.close();
    await v.close();
  });
  afterEach(() => {
    v.runtime.deps.messenger = outbox;
  });

  const send = (customer: string, template: MessageTemplate, data: MessageRequest['data'], merchant = v.merchant) =>
    v.runtime.deps.messenger.send({ merchantId: merchant.id, groupId: merchant.group, customer, template, data });
  const messages = (customer: string, key?: string) => v.api('GET', `/v1/messages?customer=${customer}`, { key });

  /** The messenger as the vault builds it when SMTP_URL is set. */
  function useSmtp(url = smtp.url, sms?: SmsProvider) {
    const email = smtpTransport(url, 'billing@vault.test');
    v.runtime.deps.messenger = createMessenger({ db: v.runtime.deps.db, clock: () => v.runtime.deps.clock(), email, sms });
    return email;
  }

  describe('over SMTP (SMTP_URL set)', () => {
    it("e-mails an approved payment in the customer's language, with the amount and last4 but no card number", async () => {
      const email = useSmtp();
      try {
        expect((await v.api('POST', '/v1/customers/claire', { body: { email: 'claire@example.test', locale: 'fr' } })).status).toBe(200);
        const token = await saveCardFor(v, 'claire', CARDS.mastercard);
        const card = (await v.api('GET', '/v1/customers/claire/cards')).body.data.find((c: any) => c.token === token);
        const before = smtp.mails.length;
        await send('claire', 'payment_approved', { amount: 1999, currency: 'EUR', last4: card.last4, card: token });

        expect(smtp.mails).toHaveLength(before + 1);
        const mail = smtp.mails.at(-1)!;
        expect(mail.to).toEqual(['claire@example.test']);
        expect(mail.from).toContain('billing@vault.test');
        expect(mail.from).toContain('Test shop');
        const amount = new Intl.NumberFormat('fr', { style: 'currency', currency: 'EUR' }).format(19.99);
        expect(mail.subject).toBe(`Paiement accepté : ${amount}`);
        expect(mail.text).toContain(`Votre paiement de ${amount} à Test shop avec votre carte se terminant par 4444 a été accepté.`);
        expect(mail.raw).not.toContain(CARDS.mastercard);
        expect(mail.text).not.toContain(CARDS.mastercard);

        const listed = await messages('claire');
        expect(listed.body.data).toEqual([
          expect.objectContaining({
            channel: 'email',
            recipient: 'claire@example.test',
            template: 'payment_approved',
            locale: 'fr',
            transport: 'smtp',
            status: 'sent',
            error: null,
            subject: mail.subject,
          }),
          // Saving the card told her first, over SMTP too.
          expect.objectContaining({ template: 'card_saved', locale: 'fr', transport: 'smtp', status: 'sent' }),
        ]);
      } finally {
        email.close();
      }
    });

    it('keeps the e-mail in the outbox, saying why, when the customer has no e-mail address', async () => {
      const email = useSmtp();
      try {
        const before = smtp.mails.length;
        await send('no-mail', 'card_saved', { last4: '4242' });
        expect(smtp.mails).toHaveLength(before);
        const [m] = (await messages('no-mail')).body.data;
        expect(m).toMatchObject({
          channel: 'email',
          recipient: 'no-mail',
          transport: 'outbox',
          status: 'queued',
          error: expect.stringContaining('no e-mail address'),
        });
      } finally {
        email.close();
      }
    });

    it('records a message the SMTP server could not take as failed, and never throws', async () => {
      const down = await startSmtp();
      await down.close();
      const email = useSmtp(down.url.replace('smtp://', 'smtp://user:hunter2-pw@'));
      try {
        await v.api('POST', '/v1/customers/down', { body: { email: 'down@example.test' } });
        await expect(send('down', 'payment_approved', { amount: 500, currency: 'USD', last4: '4242' })).resolves.toBeUndefined();
        const [m] = (await messages('down')).body.data;
        expect(m).toMatchObject({ transport: 'smtp', status: 'failed', error: expect.any(String) });
        expect(m.error).not.toContain('hunter2-pw');
      } finally {
        email.close();
      }
    });

    it('e-mails an Arabic customer in Arabic, the isolates around the shop and the amount intact through SMTP', async () => {
      const email = useSmtp();
      try {
        await v.api('POST', '/v1/customers/amal', { body: { email: 'amal@example.test', locale: 'ar' } });
        await send('amal', 'payment_approved', { amount: 1999, currency: 'EUR', last4: '4444' });
        const mail = smtp.mails.at(-1)!;
        const expected = renderMessage('payment_approved', 'ar', { amount: 1999, currency: 'EUR', last4: '4444', merchant: 'Test shop' });
        expect(mail.subject).toBe(expected.subject);
        expect(mail.text.trim()).toBe(expected.text);
        expect(mail.text).toContain('\u2068Test shop\u2069');
        expect(mail.text).toContain(`\u2068${formatAmount(1999, 'EUR', 'ar')}\u2069`);
      } finally {
        email.close();
      }
    });

    it('hands an SMS to a real provider and records whether it took it', async () => {
      const texts: { to: string; text: string }[] = [];
      const gateway: SmsProvider = { name: 'test-gateway', send: async (to, text) => void texts.push({ to, text }) };
      const email = useSmtp(smtp.url, gateway);
      try {
        await v.api('POST', '/v1/customers/sms-real', { body: { phone: '+15555550111', locale: 'tr' } });
        await send('sms-real', 'agreement_cancelled', { last4: '4242' });
        expect(texts).toEqual([{ to: '+15555550111', text: expect.stringContaining('*4242') }]);
        const sms = (await messages('sms-real')).body.data.find((m: any) => m.channel === 'sms');
        expect(sms).toMatchObject({ transport: 'test-gateway', status: 'sent', locale: 'tr', body: texts[0].text });
      } finally {
        email.close();
      }
    });
  });

  describe('without SMTP_URL: the outbox', () => {
    it('puts the e-mail in the outbox and GET /v1/messages lists it', async () => {
      await v.api('POST', '/v1/customers/olivia', { body: { email: 'olivia@example.test' } });
      await send('olivia', 'payment_failed', { amount: 1999, currency: 'USD', last4: '4242', due_date: '2030-03-15', description: 'March subscription' });
      const res = await messages('olivia');
      expect(res.status).toBe(200);
      expect(res.body.has_more).toBe(false);
      expect(res.body.data).toHaveLength(1);
      const [m] = res.body.data;
      expect(m).toMatchObject({
        id: expect.stringMatching(/^msg_/),
        customer: 'olivia',
        channel: 'email',
        recipient: 'olivia@example.test',
        template: 'payment_failed',
        locale: 'en',
        transport: 'outbox',
        status: 'queued',
        error: null,
        created: expect.any(String),
      });
      // The warning names the amount, the due date, the card and what to do.
      expect(m.subject).toContain('ending in 4242');
      expect(m.body).toContain('$19.99');
      expect(m.body).toContain('March 15, 2030');
      expect(m.body).toContain('add another card');
      expect(m.body).toContain('March subscription');
    });

    it('sends an SMS through the outbox too when the customer has a phone number', async () => {
      await v.api('POST', '/v1/customers/ivan', { body: { email: 'ivan@example.test', phone: '+79990001122', locale: 'ru' } });
      await send('ivan', 'card_saved', { last4: '4242' });
      const { data } = (await messages('ivan')).body;
      expect(data.map((m: any) => m.channel).sort()).toEqual(['email', 'sms']);
      const sms = data.find((m: any) => m.channel === 'sms');
      expect(sms).toMatchObject({ recipient: '+79990001122', transport: 'outbox', status: 'queued', subject: null, locale: 'ru' });
      expect(sms.body).toContain('*4242');
      expect(sms.body.length).toBeLessThanOrEqual(160);
      expect(data.find((m: any) => m.channel === 'email').subject).toBe('Карта *4242 сохранена');
    });

    it("lists only the merchant's own messages, newest first, with limit and starting_after", async () => {
      const sibling = await v.newMerchant({ group: v.merchant.group });
      await send('shared', 'card_saved', { last4: '1111' });
      await send('shared', 'card_saved', { last4: '2222' });
      await send('shared', 'card_saved', { last4: '3333' }, sibling);
      const mine = await messages('shared');
      expect(mine.body.data.map((m: any) => m.subject)).toEqual(['Your card ending in 2222 was saved', 'Your card ending in 1111 was saved']);
      expect((await messages('shared', sibling.secret_key)).body.data.map((m: any) => m.subject)).toEqual(['Your card ending in 3333 was saved']);
      const page = await v.api('GET', '/v1/messages?customer=shared&limit=1');
      expect(page.body).toMatchObject({ has_more: true, data: [{ subject: 'Your card ending in 2222 was saved' }] });
      const next = await v.api('GET', `/v1/messages?customer=shared&limit=1&starting_after=${page.body.data[0].id}`);
      expect(next.body).toMatchObject({ has_more: false, data: [{ subject: 'Your card ending in 1111 was saved' }] });
      expect((await v.api('GET', '/v1/messages?limit=0')).status).toBe(400);
    });
  });

  describe('POST /v1/customers/:customer with locale', () => {
    it('stores the language of messages, shows it, and resets it with null', async () => {
      const set = await v.api('POST', '/v1/customers/loc', { body: { locale: 'tr' } });
      expect(set.status).toBe(200);
      expect(set.body.locale).toBe('tr');
      expect((await v.api('GET', '/v1/customers/loc')).body.locale).toBe('tr');
      expect((await v.api('POST', '/v1/customers/loc', { body: { locale: 'ar' } })).body.locale).toBe('ar');
      const bad = await v.api('POST', '/v1/customers/loc', { body: { locale: 'zh' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.param).toBe('locale');
      const reset = await v.api('POST', '/v1/customers/loc', { body: { locale: null } });
      expect(reset.body.locale).toBeUndefined();
    });
  });
});

const withoutIsolates = (s: string) => s.replace(/[\u2068\u2069]/g, '');

describe('message templates', () => {
  const templates: MessageTemplate[] = ['payment_approved', 'payment_failed', 'card_saved', 'agreement_cancelled'];

  it('renders every template in every language, naming the last4 and never a card number', () => {
    const subjects = new Set<string>();
    for (const locale of LOCALES) {
      for (const template of templates) {
        const m = renderMessage(template, locale, {
          amount: 1999,
          currency: 'EUR',
          last4: '4242',
          due_date: '2030-03-15',
          merchant: 'Shop',
          description: `note ${CARDS.visa}`,
          number: CARDS.visa,
        });
        expect(m.subject.length).toBeGreaterThan(5);
        // Arabic sets the digits in a bidi isolate: the text reads the same without them.
        expect(withoutIsolates(m.text)).toContain('4242');
        expect(withoutIsolates(m.sms)).toContain('*4242');
        expect(m.sms.length).toBeLessThanOrEqual(200);
        // Words, not substrings: Italian says "annullato".
        expect(`${m.text} ${m.sms}`).not.toMatch(/\.\.|\b(?:undefined|null)\b/);
        for (const part of [m.subject, m.text, m.sms]) expect(part.replace(/\D/g, '')).not.toContain(CARDS.visa);
        if (template.startsWith('payment')) expect(m.text).toContain(formatAmount(1999, 'EUR', locale));
        subjects.add(m.subject);
      }
    }
    // Real translations: no two languages share a subject.
    expect(subjects.size).toBe(LOCALES.length * templates.length);
  });

  it("formats amounts from minor units in the currency's own decimals", () => {
    expect(formatAmount(1999, 'USD', 'en')).toBe('$19.99');
    expect(formatAmount(1999, 'JPY', 'en')).toBe('¥1,999');
    expect(formatAmount(1999, 'EUR', 'fr')).toMatch(/^19,99\s€$/);
    expect(formatAmount(150000, 'TRY', 'tr')).toMatch(/1\.500,00/);
    expect(formatAmount(1999, 'RUB', 'ru')).toMatch(/^19,99\s₽$/);
  });

  it('warns about a failed payment without a card when the customer has none to charge', () => {
    const m = renderMessage('payment_failed', 'en', { amount: 1999, currency: 'USD', due_date: '2030-03-15', merchant: 'Shop' });
    expect(m.text).toContain('no saved card');
    expect(m.text).toContain('March 15, 2030');
    expect(m.text).not.toContain('••••');
  });
});

describe('SMTP_URL', () => {
  it('makes the vault send customer e-mail over SMTP, from the merchant by name', async () => {
    const smtp = await startSmtp();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-smtp-'));
    const runtime = await createRuntime({ DATA_DIR: dataDir, PUBLIC_URL: 'http://vault.test', LOG_LEVEL: 'silent', SMTP_URL: smtp.url });
    try {
      const m = await createMerchant(runtime.deps, { name: 'Boulangerie', origins: ['http://shop.test'] });
      const now = new Date().toISOString();
      await runtime.deps.db
        .insertInto('customers')
        .values({
          group_id: m.group,
          customer: 'paul',
          status: 'none',
          email: 'paul@example.test',
          phone: null,
          limit_daily: null,
          limit_weekly: null,
          default_card: null,
          locale: 'fr',
          created_at: now,
          updated_at: now,
        })
        .execute();
      await runtime.deps.messenger.send({ merchantId: m.id, groupId: m.group, customer: 'paul', template: 'agreement_cancelled', data: { last4: '0005' } });
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0].from).toContain('Boulangerie');
      expect(smtp.mails[0].from).toContain('no-reply@vault.test');
      expect(smtp.mails[0].subject).toBe('Votre accord de paiement automatique a été annulé');
    } finally {
      await runtime.close();
      await smtp.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(`${dataDir}.key`, { force: true });
    }
  });
});
