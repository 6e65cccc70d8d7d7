// API keys: the publishable key, and the secret key, which the vault keeps only as a hash and so shows
// only once, right after it is rolled, with until when the previous one still works.
import type { PageProps } from '../router.tsx';
import { when } from '../format.ts';
import { loadMerchant } from '../settings/merchant.ts';
import { RollSecretKey } from '../settings/roll-secret-key.tsx';
import { Facts, Loading, Page, useLoad, ViewerNote } from '../ui.tsx';

export function ApiKeysPage(_props: PageProps) {
  const state = useLoad(loadMerchant, 'merchant');
  return (
    <Page title="API keys">
      <ViewerNote />
      <Loading state={state}>
        {(m) => {
          const previous = m.previous_secret_key_expires_at;
          const pending = previous && Date.parse(previous) > Date.now();
          return (
            <>
              <section class="card" aria-labelledby="publishable-title">
                <h2 id="publishable-title">Publishable key</h2>
                <p class="muted">For your web pages: it loads the card fields and can do nothing else.</p>
                <p class="secret">{m.publishable_key}</p>
              </section>
              <section class="card" aria-labelledby="secret-title">
                <h2 id="secret-title">Secret key</h2>
                <p class="muted">For your server only. The vault keeps a hash of it, so it cannot show it: if it is lost or leaked, roll it.</p>
                <Facts
                  rows={[
                    ['Secret key', m.livemode ? 'sk_live_… (hidden)' : 'sk_test_… (hidden)'],
                    ['Previous key', pending ? `works until ${when(previous)}` : 'none working'],
                  ]}
                />
                <div class="key-actions">
                  <RollSecretKey onRolled={state.reload} />
                </div>
              </section>
            </>
          );
        }}
      </Loading>
    </Page>
  );
}
