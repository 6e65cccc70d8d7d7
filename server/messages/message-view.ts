// A message to a customer as GET /v1/messages shows it, built field by field from its row.
import type { MessageView } from '../../protocol/api.ts';
import type { MessageTable } from '../db/schema.ts';

export function toMessageView(m: MessageTable): MessageView {
  return {
    id: m.id,
    customer: m.customer,
    channel: m.channel as 'email' | 'sms',
    recipient: m.recipient,
    template: m.template,
    locale: m.locale,
    subject: m.subject,
    body: m.body,
    transport: m.transport,
    status: m.status,
    error: m.error,
    created: m.created_at,
  };
}
