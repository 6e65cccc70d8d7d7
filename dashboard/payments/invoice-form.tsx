// The form that creates an invoice (InvoiceCreate): customer number, amount in major units, currency,
// due date, an optional description, and whether the vault pays it automatically from the saved card.
// One Idempotency-Key per invoice being written, kept across retries of the same fields.
import { useRef, useState } from 'preact/hooks';
import type { InvoiceCreate, InvoiceView } from '../../protocol/schemas/invoices.ts';
import type { MandateView } from '../../protocol/schemas/mandates.ts';
import { api, newKey, type Page } from '../api.ts';
import { money } from '../format.ts';
import { ErrorNote, useCanChange, ViewerNote } from '../ui.tsx';
import { toMinor } from './amounts.ts';

const today = () => new Date().toISOString().slice(0, 10);

/** A real currency code (the browser knows them all), not merely three letters such as XYZ. */
function isCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  const known = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('currency');
  return known ? known.includes(code) : true;
}

/** Whether one of the customer's active mandates allows this amount in this currency. */
async function agreementCovers(customer: string, amount: number, currency: string): Promise<boolean> {
  const { data } = await api.get<Page<MandateView>>(`/v1/customers/${encodeURIComponent(customer)}/mandates`);
  return data.some((m) => m.status === 'active' && m.currency === currency && m.min_amount <= amount && amount <= m.max_amount);
}

export function InvoiceForm(props: { onCreated: (invoice: InvoiceView) => void }) {
  const canChange = useCanChange();
  const sent = useRef<{ key: string; body: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [invalid, setInvalid] = useState('');
  const [created, setCreated] = useState<InvoiceView>();

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const field = (name: string) => String(data.get(name) ?? '').trim();
    setError(undefined);
    setInvalid('');
    const currency = field('currency').toUpperCase();
    if (!isCurrency(currency)) return setInvalid('The currency is an ISO 4217 code such as USD or EUR.');
    const amount = toMinor(field('amount'), currency);
    if (amount === undefined) return setInvalid(`Type the amount in ${currency}, such as 25.00.`);
    const body: InvoiceCreate = { customer: field('customer'), amount, currency, due_date: field('due_date'), auto_pay: data.get('auto_pay') === 'on' };
    // The scheduler charges only under the customer's agreement: without one covering the invoice its
    // attempt fails and the customer is told a payment could not be taken. Said here, before that.
    if (body.auto_pay) {
      const covered = await agreementCovers(body.customer, amount, currency).catch(() => true);
      if (!covered) {
        return setInvalid(
          `No active agreement (mandate) of ${body.customer} covers ${money(amount, currency)}: ` +
            'untick "Pay automatically", or have the customer agree to automatic payments first.',
        );
      }
    }
    if (field('description')) body.description = field('description');
    const text = JSON.stringify(body);
    if (sent.current?.body !== text) sent.current = { key: newKey(), body: text };
    setBusy(true);
    try {
      const invoice = await api.post<InvoiceView>('/v1/invoices', body, sent.current.key);
      sent.current = undefined;
      form.reset();
      setCreated(invoice);
      props.onCreated(invoice);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="new-invoice">
      <h2 id="new-invoice">Create an invoice</h2>
      <ViewerNote />
      <form class="form" onSubmit={submit}>
        <label>
          Customer number
          <input name="customer" required maxLength={32} pattern="[A-Za-z0-9._@\-]{1,32}" autoComplete="off" />
        </label>
        <div class="form-row">
          <label>
            Amount
            <input name="amount" required inputMode="decimal" autoComplete="off" />
          </label>
          <label>
            Currency
            <input name="currency" required defaultValue="USD" maxLength={3} pattern="[A-Za-z]{3}" autoComplete="off" />
          </label>
        </div>
        <label>
          Due date
          <input type="date" name="due_date" required min={today()} />
        </label>
        <label>
          Description (optional)
          <textarea name="description" maxLength={500} rows={2} />
        </label>
        <label class="check">
          <input type="checkbox" name="auto_pay" defaultChecked /> Pay automatically from the customer's default card, under their agreement
        </label>
        {invalid && (
          <p class="error" role="alert">
            {invalid}
          </p>
        )}
        <ErrorNote error={error} />
        {created && (
          <p class="notice" role="status">
            Invoice <code>{created.id}</code> created for {created.customer}: {money(created.amount, created.currency)}.
          </p>
        )}
        <div>
          <button type="submit" class="primary" disabled={!canChange || busy} title={canChange ? undefined : "Viewers can't make changes"}>
            {busy ? 'Creating…' : 'Create invoice'}
          </button>
        </div>
      </form>
    </section>
  );
}
