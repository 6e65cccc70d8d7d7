// A new card: number (spaced by brand as typed, with its badge), expiry, security code and an
// optional holder name, each with browser autofill hints and its own accessible error.
import type { JSX } from 'preact';
import { brandOf, caretAfterDigits, digitsOf, formatCvc, formatExpiry, formatNumber, type CardFields } from '../card-state.ts';
import type { Control, FormState, FormVerdict } from '../form-state.ts';
import { ERROR_LABELS, type Translator } from '../i18n.ts';
import { BrandBadge } from './brand-badge.tsx';
import { TextField } from './text-field.tsx';

type InputEvent = JSX.TargetedEvent<HTMLInputElement, Event>;

export interface NewCardFormProps {
  i18n: Translator;
  state: FormState;
  verdict: FormVerdict;
  disabled: boolean;
  onChange: (patch: Partial<CardFields>) => void;
  onFocus: (control: Control) => void;
  onBlur: (control: Control) => void;
  /** Back to the saved cards, when the customer has any. */
  onUseSaved?: () => void;
}

/** Writes the formatted value into the input itself, keeping the caret after the same digit. */
function reformat(el: HTMLInputElement, format: (raw: string) => string): string {
  const raw = el.value;
  const caret = el.selectionStart ?? raw.length;
  const next = format(raw);
  if (next !== raw) {
    el.value = next;
    if (caret < raw.length) {
      const at = caretAfterDigits(next, digitsOf(raw.slice(0, caret)).length);
      el.setSelectionRange(at, at);
    }
  }
  return next;
}

export function NewCardForm({ i18n: { t, texts }, state, verdict, disabled, onChange, onFocus, onBlur, onUseSaved }: NewCardFormProps) {
  const { fields } = state;
  const brand = brandOf(fields.number);
  const error = (slot: 'number' | 'expiry' | 'cvc') => (verdict.errors[slot] ? t(ERROR_LABELS[verdict.errors[slot]!]) : undefined);
  const handlers = (control: Control) => ({ onFocus: () => onFocus(control), onBlur: () => onBlur(control), disabled });
  // Room for the gaps: 19 digits and three spaces at most.
  const numberMax = Math.max(...brand.lengths) + 3;

  return (
    <div class="cv-new-card">
      <TextField
        id="cv-number"
        name="cardnumber"
        label={t('number')}
        value={fields.number}
        error={error('number')}
        autoComplete="cc-number"
        inputMode="numeric"
        placeholder="1234 1234 1234 1234"
        maxLength={numberMax}
        required
        adornment={<BrandBadge brand={brand.brand} hidden />}
        onInput={(e: InputEvent) => onChange({ number: reformat(e.currentTarget, formatNumber) })}
        {...handlers('number')}
      />
      <div class="cv-row">
        <TextField
          id="cv-expiry"
          name="exp-date"
          label={t('expiry')}
          value={fields.expiry}
          error={error('expiry')}
          autoComplete="cc-exp"
          inputMode="numeric"
          placeholder={texts.expiryPlaceholder}
          maxLength={9}
          required
          onInput={(e: InputEvent) => onChange({ expiry: reformat(e.currentTarget, formatExpiry) })}
          {...handlers('expiry')}
        />
        <TextField
          id="cv-cvc"
          name="cvc"
          label={t('cvc')}
          value={fields.cvc}
          error={error('cvc')}
          autoComplete="cc-csc"
          inputMode="numeric"
          placeholder={'1234'.slice(0, brand.cvcSizes[0])}
          maxLength={Math.max(...brand.cvcSizes)}
          required
          onInput={(e: InputEvent) => onChange({ cvc: reformat(e.currentTarget, (raw) => formatCvc(raw, brand.cvcSizes)) })}
          {...handlers('cvc')}
        />
      </div>
      <TextField
        id="cv-holder"
        name="ccname"
        label={t('holder')}
        note={t('holderOptional')}
        value={fields.holder}
        autoComplete="cc-name"
        inputMode="text"
        maxLength={100}
        onInput={(e: InputEvent) => onChange({ holder: e.currentTarget.value })}
        {...handlers('holder')}
      />
      {onUseSaved ? (
        <button type="button" class="cv-link" onClick={onUseSaved} disabled={disabled}>
          {t('useCard')}
        </button>
      ) : null}
    </div>
  );
}
