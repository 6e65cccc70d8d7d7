// The widget's public types, on top of the ones the page and the iframe share.
import type { Appearance, ChangeEvent, ConfirmFailure, ConfirmResult, LabelKey, Locale } from '../protocol/messages.ts';

export type {
  Appearance,
  AppearanceVariables,
  ChangeEvent,
  ConfirmFailure,
  ConfirmResult,
  ConfirmSuccess,
  ConfirmedCard,
  FieldError,
  LabelKey,
  Locale,
} from '../protocol/messages.ts';

export interface MountOptions {
  /** From your server's `POST /v1/sessions`. It is handed to the fields by message, never in a URL. */
  clientSecret: string;
  /**
   * A language tag (`fr`, `pt-BR`): the fields speak en, de, es, fr, it, ja, nl, pl, pt, ru, tr and ar.
   * One they do not speak (or `auto`) gives the browser's language when they speak it, else English.
   */
  locale?: Locale | (string & {});
  appearance?: Appearance;
  /** The iframe's title for screen readers. */
  title?: string;
  /** Overrides any visible label or message of the fields. */
  labels?: Partial<Record<LabelKey, string>>;
  /** The fields render their own submit button (the no-code mount uses this). */
  submitButton?: boolean;
  /** Called with the result when the fields' own submit button finishes. */
  onComplete?: (result: ConfirmResult) => void;
}

export interface CheckoutOptions {
  /** The vault's origin. Defaults to where checkout.js was loaded from; pass it when you bundle the ESM build. */
  vault?: string;
}

export interface FieldsEvents {
  ready: () => void;
  change: (event: ChangeEvent) => void;
  focus: () => void;
  blur: () => void;
  /**
   * The fields cannot take a payment, and every confirm() resolves this same failure: `fields_unavailable`
   * (this page's origin is not among the merchant's, or the vault did not answer), or the vault's own
   * code when the session is closed or unknown.
   */
  error: (error: ConfirmFailure['error']) => void;
}

export interface Fields {
  on<E extends keyof FieldsEvents>(event: E, handler: FieldsEvents[E]): Fields;
  off<E extends keyof FieldsEvents>(event: E, handler: FieldsEvents[E]): Fields;
  /** Pays or saves with what the customer entered. Never rejects: failures resolve `{ status: 'failed', error }`. */
  confirm(): Promise<ConfirmResult>;
  /** Empties every field. */
  clear(): void;
  /** Focuses the first field that needs input. */
  focus(): void;
  /** Removes the iframe and every listener. */
  destroy(): void;
}

export interface CheckoutInstance {
  mount(target: string | HTMLElement, options: MountOptions): Fields;
}
