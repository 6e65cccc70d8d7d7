// Settings: the checkout, automatic payment and webhook settings of GET /v1/merchant, each group its
// own form saved through POST /v1/merchant, the webhook signing secret's rotation, and the processor
// account read-only (its credentials are changed through the API and never shown).
import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from '../router.tsx';
import type { Merchant } from '../settings/merchant.ts';
import { loadMerchant } from '../settings/merchant.ts';
import { type Field, SettingsForm } from '../settings/settings-form.tsx';
import { WebhookSecret } from '../settings/webhook-secret.tsx';
import { Facts, Loading, Page, useLoad, ViewerNote } from '../ui.tsx';

const CHECKOUT: Field[] = [
  {
    name: 'allowed_origins',
    label: 'Allowed origins',
    kind: 'lines',
    hint: 'The sites that may embed the card fields, one per line, e.g. https://shop.example (no path).',
  },
  { name: 'need_cvc', label: 'Ask for the CVC when a saved card pays in one click', kind: 'checkbox' },
  {
    name: 'one_click_after',
    label: 'Payments before a saved card is offered in one click',
    kind: 'number',
    hint: 'Successful payments a saved card needs first (0 to 1000).',
  },
  {
    name: 'three_d_secure',
    label: '3-D Secure',
    kind: 'select',
    options: [
      ['when_required', 'When the bank requires it'],
      ['always', 'Always, for every payment with a new card'],
    ],
  },
];
const AUTO_PAY: Field[] = [
  {
    name: 'auto_pay_days',
    label: 'Days before the due date',
    kind: 'number',
    hint: 'How many days before an invoice is due its automatic payment starts (0 to 60).',
  },
];
const WEBHOOKS: Field[] = [{ name: 'webhook_url', label: 'Webhook URL', kind: 'url', hint: 'Where events are sent. Leave empty to stop deliveries.' }];

export function SettingsPage(_props: PageProps) {
  const state = useLoad(loadMerchant, 'merchant');
  const [merchant, setMerchant] = useState<Merchant>();
  useEffect(() => setMerchant(state.data), [state.data]);
  return (
    <Page title="Settings">
      <ViewerNote />
      <Loading state={state}>
        {() =>
          merchant && (
            <>
              <SettingsForm title="Checkout" merchant={merchant} fields={CHECKOUT} onSaved={setMerchant} />
              <SettingsForm title="Automatic payments" merchant={merchant} fields={AUTO_PAY} onSaved={setMerchant} />
              <SettingsForm title="Webhooks" merchant={merchant} fields={WEBHOOKS} onSaved={setMerchant}>
                <WebhookSecret />
              </SettingsForm>
              <section class="card" aria-labelledby="processor-title">
                <h2 id="processor-title">Processor</h2>
                <Facts
                  rows={[
                    ['Type', merchant.processor?.type ?? 'None set up'],
                    ['Key', merchant.processor?.key_last4 ? `ends in ${merchant.processor.key_last4}` : '—'],
                    ['Mode', merchant.livemode ? 'Live' : 'Test'],
                  ]}
                />
                <p class="muted">The processor's credentials are set through the API (POST /v1/merchant, processor) and are never shown.</p>
              </section>
            </>
          )
        }
      </Loading>
    </Page>
  );
}
