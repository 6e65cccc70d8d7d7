// One labelled input with its error: `<label for>`, aria-invalid, aria-describedby pointing at an
// error element that is always present and polite, so a screen reader hears an error when it appears.
import type { ComponentChildren, JSX, Ref } from 'preact';

export interface TextFieldProps {
  id: string;
  name: string;
  label: string;
  /** Shown after the label, e.g. "(optional)". */
  note?: string;
  value: string;
  error?: string;
  autoComplete: string;
  inputMode?: 'numeric' | 'text';
  placeholder?: string;
  maxLength?: number;
  required?: boolean;
  disabled?: boolean;
  inputRef?: Ref<HTMLInputElement>;
  /** Drawn inside the input's box, e.g. the brand badge. */
  adornment?: ComponentChildren;
  onInput: (event: JSX.TargetedEvent<HTMLInputElement, Event>) => void;
  onFocus: () => void;
  onBlur: () => void;
}

export function TextField(p: TextFieldProps) {
  const errorId = `${p.id}-error`;
  return (
    <div class="cv-field">
      <label class="cv-label" for={p.id}>
        {p.label}
        {p.note ? <span class="cv-note"> {p.note}</span> : null}
      </label>
      <div class="cv-control">
        <input
          ref={p.inputRef}
          class="cv-input"
          id={p.id}
          name={p.name}
          value={p.value}
          autocomplete={p.autoComplete}
          inputmode={p.inputMode}
          placeholder={p.placeholder}
          maxLength={p.maxLength}
          required={p.required}
          disabled={p.disabled}
          spellcheck={false}
          aria-invalid={Boolean(p.error)}
          aria-describedby={errorId}
          onInput={p.onInput}
          onFocus={p.onFocus}
          onBlur={p.onBlur}
        />
        {p.adornment}
      </div>
      <p class="cv-error" id={errorId} aria-live="polite">
        {p.error ?? ''}
      </p>
    </div>
  );
}
