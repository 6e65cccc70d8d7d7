// Recurring and card-on-file agreements: given in the fields, or recorded by the merchant for an imported card.
import { z } from 'zod';
import { CardToken, Currency, IsoDate, allOf, noCardNumber, noKnownCardNumber } from './common.ts';
import { Recurring } from './sessions.ts';

/** What the customer agreed to, as recorded: never card data beyond the last four digits. */
export const MandateConsent = z.object({
  text: z.string(),
  accepted_at: z.string(),
  /** The merchant page the fields were embedded in (checkout), or null for an agreement given elsewhere. */
  origin: z.string().nullable(),
  last4: z.string(),
  network_transaction_id: z.string().nullable(),
  source: z.enum(['checkout', 'import']),
});
export type MandateConsent = z.infer<typeof MandateConsent>;

export const MandateView = z.object({
  id: z.string(),
  customer: z.string(),
  card: z.string(),
  min_amount: z.number(),
  max_amount: z.number(),
  /** The currency the customer agreed to; null only for an old agreement recorded without one, which allows no charge. */
  currency: z.string().nullable(),
  frequency_days: z.number(),
  end_date: z.string(),
  status: z.enum(['active', 'cancelled', 'ended']),
  last_charge_at: z.string().nullable(),
  created_at: z.string(),
  consent: MandateConsent,
});
export type MandateView = z.infer<typeof MandateView>;

export const MandateList = allOf(MandateView);

export const MandateCreate = z.strictObject({
  card: CardToken,
  min_amount: Recurring.shape.min_amount,
  max_amount: Recurring.shape.max_amount,
  /** The currency of the agreement: charges in any other are refused. */
  currency: Currency,
  frequency_days: Recurring.shape.frequency_days,
  end_date: IsoDate,
  consent: z.strictObject({
    text: z
      .string()
      .min(1)
      .max(2000)
      .refine(...noCardNumber('consent.text')),
    accepted_at: z.iso.datetime({ offset: true, error: 'consent.accepted_at must be an ISO 8601 time' }),
    network_transaction_id: z
      .string()
      .min(1)
      .max(255)
      .refine(...noKnownCardNumber('consent.network_transaction_id'))
      .optional(),
  }),
});
export type MandateCreate = z.input<typeof MandateCreate>;
