// Invoices, paid automatically from the customer's default card before they are due.
import { z } from 'zod';
import { Amount, Currency, CustomerNumber, IsoDate, listOf, noCardNumber } from './common.ts';

export const InvoiceCreate = z.strictObject({
  customer: CustomerNumber,
  amount: Amount,
  currency: Currency,
  due_date: IsoDate,
  description: z
    .string()
    .min(1)
    .max(500)
    .refine(...noCardNumber('description'))
    .optional(),
  /** Charge the customer's default card from `auto_pay_days` before the due date; default true. */
  auto_pay: z.boolean().default(true),
});
export type InvoiceCreate = z.input<typeof InvoiceCreate>;

export const InvoiceView = z.object({
  id: z.string(),
  status: z.enum(['open', 'paid', 'past_due']),
  customer: z.string(),
  amount: z.number(),
  currency: z.string(),
  due_date: z.string(),
  description: z.string().nullable(),
  auto_pay: z.boolean(),
  charge: z.string().nullable(),
  created: z.string(),
  /**
   * Extensions: when it was paid, how many automatic attempts were made, and why the last one failed:
   * `failure_code`, and with `card_declined` the decline's own code (`insufficient_funds`, `expired_card`,
   * test mode's `test_mode_live_card`), null when none was given.
   */
  paid_at: z.string().nullable(),
  attempts: z.number(),
  last_attempt_on: z.string().nullable(),
  failure_code: z.string().nullable(),
  decline_code: z.string().nullable(),
});
export type InvoiceView = z.infer<typeof InvoiceView>;

export const InvoiceList = listOf(InvoiceView);
