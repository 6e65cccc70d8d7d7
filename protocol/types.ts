// The HTTP wire types for code that must not carry zod: the browser bundles (iframe/, widget/, dashboard/)
// and the demo. Each is the TypeScript side of a validator in protocol/schemas/ (z.infer of a response, z.input
// of a request), re-exported type-only: importing this module adds nothing to a bundle but the header name below.
// The error body is declared in protocol/errors.ts; protocol/schemas/errors.ts is checked against it.

export type { CardDeleted, CardView } from './schemas/cards.ts';
export type { ChargeView, RefundView } from './schemas/charges.ts';
export type { CustomerView } from './schemas/customers.ts';
export type { AuditLine, AuditList, Me, NotAutomatic, OtherAccount, Overview, OverviewDay, Page, UpcomingPayment } from './schemas/dashboard.ts';
export type { EventType, EventView } from './schemas/events.ts';
export type { ForwardCreate, ForwardRequest, ForwardResponse, ForwardResult } from './schemas/forward.ts';
export type {
  FrameChallengeAnswer,
  FrameChallengeResult,
  FrameConfirm,
  FrameConfirmResult,
  FrameDeleteCard,
  FrameSavedCard,
  FrameSession,
  FrameSessionRequest,
} from './schemas/frame.ts';
export type { InvoiceCreate, InvoiceView } from './schemas/invoices.ts';
export type { MandateConsent, MandateCreate, MandateView } from './schemas/mandates.ts';
export type {
  MerchantView,
  ProcessorAccountView,
  ProcessorSettingsUpdate,
  ProcessorType,
  RolledSecretKey,
  RollSecretKey,
  ThreeDSecure,
} from './schemas/merchant.ts';
export type { MessageView } from './schemas/messages.ts';
export type { SchedulerPreview, SchedulerRun } from './schemas/scheduler.ts';
export type { MaskedCardView, Recurring, SessionCreate, SessionView } from './schemas/sessions.ts';
export type { Delivery, RotatedSecret, RotateSecret, WebhookAttempt } from './schemas/webhooks.ts';
export type { ApiErrorBody, ErrorCode, ErrorResponse, ErrorType } from './errors.ts';

/** Header the iframe sends with the origin of the page that embeds it (learnt from the first pinned message). */
export const HOST_ORIGIN_HEADER = 'Checkout-Host-Origin';
