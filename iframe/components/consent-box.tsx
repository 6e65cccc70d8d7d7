// The consent to save the card (or to a recurring agreement): unchecked until the customer ticks
// it, labelled by the very text that is recorded with the agreement.
export interface ConsentBoxProps {
  text: string;
  checked: boolean;
  required: boolean;
  error?: string;
  disabled: boolean;
  onChange: (checked: boolean) => void;
}

export function ConsentBox(p: ConsentBoxProps) {
  return (
    <div class="cv-consent">
      <div class="cv-consent-row">
        <input
          class="cv-checkbox"
          type="checkbox"
          id="cv-consent"
          name="save"
          checked={p.checked}
          required={p.required}
          disabled={p.disabled}
          aria-invalid={Boolean(p.error)}
          aria-describedby="cv-consent-error"
          onChange={(e) => p.onChange(e.currentTarget.checked)}
        />
        <label class="cv-consent-label" for="cv-consent">
          {p.text}
        </label>
      </div>
      <p class="cv-error" id="cv-consent-error" aria-live="polite">
        {p.error ?? ''}
      </p>
    </div>
  );
}
