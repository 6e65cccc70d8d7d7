// The customer's settings a merchant changes by hand: whether the fields may save cards for them
// (deny or allow) and their daily and weekly spending limits. Limits are typed in major units and sent
// in minor units; an error the API names a field for is shown beside that field.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, DashboardError, newKey } from '../api.ts';
import { ErrorNote, useCanChange, ViewerNote } from '../ui.tsx';
import { limitText, parseLimit } from './limits.ts';
import { customerPath, type CustomerView } from './types.ts';

type FieldName = 'status' | 'daily' | 'weekly';
const FIELD_OF_PARAM: Record<string, FieldName> = { status: 'status', 'limits.daily': 'daily', 'limits.weekly': 'weekly', limits: 'daily' };

export function SettingsForm(props: { customer: CustomerView; onSaved: (c: CustomerView) => void }) {
  const { customer } = props;
  const canChange = useCanChange();
  const [status, setStatus] = useState<'deny' | 'none'>(customer.status === 'deny' ? 'deny' : 'none');
  const [daily, setDaily] = useState(limitText(customer.limits.daily));
  const [weekly, setWeekly] = useState(limitText(customer.limits.weekly));
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<unknown>();
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);
  // One key per intended change: a retry of the same values replays rather than changes twice.
  const [key, setKey] = useState(newKey);

  useEffect(() => {
    setStatus(customer.status === 'deny' ? 'deny' : 'none');
    setDaily(limitText(customer.limits.daily));
    setWeekly(limitText(customer.limits.weekly));
  }, [customer]);

  const edited = () => {
    setSaved('');
    setKey(newKey());
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setSaved('');
    setFormError(undefined);
    const d = parseLimit(daily);
    const w = parseLimit(weekly);
    const found: Partial<Record<FieldName, string>> = {};
    if ('error' in d) found.daily = d.error;
    if ('error' in w) found.weekly = w.error;
    setErrors(found);
    if ('error' in d || 'error' in w) return;
    const body: { status?: 'deny' | 'none'; limits?: { daily?: number | null; weekly?: number | null } } = {};
    if (status !== (customer.status === 'deny' ? 'deny' : 'none')) body.status = status;
    const limits: { daily?: number | null; weekly?: number | null } = {};
    if (d.value !== (customer.limits.daily ?? null)) limits.daily = d.value;
    if (w.value !== (customer.limits.weekly ?? null)) limits.weekly = w.value;
    if (Object.keys(limits).length) body.limits = limits;
    if (!Object.keys(body).length) {
      setSaved('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      const next = await api.post<CustomerView>(customerPath(customer.customer), body, key);
      setKey(newKey());
      setSaved('Saved.');
      props.onSaved(next);
    } catch (error) {
      const field = error instanceof DashboardError && error.body.param ? FIELD_OF_PARAM[error.body.param] : undefined;
      if (field) setErrors({ [field]: error instanceof Error ? error.message : String(error) });
      else setFormError(error);
    } finally {
      setBusy(false);
    }
  };

  const described = (field: FieldName) => (errors[field] ? `cust-${field}-error` : `cust-${field}-hint`);
  return (
    <form class="form customer-settings" onSubmit={submit} aria-labelledby="settings-title" noValidate>
      <h2 id="settings-title">Settings</h2>
      <ViewerNote />
      <fieldset class="plain" disabled={!canChange || busy}>
        <Field
          label="Saving cards"
          hint="Denied: the fields never offer to save a card for this customer, and importing one is refused."
          name="status"
          error={errors.status}
        >
          <select
            id="cust-status"
            value={status}
            aria-describedby={described('status')}
            aria-invalid={errors.status ? true : undefined}
            onChange={(e) => {
              setStatus((e.target as HTMLSelectElement).value as 'deny' | 'none');
              edited();
            }}
          >
            <option value="none">Allowed</option>
            <option value="deny">Denied (deny)</option>
          </select>
        </Field>
        <Field label="Daily limit" hint="Successful charges per UTC day, e.g. 250.00. Empty: no limit." name="daily" error={errors.daily}>
          <input
            id="cust-daily"
            inputMode="decimal"
            autoComplete="off"
            value={daily}
            aria-describedby={described('daily')}
            aria-invalid={errors.daily ? true : undefined}
            onInput={(e) => {
              setDaily((e.target as HTMLInputElement).value);
              edited();
            }}
          />
        </Field>
        <Field label="Weekly limit" hint="Successful charges over any 7 days, e.g. 1000.00. Empty: no limit." name="weekly" error={errors.weekly}>
          <input
            id="cust-weekly"
            inputMode="decimal"
            autoComplete="off"
            value={weekly}
            aria-describedby={described('weekly')}
            aria-invalid={errors.weekly ? true : undefined}
            onInput={(e) => {
              setWeekly((e.target as HTMLInputElement).value);
              edited();
            }}
          />
        </Field>
        <div>
          <button type="submit" class="primary">
            {busy ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      </fieldset>
      <ErrorNote error={formError} />
      <p class="notice" role="status">
        {saved}
      </p>
    </form>
  );
}

/** A labelled control with its hint, and the error that replaces the hint as its description. */
function Field(props: { label: string; hint: string; name: FieldName; error?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={`cust-${props.name}`}>{props.label}</label>
      {props.children}
      <span id={`cust-${props.name}-hint`} class="muted hint">
        {props.hint}
      </span>
      {props.error && (
        <span id={`cust-${props.name}-error`} class="error">
          {props.error}
        </span>
      )}
    </div>
  );
}
