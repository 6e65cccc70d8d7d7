// Checkout sessions: made by the merchant's server, confirmed by the customer in the fields.
import { z } from 'zod';
import { Amount, Currency, CustomerNumber, IsoDate, OrderRef } from './common.ts';
import { ForwardResult, SessionForward } from './forward.ts';

/** `{id}` of GET /v1/sessions/{id}: unbounded, so any unknown id reads as 404 (no such session). */
export const SessionIdParam = z.object({ id: z.string() });

export const SessionMode = z.enum(['payment', 'setup']);
export const SessionStatus = z.enum(['open', 'complete', 'expired']);
/** Whether the fields show the consent box that saves the card: unticked, required, or not at all. */
export const SaveCard = z.enum(['ask', 'require', 'off']);

export const Recurring = z.strictObject({
  min_amount: z.number().int().min(0),
  max_amount: z.number().int().positive(),
  frequency_days: z.number().int().min(0).max(3660),
  end_date: IsoDate,
});
export type Recurring = z.infer<typeof Recurring>;

export const SessionCreate = z.strictObject({
  mode: SessionMode.default('payment'),
  amount: Amount.optional(),
  currency: Currency.optional(),
  customer: CustomerNumber.optional(),
  order: OrderRef.optional(),
  save_card: SaveCard.default('ask'),
  recurring: Recurring.optional(),
  expires_in: z.number().int().min(1).max(86400).default(1800),
  /** Extension: a request the customer's confirmation sends to a registered destination, CVC included. */
  forward: SessionForward.optional(),
});
export type SessionCreate = z.input<typeof SessionCreate>;

export const MaskedCardView = z.object({
  token: z.string().optional(),
  brand: z.string(),
  bin: z.string().optional(),
  last4: z.string(),
  exp_month: z.number(),
  exp_year: z.number(),
});
export type MaskedCardView = z.infer<typeof MaskedCardView>;

/** A session as `GET /v1/sessions/{id}` reads it; that answer leaves `client_secret` out, only creation has it (CreatedSession). */
export const SessionView = z.object({
  id: z.string(),
  client_secret: z.string().optional(),
  status: SessionStatus,
  mode: SessionMode,
  amount: z.number().nullable(),
  currency: z.string().nullable(),
  customer: z.string().nullable(),
  order: z.string().nullable(),
  save_card: SaveCard,
  recurring: Recurring.nullable(),
  expires_at: z.string(),
  created: z.string(),
  charge: z.string().nullable(),
  card: MaskedCardView.nullable(),
  saved: z.boolean(),
  mandate: z.string().nullable(),
  /** Extension: set once a session with `forward` was confirmed. */
  forward_result: ForwardResult.optional(),
});
export type SessionView = z.infer<typeof SessionView>;

/** `POST /v1/sessions`: the session just opened, always with the client secret the fields need. */
export const CreatedSession = SessionView.extend({ client_secret: z.string() });
export type CreatedSession = z.infer<typeof CreatedSession>;
