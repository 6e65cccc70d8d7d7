// The whole form's state and its verdict: which errors show, whether it is complete, what the page
// may learn, what a failed local check answers, and the body sent to POST /frame/v1/confirm.
import type { FrameConfirm, FrameSavedCard, FrameSession } from '../protocol/types.ts';
import type { ConfirmFailure } from '../protocol/messages.ts';
import {
  EMPTY_FIELDS,
  brandOf,
  checkCvc,
  checkFields,
  digitsOf,
  formatExpiry,
  parseExpiry,
  visibleError,
  type CardFields,
  type FieldCheck,
  type FieldErrorCode,
  type FieldName,
} from './card-state.ts';

export type Control = FieldName | 'savedCvc';
export type ErrorSlot = 'number' | 'expiry' | 'cvc' | 'savedCvc' | 'consent';

export interface FormState {
  view: 'saved' | 'new';
  fields: CardFields;
  cards: FrameSavedCard[];
  selected?: string;
  savedCvc: string;
  consent: boolean;
  touched: Partial<Record<Control, boolean>>;
  focused?: Control;
  submitted: boolean;
  /** Controls changed since the last submit. */
  edited: Partial<Record<Control, boolean>>;
}

export interface FormVerdict {
  complete: boolean;
  empty: boolean;
  brand: string;
  /** The errors to show now, by the element they belong to. */
  errors: Partial<Record<ErrorSlot, FieldErrorCode>>;
  /** The first error a submit would stop at, shown or not. */
  blocking?: FieldErrorCode;
}

/** Saved cards with the default first, then in the vault's order. */
export function initialForm(session: Pick<FrameSession, 'cards'>): FormState {
  const cards = [...session.cards].sort((a, b) => Number(b.default) - Number(a.default));
  return {
    view: cards.length ? 'saved' : 'new',
    fields: EMPTY_FIELDS,
    cards,
    selected: cards[0]?.token,
    savedCvc: '',
    consent: false,
    touched: {},
    submitted: false,
    edited: {},
  };
}

export const clearedForm = (s: FormState): FormState => ({
  ...s,
  fields: EMPTY_FIELDS,
  savedCvc: '',
  consent: false,
  touched: {},
  submitted: false,
  edited: {},
});

export const selectedCard = (s: FormState): FrameSavedCard | undefined => s.cards.find((c) => c.token === s.selected);

/** Whether the consent box shows, and whether it must be ticked. */
export function consentRule(s: FormState, session: Pick<FrameSession, 'save_card' | 'recurring'>): { shown: boolean; required: boolean } {
  // A saved card is saved already; only a recurring agreement still needs the customer's word.
  if (s.view === 'saved') return { shown: Boolean(session.recurring), required: Boolean(session.recurring) };
  return { shown: session.save_card !== 'off', required: session.save_card === 'require' };
}

/** A saved card's security code is as long as its brand's (4 for Amex). */
export const savedCvcSizes = (card: FrameSavedCard): number[] => (card.brand === 'amex' ? [4] : [3]);

export function judgeForm(s: FormState, session: Pick<FrameSession, 'save_card' | 'recurring'>, now?: Date): FormVerdict {
  const at = (control: Control) => ({ touched: !!s.touched[control], focused: s.focused === control, submitted: s.submitted, edited: !!s.edited[control] });
  const checks: [ErrorSlot, FieldCheck, Control][] = [];
  let brand = 'unknown';
  let empty: boolean;
  if (s.view === 'saved') {
    const card = selectedCard(s);
    brand = card?.brand ?? 'unknown';
    if (card?.need_cvc) checks.push(['savedCvc', checkCvc(s.savedCvc, savedCvcSizes(card)), 'savedCvc']);
    empty = !s.savedCvc;
  } else {
    const c = checkFields(s.fields, now);
    brand = brandOf(s.fields.number).brand;
    checks.push(['number', c.number, 'number'], ['expiry', c.expiry, 'expiry'], ['cvc', c.cvc, 'cvc']);
    empty = Object.values(s.fields).every((v) => !v);
  }
  const errors: FormVerdict['errors'] = {};
  let blocking: FieldErrorCode | undefined = s.view === 'saved' && !selectedCard(s) ? 'invalid_number' : undefined;
  for (const [slot, check, control] of checks) {
    const shown = visibleError(check, at(control));
    if (shown) errors[slot] = shown;
    if (!check.valid) blocking ??= check.code;
  }
  if (consentRule(s, session).required && !s.consent) {
    if (s.submitted) errors.consent = 'consent_required';
    blocking ??= 'consent_required';
  }
  return { complete: !blocking, empty, brand, errors, blocking };
}

/** What confirm() answers when the local check stops it: the codes the vault itself would use. */
export function localFailure(code: FieldErrorCode, s: FormState, message: string): ConfirmFailure {
  const monthOk = /^(0[1-9]|1[0-2])/.test(digitsOf(formatExpiry(s.fields.expiry)));
  const cardCode: Record<FieldErrorCode, string> = {
    incomplete_number: 'invalid_number',
    invalid_number: 'invalid_number',
    invalid_expiry: monthOk ? 'invalid_expiry_year' : 'invalid_expiry_month',
    expired_card: 'invalid_expiry_year',
    invalid_cvc: 'invalid_cvc',
    consent_required: 'parameter_missing',
  };
  return { status: 'failed', error: { type: code === 'consent_required' ? 'invalid_request_error' : 'card_error', code: cardCode[code], message } };
}

/** The request body; only ever sent to the vault's /frame/v1/confirm. */
export function confirmBody(s: FormState, session: Pick<FrameSession, 'save_card' | 'recurring'>, locale: string): FrameConfirm {
  const consent = consentRule(s, session).shown && s.consent;
  // The vault records the agreement in the wording it wrote in this language, as the fields showed it.
  const agreement = consent && session.recurring ? { locale } : {};
  if (s.view === 'saved') {
    const card = selectedCard(s)!;
    return { saved_card: { token: card.token, ...(card.need_cvc ? { cvc: s.savedCvc } : {}) }, save: consent, ...agreement };
  }
  const expiry = parseExpiry(s.fields.expiry)!;
  const holder = s.fields.holder.trim();
  return {
    card: { number: digitsOf(s.fields.number), exp_month: expiry.month, exp_year: expiry.year, cvc: s.fields.cvc, ...(holder ? { holder } : {}) },
    save: consent,
    ...agreement,
  };
}
