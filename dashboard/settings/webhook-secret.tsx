// "Rotate signing secret": after a confirmation, POST /v1/webhooks/rotate_secret; the new secret is
// shown this once, with until when deliveries are still also signed with the previous one.
import { useMemo, useState } from 'preact/hooks';
import type { RotatedSecret, RotateSecret } from '../../protocol/types.ts';
import { api, newKey } from '../api.ts';
import { when } from '../format.ts';
import { ChangeButton } from '../ui.tsx';
import { SecretBox } from './secret-box.tsx';

export function WebhookSecret() {
  const [rotated, setRotated] = useState<RotatedSecret>();
  // One key for this rotation, so a retry after a lost answer does not rotate twice.
  const key = useMemo(newKey, [rotated]);
  return (
    <div class="subsection">
      <h3>Signing secret</h3>
      <p class="muted">
        Your server checks each delivery's Checkout-Signature with this secret. Rotating it makes a new one; the previous one still signs deliveries for a day,
        while you update your server.
      </p>
      <ChangeButton
        label="Rotate signing secret"
        confirm={{
          title: 'Rotate the webhook signing secret?',
          text: <p>A new secret is made and shown once. Deliveries are signed with both for 24 hours; after that only the new one.</p>,
          action: 'Rotate secret',
        }}
        onConfirm={async () => setRotated(await api.post<RotatedSecret>('/v1/webhooks/rotate_secret', {} satisfies RotateSecret, key))}
      />
      {rotated && (
        <SecretBox label="New webhook signing secret" secret={rotated.webhook_secret}>
          The previous secret is accepted until {when(rotated.previous_secret_expires_at)}.
        </SecretBox>
      )}
    </div>
  );
}
