// The contract between the merchant's page (widget/) and the fields' iframe (iframe/): the RPC
// method maps of both sides, the public event and result shapes, and the names the iframe's text
// can be overridden by. Types and constants only: both bundles import it.
import type { ReceivedErrorBody } from './errors.ts';

/** Scopes the RPC messages: both sides use the same id. */
export const SERVICE_ID = 'card-vault-fields/1';

/** The languages of the fields, of customer messages and of agreements: the one list of them (the zod enums use it too). */
const LOCALE_LIST = ['en', 'ru', 'fr', 'tr', 'de', 'es', 'it', 'pt', 'nl', 'pl', 'ja', 'ar'] as const;
export type Locale = (typeof LOCALE_LIST)[number];
export const LOCALES: readonly Locale[] = LOCALE_LIST;
/** The languages written right to left: their pages and fields carry `dir="rtl"`. */
export const RTL_LOCALES: readonly Locale[] = ['ar'];

/** Every visible text of the fields, by the name a merchant overrides it with in `labels`. */
export type LabelKey =
  | 'number'
  | 'expiry'
  | 'cvc'
  | 'holder'
  | 'holderOptional'
  | 'save'
  | 'submit'
  | 'pay'
  | 'newCard'
  | 'savedCards'
  | 'useCard'
  | 'expires'
  | 'cardEnding'
  | 'delete'
  | 'deleteConfirm'
  | 'deleteConfirmAgreements'
  | 'deleteYes'
  | 'deleteNo'
  | 'cvcFor'
  | 'challengeTitle'
  | 'challengeWait'
  | 'errorNumber'
  | 'errorNumberIncomplete'
  | 'errorExpiry'
  | 'errorExpiryPast'
  | 'errorCvc'
  | 'errorCvcIncorrect'
  | 'errorConsent'
  | 'errorSession'
  | 'errorDeclined'
  | 'errorTestCard'
  | 'errorGeneric'
  | 'processing';

export interface AppearanceVariables {
  colorPrimary?: string;
  colorText?: string;
  colorBackground?: string;
  colorDanger?: string;
  fontFamily?: string;
  fontSizeBase?: string;
  borderRadius?: string;
  spacingUnit?: string;
}

export interface Appearance {
  variables?: AppearanceVariables;
}

/** What `mount()` hands the iframe, by message, once it says it is ready. */
export interface InitParams {
  clientSecret: string;
  locale: Locale;
  appearance: Appearance;
  labels: Partial<Record<LabelKey, string>>;
  /** No-code mount: the fields render their own submit button. */
  submitButton: boolean;
}

/** A card error as the fields show it: never the number. */
export interface FieldError {
  code: 'invalid_number' | 'incomplete_number' | 'invalid_expiry' | 'expired_card' | 'invalid_cvc' | 'consent_required';
  message: string;
}

/** The `change` event: what the page may know about the fields' state. */
export interface ChangeEvent {
  complete: boolean;
  empty: boolean;
  brand: string;
  error?: FieldError;
}

export interface ConfirmedCard {
  token?: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
}

export interface ConfirmSuccess {
  status: 'succeeded';
  session: string;
  charge?: string;
  card: ConfirmedCard;
  saved: boolean;
}

export interface ConfirmFailure {
  status: 'failed';
  /** The contract's error body, as much of it as the page gets (no decline or processor detail). */
  error: Pick<ReceivedErrorBody, 'type' | 'code' | 'message'>;
}

/** What `confirm()` resolves to; the promise never rejects. */
export type ConfirmResult = ConfirmSuccess | ConfirmFailure;

/** Events the iframe sends to the page: the public ones, and `resize` and `complete` for the widget itself. */
export type FrameEvent =
  /** The iframe's RPC is listening: the page now hands it InitParams (the client secret travels only so). */
  | { type: 'loaded' }
  /** The fields are rendered with the session and can take input. */
  | { type: 'ready' }
  | { type: 'change'; detail: ChangeEvent }
  | { type: 'focus' }
  | { type: 'blur' }
  | { type: 'resize'; height: number }
  /** The fields' own submit button (no-code mount) finished a confirmation. */
  | { type: 'complete'; result: ConfirmResult }
  /** The fields cannot take a payment: the session is closed or unknown, or the vault did not answer. */
  | { type: 'error'; error: ConfirmFailure['error'] };

export type PublicEventName = 'ready' | 'change' | 'focus' | 'blur' | 'error';

/** Methods the iframe exposes; the page calls them. Every one resolves, none throws across. */
export interface FrameMethods {
  init: (params: InitParams) => { ok: true } | { ok: false; error: ConfirmFailure['error'] };
  confirm: (params: Record<string, never>) => ConfirmResult;
  clear: (params: Record<string, never>) => { ok: true };
  focus: (params: Record<string, never>) => { ok: true };
}

/** Methods the page exposes; the iframe calls them. */
export interface PageMethods {
  event: (params: FrameEvent) => { ok: true };
}

/** The `type` of the 3-D Secure page's message to the fields. */
export const THREE_DS_MESSAGE = 'checkout:3ds';

/** The 3-D Secure page's message to the fields (same origin: the vault's). */
export interface ThreeDsMessage {
  type: typeof THREE_DS_MESSAGE;
  challenge: string;
  status: 'passed' | 'failed';
}
