// Messages to customers: what the money paths ask for. How a message is worded (templates per
// locale) and carried (SMTP, an SMS provider, or the outbox the demo shows) lives behind this.
import type { Db } from '../db/database.ts';
import { newId } from '../ids.ts';

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

/** The simplest messenger: every message into the outbox, in English, to the customer number. */
export function outboxMessenger(db: Db, clock: () => Date = () => new Date()): Messenger {
  return {
    async send(request) {
      const body = `${request.template.replace(/_/g, ' ')}: ${Object.entries(request.data).filter(([, v]) => v != null).map(([k, v]) => `${k} ${v}`).join(', ')}`;
      await db.insertInto('messages').values({
        id: newId('msg'), merchant_id: request.merchantId, group_id: request.groupId, customer: request.customer,
        channel: 'email', recipient: request.customer, template: request.template, locale: 'en', subject: null, body,
        transport: 'outbox', status: 'queued', error: null, created_at: clock().toISOString(),
      }).execute();
    },
  };
}
