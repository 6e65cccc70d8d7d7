// GET/POST /v1/customers/{customer}: a customer's status, contact, limits and language in the merchant group;
// GET /v1/customers: the group's customers by number.
import { z } from 'zod';
import { LOCALES } from '../messages.ts';
import { Amount, CustomerNumber, err, listOf, noCardNumber } from './common.ts';

/** The languages the vault writes customer messages and agreements in. */
export const LocaleCode = z.enum(LOCALES);

export const CustomerUpdate = z.strictObject({
  status: z.enum(['deny', 'none']).optional(),
  email: z
    .email()
    .refine(...noCardNumber('email'))
    .nullable()
    .optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9][0-9 ()-]{4,19}$/, err('phone must be a phone number such as +15555550100'))
    .refine(...noCardNumber('phone'))
    .nullable()
    .optional(),
  limits: z.strictObject({ daily: Amount.nullable().optional(), weekly: Amount.nullable().optional() }).optional(),
  /** Extension: the language of messages to the customer (English when unset). */
  locale: LocaleCode.nullable().optional(),
});

export const CustomerView = z.object({
  customer: z.string(),
  status: z.enum(['none', 'member', 'deny']),
  email: z.string().optional(),
  phone: z.string().optional(),
  limits: z.object({ daily: z.number().optional(), weekly: z.number().optional() }),
  default_card: z.string().optional(),
  /** Extension: set only when chosen with POST /v1/customers/:customer. */
  locale: LocaleCode.optional(),
});
export type CustomerView = z.infer<typeof CustomerView>;

/** GET /v1/customers: the group's customers in order of their number, a page after `starting_after`. */
export const CustomersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  /** The last customer number of the page before. */
  starting_after: CustomerNumber.optional(),
  /** Only customers whose number starts with this. */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,32}$/, err('prefix must be 1-32 characters of A-Z a-z 0-9 . _ @ -'))
    .optional(),
  status: z.enum(['none', 'member', 'deny']).optional(),
});
/** A customer in the list: with their default card's brand and last four, so a page of them needs no second read. */
export const CustomerListItem = CustomerView.extend({ default_card_details: z.object({ brand: z.string(), last4: z.string() }).optional() });
export type CustomerListItem = z.infer<typeof CustomerListItem>;
export const CustomerList = listOf(CustomerListItem);
