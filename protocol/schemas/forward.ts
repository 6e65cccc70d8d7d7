// Forwarding a saved card to another provider. The vault sends the request to an endpoint the operator
// registered for the merchant (`npm run forward -- add`), filling the body's placeholders ({{card.number}},
// {{card.exp_month}}, {{card.exp_year}}, {{card.exp_mm_yyyy}}, {{card.exp_yymm}}, {{card.holder}}, and
// {{card.cvc}} in a session's forward only); the server checks the placeholders.
import { z } from 'zod';
import { CardToken, CustomerNumber, err } from './common.ts';

/** The name the operator registered the destination under. */
export const ForwardDestinationName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, err('destination must be the name the operator registered: 1-64 characters of A-Z a-z 0-9 _ . -'));

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

export const ForwardRequest = z.strictObject({
  /** Methods that carry a body: the card travels in it. */
  method: z.enum(['POST', 'PUT', 'PATCH']),
  /** Appended to the destination's URL (a path and query under it); no placeholders. */
  path: z.string().min(1).max(2048).optional(),
  /** Sent beside the headers the operator registered (which cannot be replaced); no placeholders. */
  headers: z
    .record(
      z.string().regex(HEADER_NAME, err('headers: each name must be an HTTP header name')),
      z
        .string()
        .max(4096)
        .refine((v) => !/[\r\n\0]/.test(v), err('headers: a value must not contain line breaks or NUL')),
    )
    .refine((h) => Object.keys(h).length <= 20, err('headers: at most 20'))
    .optional(),
  /** JSON or form-encoded text, or a JSON object (sent as JSON). */
  body: z.union([z.string().max(65_536), z.record(z.string(), z.unknown())]),
});
export type ForwardRequest = z.input<typeof ForwardRequest>;

/** POST /v1/forward (Idempotency-Key required): a saved card sent to a registered destination, without its CVC. */
export const ForwardCreate = z.strictObject({
  destination: ForwardDestinationName,
  customer: CustomerNumber,
  card: CardToken,
  request: ForwardRequest,
});
export type ForwardCreate = z.input<typeof ForwardCreate>;

/** The destination's answer: its status, a short safe list of its headers, and its body as text with every card number masked. */
export const ForwardResponse = z.object({
  status: z.number(),
  headers: z.record(z.string(), z.string()),
  body: z.string().nullable(),
});
export type ForwardResponse = z.infer<typeof ForwardResponse>;

/** A session's `forward`: sent from the customer's confirmation, `{{card.cvc}}` allowed. */
export const SessionForward = z.strictObject({
  destination: ForwardDestinationName,
  request: ForwardRequest,
});

/** What the session's forward got back; status 0 and `forward_failed`, or 504 and `forward_timeout`, when it got nothing. */
export const ForwardResult = z.object({
  status: z.number(),
  body: z.string().nullable(),
  error: z.enum(['forward_timeout', 'forward_failed']).optional(),
  /**
   * True when the destination answered but its body is not shown: the request carried the CVC, and the
   * operator named no field of the answer to show (`npm run forward -- add --cvc-answer`), or the answer
   * was not JSON. A destination may echo what it was sent, so such an answer could carry the CVC.
   */
  withheld: z.literal(true).optional(),
});
export type ForwardResult = z.infer<typeof ForwardResult>;
