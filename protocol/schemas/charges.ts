// Charges (merchant-initiated, under a mandate) and their refunds.
import { z } from 'zod';
import { Amount, CardToken, Currency, CustomerNumber, OrderRef, listOf } from './common.ts';
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
