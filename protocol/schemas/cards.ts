// A customer's saved cards as the merchant's server sees them, and cards imported from another provider.
import { z } from 'zod';
import { CardToken, CustomerParam, allOf, noCardNumber } from './common.ts';

export const CardParams = CustomerParam.extend({ token: CardToken });

export const CardView = z.object({
  token: z.string(),
  bin: z.string(),
  last4: z.string(),
  brand: z.string(),
  issuer: z.string(),
  country: z.string(),
  exp_month: z.number(),
  exp_year: z.number(),
  active: z.boolean(),
  expiring_soon: z.boolean(),
  need_cvc: z.boolean(),
  default: z.boolean(),
  successful_payments: z.number(),
  /** Extension: `import` cards serve merchant-initiated charges only. */
  source: z.enum(['checkout', 'import']),
  created_at: z.string(),
  /** Extension: set when the key that encrypts the card is not in the vault's key ring (charges answer 503 card_key_unavailable). */
  key_unavailable: z.literal(true).optional(),
});
export type CardView = z.infer<typeof CardView>;

export const CardList = allOf(CardView);

// Loose on purpose: a wrong length or a bad digit is a card_error (invalid_number, invalid_cvc) from the card check.
export const CardNumber = z.string().max(40);
export const Cvc = z.string().max(8);
export const ExpMonth = z.number().int();
export const ExpYear = z.number().int();
export const CardHolder = z
  .string()
  .min(1)
  .max(100)
  .refine(...noCardNumber('holder'));

export const CardImport = z.strictObject({
  number: CardNumber,
  exp_month: ExpMonth,
  exp_year: ExpYear,
  holder: CardHolder.optional(),
});

export const CardUpdate = z.strictObject({ default: z.literal(true) });

/** A deleted card, by the merchant (DELETE /v1/customers/{customer}/cards/{token}) or by the customer in the fields. */
export const CardDeleted = z.object({ token: z.string(), deleted: z.literal(true) });
export type CardDeleted = z.infer<typeof CardDeleted>;
