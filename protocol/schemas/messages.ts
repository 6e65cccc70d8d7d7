// GET /v1/messages: the outbox of messages sent to customers (the merchant's own only).
import { z } from 'zod';
import { listOf } from './common.ts';

export const MessageView = z.object({
  id: z.string(),
  customer: z.string(),
  channel: z.enum(['email', 'sms']),
  recipient: z.string(),
  template: z.string(),
  locale: z.string(),
  subject: z.string().nullable(),
  body: z.string(),
  /** outbox, smtp, or the SMS provider's name. */
  transport: z.string(),
  status: z.enum(['queued', 'sent', 'failed']),
  error: z.string().nullable(),
  created: z.string(),
});
export type MessageView = z.infer<typeof MessageView>;

export const MessageList = listOf(MessageView);
