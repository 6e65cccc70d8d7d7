// One group of settings as a form: drafts of its fields, a Save that sends only what changed to
// POST /v1/merchant, the API's error next to the field its `param` names, and the outcome announced.
// A viewer sees the same values, disabled.
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { DashboardError } from '../api.ts';
import { ErrorNote, useCanChange } from '../ui.tsx';
import { type Merchant, settingsSaver } from './merchant.ts';

type Draft = string | boolean;

export interface Field {
  name: keyof Merchant & string;
  label: string;
  hint?: string;
  kind: 'text' | 'url' | 'lines' | 'number' | 'checkbox' | 'select';
  options?: [value: string, label: string][];
}

/** The form's text for a setting's value. */
function toDraft(f: Field, value: unknown): Draft {
  if (f.kind === 'checkbox') return value === true;
  if (f.kind === 'lines') return ((value as string[] | null) ?? []).join('\n');
  return value === null || value === undefined ? '' : String(value);
}

/** The value the API takes for a draft; a number that is not one is sent as typed, for the API to name. */
function toValue(f: Field, draft: Draft): unknown {
  if (f.kind === 'checkbox') return draft === true;
  const text = String(draft).trim();
  if (f.kind === 'lines')
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  if (f.kind === 'number') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (f.kind === 'url') return text === '' ? null : text;
  return text;
}

export function SettingsForm(props: { title: string; merchant: Merchant; fields: Field[]; onSaved: (m: Merchant) => void; children?: ComponentChildren }) {
  const { merchant, fields } = props;
  const canChange = useCanChange();
  const save = useMemo(settingsSaver, []);
  const initial = () => Object.fromEntries(fields.map((f) => [f.name, toDraft(f, merchant[f.name])]));
  const [draft, setDraft] = useState<Record<string, Draft>>(initial);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<{ field?: string; error: unknown }>();
  const formId = props.title.toLowerCase().replace(/\W+/g, '-');

  const changes = () => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const value = toValue(f, draft[f.name]);
      if (JSON.stringify(value) !== JSON.stringify(merchant[f.name])) out[f.name] = value;
    }
    return out;
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const body = changes();
    setError(undefined);
    if (Object.keys(body).length === 0) {
      setStatus('Nothing changed to save.');
      return;
    }
    setBusy(true);
    setStatus('');
    try {
      const saved = await save(body);
      setDraft(Object.fromEntries(fields.map((f) => [f.name, toDraft(f, saved[f.name])])));
      // Named as the form names them, not by their API fields.
      const labels = Object.keys(body).map((name) => props.fields.find((f) => f.name === name)?.label ?? name);
      setStatus(`Saved: ${labels.join(', ')}.`);
      props.onSaved(saved);
    } catch (err) {
      // `allowed_origins.1` belongs to the allowed origins field.
      const param = err instanceof DashboardError ? err.body.param?.split('.')[0] : undefined;
      setError({ field: fields.some((f) => f.name === param) ? param : undefined, error: err });
    } finally {
      setBusy(false);
    }
  };

  const set = (name: string, value: Draft) => {
    setDraft((d) => ({ ...d, [name]: value }));
    setStatus('');
  };

  return (
    <section class="card" aria-labelledby={`${formId}-title`}>
      <h2 id={`${formId}-title`}>{props.title}</h2>
      <form class="form" onSubmit={submit} noValidate>
        <fieldset class="plain" disabled={!canChange || busy}>
          {fields.map((f) => (
            <FieldInput
              key={f.name}
              formId={formId}
              field={f}
              value={draft[f.name]}
              onInput={(v) => set(f.name, v)}
              error={error?.field === f.name ? error.error : undefined}
            />
          ))}
        </fieldset>
        {error && !error.field && <ErrorNote error={error.error} />}
        {canChange && (
          <div class="form-actions">
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Saving…' : `Save ${props.title.toLowerCase()}`}
            </button>
            <span role="status" class="notice">
              {status}
            </span>
          </div>
        )}
      </form>
      {props.children}
    </section>
  );
}

function FieldInput(props: { formId: string; field: Field; value: Draft; onInput: (v: Draft) => void; error?: unknown }) {
  const { field: f, value, error } = props;
  const id = `${props.formId}-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, name: f.name, 'aria-describedby': described, 'aria-invalid': error ? true : undefined };
  const text = (e: Event) => props.onInput((e.currentTarget as HTMLInputElement).value);
  let input: ComponentChildren;
  if (f.kind === 'checkbox')
    input = <input {...common} type="checkbox" checked={value === true} onChange={(e) => props.onInput((e.currentTarget as HTMLInputElement).checked)} />;
  else if (f.kind === 'lines') input = <textarea {...common} rows={4} value={String(value)} onInput={text} spellcheck={false} />;
  else if (f.kind === 'select')
    input = (
      <select {...common} value={String(value)} onChange={text}>
        {f.options?.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
    );
  else
    input = (
      <input
        {...common}
        type={f.kind === 'number' ? 'number' : f.kind === 'url' ? 'url' : 'text'}
        inputMode={f.kind === 'number' ? 'numeric' : undefined}
        value={String(value)}
        onInput={text}
      />
    );
  return (
    <div class={f.kind === 'checkbox' ? 'field check' : 'field'}>
      {f.kind === 'checkbox' ? (
        <label for={id}>
          {input} {f.label}
        </label>
      ) : (
        <>
          <label for={id}>{f.label}</label>
          {input}
        </>
      )}
      {f.hint && (
        <p class="hint muted" id={`${id}-hint`}>
          {f.hint}
        </p>
      )}
      {error !== undefined && (
        <p class="error" id={`${id}-error`} role="alert">
          {error instanceof DashboardError ? error.message : 'This could not be saved.'}
        </p>
      )}
    </div>
  );
}
