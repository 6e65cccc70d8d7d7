// The fields' own submit button, rendered only for the no-code mount: the enclosing form's submit
// (a click, or Enter in a field) runs confirm() and reports the result to the page.
export interface SubmitButtonProps {
  label: string;
  busyLabel: string;
  busy: boolean;
}

export function SubmitButton({ label, busyLabel, busy }: SubmitButtonProps) {
  return (
    <button type="submit" class="cv-submit" disabled={busy}>
      {busy ? busyLabel : label}
    </button>
  );
}
