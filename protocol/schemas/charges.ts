// Charges (merchant-initiated, under a mandate) and their refunds.
import { z } from 'zod';
import { Amount, CardToken, Currency, CustomerListQuery, CustomerNumber, OrderRef, err, listOf, allOf } from './common.ts';
import { MaskedCardView } from './sessions.ts';

export const ChargeCreate = z.strictObject({
  customer: CustomerNumber,
  card: CardToken,
  amount: Amount,
  currency: Currency,
  order: OrderRef.optional(),
  mandate: z.string().min(1).max(64).optional(),
});

export const ChargeView = z.object({
  id: z.string(),
  status: z.enum(['succeeded', 'failed']),
  amount: z.number(),
  amount_refunded: z.number(),
  currency: z.string(),
  customer: z.string().nullable(),
  card: z.string().nullable(),
  card_details: MaskedCardView,
  order: z.string().nullable(),
  initiator: z.enum(['customer', 'merchant']),
  mandate: z.string().nullable(),
  session: z.string().nullable(),
  network_transaction_id: z.string().nullable(),
  failure: z.object({ code: z.string(), decline_code: z.string().optional(), message: z.string() }).optional(),
  /** A real provider's own code and message for a decline (live processors; absent on the simulated one). */
  processor_response: z.object({ code: z.string(), message: z.string() }).optional(),
  created: z.string(),
});
export type ChargeView = z.infer<typeof ChargeView>;

export const ChargeList = listOf(ChargeView);

/** A date (midnight UTC) or a date-time with its offset, as a bound on `created`. */
const CreatedBound = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))?$/,
    err('must be a date YYYY-MM-DD (midnight UTC) or a date-time with its offset, such as 2026-01-31T09:00:00Z'),
  )
  // Checked even when the pattern failed: so never a Date that cannot be printed (that would throw).
  .refine((s) => {
    const day = new Date(`${s.slice(0, 10)}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(s.slice(0, 10));
  }, err('must be a real date'));

/** GET /v1/charges: newest first, narrowed by any of these. */
export const ChargeListQuery = CustomerListQuery.extend({
  status: z.enum(['succeeded', 'failed']).optional(),
  initiator: z.enum(['customer', 'merchant']).optional(),
  /** Charges created at or after this date or time. */
  created_gte: CreatedBound.optional(),
  /** Charges created before this date or time. */
  created_lt: CreatedBound.optional(),
  /** Charges made for this order reference (an invoice's charges carry its id). */
  order: OrderRef.optional(),
});

export const RefundCreate = z.strictObject({ amount: Amount.optional() });
export const RefundView = z.object({
  id: z.string(),
  charge: z.string(),
  amount: z.number(),
  currency: z.string(),
  status: z.enum(['succeeded', 'failed']),
  created: z.string(),
});
export type RefundView = z.infer<typeof RefundView>;
/** A charge's refunds, oldest first: a handful at most, answered whole. */
export const RefundList = allOf(RefundView);
