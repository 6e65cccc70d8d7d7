// Building blocks every resource's schemas share: refusal messages in the contract's words, the
// identifiers and amounts of the contract, paging, and the id parameters of the paths.
import { z } from 'zod';
import valid from 'card-validator';
import { containsCardNumber, passesLuhn } from '../cards.ts';

export const err = (message: string) => ({ error: message });

// Identifiers the vault echoes back must never carry a card number, or a response would leak it: 13-19
// digits passing Luhn, whatever single characters separate them and whatever the brand.
export const noCardNumber = (what: string) => [(s: string) => !containsCardNumber(s, passesLuhn), err(`${what} must not contain a card number`)] as const;
// Another provider's network transaction id is itself often 15 digits: only a number of a known card
// brand (prefix, length and Luhn) is refused there, so that one in ten real ids is not.
export const noKnownCardNumber = (what: string) =>
  [(s: string) => !containsCardNumber(s, (d) => valid.number(d).isValid), err(`${what} must not contain a card number`)] as const;

export const CustomerNumber = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,32}$/, err('customer must be 1-32 characters of A-Z a-z 0-9 . _ @ -'))
  .refine(...noCardNumber('customer'));
export const Amount = z
  .number(err('amount must be a positive integer'))
  .int(err('amount must be a positive integer'))
  .positive(err('amount must be a positive integer'))
  .max(99_999_999_999);
// The currencies one can pay in, as ICU knows them (Node's full ICU): not the codes ISO 4217 reserves
// for no currency (XXX), testing (XTS) or funds (CLF, UYI), and not an unassigned ABC.
let payable: Set<string> | undefined;
const isPayable = (code: string) => (payable ??= new Set(Intl.supportedValuesOf('currency'))).has(code);
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, err('currency must be an ISO 4217 upper-case code such as USD'))
  .refine(isPayable, err('currency must be an ISO 4217 code of a currency one can pay in, such as USD'));
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, err('must be a date YYYY-MM-DD'))
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), err('must be a real date YYYY-MM-DD'));
export const OrderRef = z
  .string()
  .min(1)
  .max(255)
  .refine(...noCardNumber('order'));
/** A saved card's token as callers send it. */
export const CardToken = z.string().min(1).max(64);

// ---- Paths and paging ----

/** `{id}` of a charge, invoice, mandate, event or 3-D Secure challenge. */
export const IdParam = z.object({ id: z.string().min(1).max(64) });
export const CustomerParam = z.object({ customer: CustomerNumber });

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: z.string().min(1).max(64).optional(),
});
/** The paged lists that can be narrowed to one customer: charges, invoices, messages. */
export const CustomerListQuery = ListQuery.extend({ customer: CustomerNumber.optional() });

/** One page of a paged list, newest first: `has_more` says whether `starting_after` the last id gives more. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), has_more: z.boolean() });
/** A list answered whole, in one response (a customer's cards or mandates): the same shape, never more to fetch. */
export const allOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), has_more: z.literal(false) });

// ---- Headers and the service ----

/**
 * `Idempotency-Key` on a POST: a retry with the same key within IDEMPOTENCY_KEY_HOURS gets the first
 * answer instead of running again. The key must not contain a card number (it is stored, and names the
 * operation at the processor).
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENCY_KEY_HOURS = 24;
export const IdempotencyKey = z.string().min(1).max(255);
/** Set to `true` on an answer replayed for a retry with the same Idempotency-Key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** GET /health: the vault answers. */
export const Health = z.object({ status: z.literal('ok') });
