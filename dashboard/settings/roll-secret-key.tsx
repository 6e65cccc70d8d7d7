// "Roll secret key": a dialog to choose how long the previous key keeps working, then
// POST /v1/merchant/roll_secret_key; the new key is shown this once.
import { useMemo, useState } from 'preact/hooks';
import type { RolledSecretKey, RollSecretKey as RollRequest } from '../../protocol/types.ts';
import { api, newKey } from '../api.ts';
import { when } from '../format.ts';
import { ChangeButton } from '../ui.tsx';
import { SecretBox } from './secret-box.tsx';

/** How long the previous key keeps working, in hours (the API takes 0 to 168). */
const LIFETIMES: [hours: number, label: string][] = [
  [0, 'Stop it now'],
  [1, '1 hour'],
  [24, '24 hours'],
  [168, '7 days'],
];

export function RollSecretKey(props: { onRolled: () => void }) {
  const [hours, setHours] = useState(24);
  const [rolled, setRolled] = useState<RolledSecretKey>();
  // One key per roll, so a retry after a lost answer does not roll twice.
  const key = useMemo(newKey, [rolled]);
  const roll = async () => {
    setRolled(await api.post<RolledSecretKey>('/v1/merchant/roll_secret_key', { previous_key_expires_in_hours: hours } satisfies RollRequest, key));
    props.onRolled();
  };
  return (
    <>
      <ChangeButton
        label="Roll secret key"
        danger
        confirm={{
          title: 'Roll the secret key?',
          text: (
            <>
              <p>A new secret key is made and shown once. Your servers must switch to it before the previous one stops working.</p>
              <fieldset class="choices">
                <legend>Keep the previous key working for</legend>
                {LIFETIMES.map(([h, label]) => (
                  <label key={h}>
                    <input type="radio" name="previous-key-lifetime" value={h} checked={hours === h} onChange={() => setHours(h)} /> {label}
                  </label>
                ))}
              </fieldset>
            </>
          ),
          action: 'Roll secret key',
        }}
        onConfirm={roll}
      />
      {rolled && (
        <SecretBox label="New secret key" secret={rolled.secret_key}>
          {rolled.previous_key_expires_at ? `The previous key works until ${when(rolled.previous_key_expires_at)}.` : 'The previous key no longer works.'}
        </SecretBox>
      )}
    </>
  );
}
