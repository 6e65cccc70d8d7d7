// Messages to customers: what the money paths ask for. How a message is worded (templates per
// locale) and carried (SMTP, an SMS provider, or the outbox the demo shows) lives behind this.
import type { Logger } from 'pino';
import { getCustomer } from '../customers/customer-store.ts';
import type { Db } from '../db/database.ts';
import { findById } from '../merchants/merchant-store.ts';
import type { EmailTransport } from './email-transport.ts';
import { markMessage, type NewMessage, recordMessage } from './message-store.ts';
import { renderMessage, toLocale } from './message-templates.ts';
import { outboxSmsProvider, type SmsProvider } from './sms-provider.ts';

export type MessageTemplate = 'payment_approved' | 'payment_failed' | 'card_saved' | 'agreement_cancelled';

export interface MessageRequest {
  merchantId: string;
  groupId: string;
  customer: string;
  template: MessageTemplate;
  /** Values the template names: amount (minor units), currency, last4, due_date, merchant, … */
  data: Record<string, string | number | null | undefined>;
}

export interface Messenger {
  /** Never throws: a message that cannot be sent is recorded as failed. */
  send(request: MessageRequest): Promise<void>;
}

export interface MessengerOptions {
  db: Db;
  clock?: () => Date;
  logger?: Logger;
  /** E-mail over SMTP; without it e-mail goes to the outbox. */
  email?: EmailTransport;
  /** SMS to customers with a phone number; the outbox by default. */
  sms?: SmsProvider;
}

const reason = (err: unknown) => ((err as Error)?.message ?? String(err)).slice(0, 500);

/**
 * What the merchant reads of a message that could not be sent: a class of failure and at most the mail
 * server's reply code, never its words or the socket's error, which name the operator's mail relay, its
 * address and port, and its policies. The operator's log keeps the whole reason.
 */
export function failureClass(err: unknown): string {
  const { code, responseCode } = (err ?? {}) as { code?: unknown; responseCode?: unknown };
  const reply = typeof responseCode === 'number' && responseCode >= 200 && responseCode < 600 ? ` (${responseCode})` : '';
  switch (code) {
    case 'EAUTH':
      return 'smtp_auth_failed';
    case 'EENVELOPE':
      return `smtp_recipient_rejected${reply}`;
    case 'ETIMEDOUT':
      return 'smtp_timeout';
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
    case 'ETLS':
    case 'ECONNREFUSED':
      return 'smtp_connection_failed';
    case 'EMESSAGE':
      return `smtp_message_refused${reply}`;
    default:
      return `send_failed${reply}`;
  }
}

/**
 * Renders the template in the customer's language (`customers.locale`, English by default), sends an
 * e-mail and, when the customer has a phone number, an SMS; every message is recorded in `messages`.
 */
export function createMessenger(options: MessengerOptions): Messenger {
  const { db, email, sms = outboxSmsProvider } = options;
  const clock = options.clock ?? (() => new Date());

  const record = (row: NewMessage) => recordMessage(db, row, clock());

  /** Records the message as queued, hands it over, then records what became of it. */
  async function deliver(row: Omit<NewMessage, 'error'>, send: () => Promise<void>): Promise<void> {
    const id = await record({ ...row, error: null });
    let status: 'sent' | 'failed' = 'sent';
    let error: string | null = null;
    try {
      await send();
    } catch (err) {
      status = 'failed';
      error = failureClass(err);
      options.logger?.warn({ message: id, transport: row.transport, reason: reason(err) }, 'customer message not sent');
    }
    await markMessage(db, id, status, error);
  }

  return {
    async send(request) {
      try {
        const [customer, merchant] = await Promise.all([getCustomer(db, request.groupId, request.customer), findById(db, request.merchantId)]);
        const locale = toLocale(customer?.locale);
        const merchantName = String(request.data.merchant ?? merchant?.name ?? '');
        const message = renderMessage(request.template, locale, { ...request.data, merchant: merchantName });
        const base = { merchant_id: request.merchantId, group_id: request.groupId, customer: request.customer, template: request.template, locale };

        const mail = { ...base, channel: 'email', subject: message.subject, body: message.text };
        if (email && customer?.email) {
          const to = customer.email;
          await deliver({ ...mail, recipient: to, transport: email.name }, () =>
            email.send({ to, fromName: merchantName, subject: message.subject, text: message.text }),
          );
        } else {
          // Without SMTP, or without an address to send to, the e-mail waits in the outbox; the row says why.
          await record({
            ...mail,
            recipient: customer?.email ?? request.customer,
            transport: 'outbox',
            error: email ? 'not sent by e-mail: the customer has no e-mail address' : null,
          });
        }

        if (customer?.phone) {
          const to = customer.phone;
          const text = { ...base, channel: 'sms', recipient: to, subject: null, body: message.sms, transport: sms.name };
          if (sms.outbox) await record({ ...text, error: null });
          else await deliver(text, () => sms.send(to, message.sms));
        }
      } catch (err) {
        // A message is a courtesy: its failure must never undo or fail the payment that caused it.
        options.logger?.error({ err, template: request.template, merchant: request.merchantId }, 'customer message failed');
      }
    },
  };
}

/** Every message into the outbox (no SMTP, SMS left for the demo to show). */
export function outboxMessenger(db: Db, clock: () => Date = () => new Date()): Messenger {
  return createMessenger({ db, clock });
}
