// The fields' own endpoints under /frame/v1, called only by the vault's iframe with the session's client secret.
import { z } from 'zod';
import { MAX_LOCALE_LIST } from '../languages.ts';
import { CardToken } from './common.ts';
import { CardHolder, CardNumber, Cvc, ExpMonth, ExpYear } from './cards.ts';
import { ThreeDSecure } from './merchant.ts';
import { MaskedCardView, Recurring, SaveCard, SessionMode, SessionStatus } from './sessions.ts';

export const FrameCardInput = z.strictObject({
  number: CardNumber,
  exp_month: ExpMonth,
  exp_year: ExpYear,
  cvc: Cvc,
  holder: CardHolder.optional(),
});

export const FrameConfirm = z.strictObject({
  card: FrameCardInput.optional(),
  saved_card: z.strictObject({ token: CardToken, cvc: Cvc.optional() }).optional(),
  /** The customer ticked the consent box: to save the card and, in a recurring session, to the agreement. */
  save: z.boolean().default(false),
  /** The fields' language: the vault records the agreement's wording it rendered in it (as the session read showed it). */
  locale: z.string().max(MAX_LOCALE_LIST).optional(),
  /** Ignored, kept so older fields still confirm: the vault records only the wording it wrote itself. */
  consent_text: z.string().max(2000).optional(),
  /** A 3-D Secure challenge the customer passed for this card. */
  challenge: z.string().min(1).max(64).optional(),
});
export type FrameConfirm = z.input<typeof FrameConfirm>;

export const FrameSavedCard = z.object({
  token: z.string(),
  brand: z.string(),
  bin: z.string(),
  last4: z.string(),
  exp_month: z.number(),
  exp_year: z.number(),
  need_cvc: z.boolean(),
  default: z.boolean(),
  /** Deleting the card also ends automatic-payment agreements (live mandates) on it: the fields say so first. */
  agreements: z.boolean(),
});
export type FrameSavedCard = z.infer<typeof FrameSavedCard>;

/** What the fields ask for when they load: the language to write the agreement's wording in. */
export const FrameSessionRequest = z.strictObject({ locale: z.string().max(MAX_LOCALE_LIST).optional() });
export type FrameSessionRequest = z.input<typeof FrameSessionRequest>;

export const FrameSession = z.object({
  id: z.string(),
  mode: SessionMode,
  status: SessionStatus,
  amount: z.number().nullable(),
  currency: z.string().nullable(),
  /**
   * A payment's amount as the pay button writes it ("$19.99", "HUF 1,000"), in the requested language:
   * written by the vault from the ISO 4217 minor units, so the fields carry no table of currencies.
   */
  amount_text: z.string().nullable(),
  order: z.string().nullable(),
  merchant: z.object({ name: z.string() }),
  /** What the consent box does here: not shown, shown unchecked, or shown and required. */
  save_card: SaveCard,
  recurring: Recurring.nullable(),
  /**
   * A recurring session's consent wording for a new card (saved by the agreement), written by the vault in the
   * requested language; the fields show it verbatim.
   */
  consent_text: z.string().nullable(),
  /** The same agreement's wording for a saved card the customer agrees with (nothing is saved): the saved-card view shows it. */
  consent_text_saved_card: z.string().nullable(),
  cards: z.array(FrameSavedCard),
  three_d_secure: ThreeDSecure,
  failed_attempts: z.number(),
  expires_at: z.string(),
});
export type FrameSession = z.infer<typeof FrameSession>;

export const FrameConfirmResult = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('succeeded'),
    session: z.string(),
    charge: z.string().optional(),
    card: MaskedCardView,
    saved: z.boolean(),
    mandate: z.string().optional(),
  }),
  z.object({
    status: z.literal('requires_action'),
    session: z.string(),
    next_action: z.object({ type: z.literal('three_d_secure'), challenge: z.string(), url: z.string() }),
  }),
]);
export type FrameConfirmResult = z.infer<typeof FrameConfirmResult>;

export const FrameChallengeAnswer = z.strictObject({ code: z.string().min(1).max(16) });
export type FrameChallengeAnswer = z.input<typeof FrameChallengeAnswer>;
export const FrameChallengeResult = z.object({ challenge: z.string(), status: z.enum(['passed', 'failed', 'pending']), attempts_left: z.number() });
export type FrameChallengeResult = z.infer<typeof FrameChallengeResult>;

export const FrameDeleteCard = z.strictObject({ token: CardToken });
export type FrameDeleteCard = z.input<typeof FrameDeleteCard>;
