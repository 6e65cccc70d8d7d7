// The "Refund" button of a charge and its dialog: the whole rest or a part typed in major units, the
// most that can be refunded said beside it. One Idempotency-Key per opening of the dialog, so a retry
// after a lost answer cannot refund twice; a different amount is a different refund and gets a new key.
import { useRef, useState } from 'preact/hooks';
import type { ChargeView, RefundView } from '../../protocol/schemas/charges.ts';
import { api, newKey } from '../api.ts';
import { money } from '../format.ts';
import { ErrorNote, useCanChange } from '../ui.tsx';
import { toMinor } from './amounts.ts';

export function RefundButton(props: { charge: ChargeView; onRefunded: (refund: RefundView) => void }) {
  const { charge } = props;
  const canChange = useCanChange();
  const dialog = useRef<HTMLDialogElement>(null);
  const sent = useRef<{ key: string; body: string } | undefined>(undefined);
  const [part, setPart] = useState(false);
  const [amount, setAmount] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [invalid, setInvalid] = useState('');
  const rest = charge.amount - charge.amount_refunded;
  const most = money(rest, charge.currency);

  if (charge.status !== 'succeeded' || rest <= 0) return null;
  if (!canChange) {
    return (
      <button type="button" disabled title="Viewers can't make changes">
        Refund
      </button>
    );
  }

  const open = () => {
    sent.current = undefined;
    setPart(false);
    setAmount('');
    setError(undefined);
    setInvalid('');
    dialog.current?.showModal();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setInvalid('');
    let body: { amount?: number } = {};
    if (part) {
      const minor = toMinor(amount, charge.currency);
      if (minor === undefined) return setInvalid(`Type an amount such as 10.00 (${charge.currency}).`);
      if (minor > rest) return setInvalid(`At most ${most} can be refunded.`);
      body = { amount: minor };
    }
    const text = JSON.stringify(body);
    if (sent.current?.body !== text) sent.current = { key: newKey(), body: text };
    setBusy(true);
    try {
      const refund = await api.post<RefundView>(`/v1/charges/${encodeURIComponent(charge.id)}/refunds`, body, sent.current.key);
      dialog.current?.close();
      props.onRefunded(refund);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" class="danger" onClick={open}>
        Refund
      </button>
      <dialog ref={dialog} aria-labelledby="refund-title">
        <form class="form" onSubmit={submit}>
          <h2 id="refund-title">Refund this charge</h2>
          <p>At most {most} can be refunded.</p>
          <fieldset class="choices">
            <legend>How much</legend>
            <label>
              <input type="radio" name="how" checked={!part} onChange={() => setPart(false)} /> All of it ({most})
            </label>
            <label>
              <input type="radio" name="how" checked={part} onChange={() => setPart(true)} /> Part of it
            </label>
          </fieldset>
          {part && (
            <label>
              Amount to refund ({charge.currency})
              <input
                name="amount"
                inputMode="decimal"
                autoComplete="off"
                value={amount}
                onInput={(e) => setAmount((e.currentTarget as HTMLInputElement).value)}
                aria-invalid={invalid ? true : undefined}
                aria-describedby={invalid ? 'refund-invalid' : undefined}
                required
              />
            </label>
          )}
          {invalid && (
            <p class="error" id="refund-invalid" role="alert">
              {invalid}
            </p>
          )}
          <ErrorNote error={error} />
          <div class="dialog-actions">
            <button type="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" class="danger" disabled={busy}>
              {busy ? 'Refunding…' : 'Refund'}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
