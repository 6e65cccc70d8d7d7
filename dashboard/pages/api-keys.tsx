// STUB: to be built.
import type { PageProps } from '../router.tsx';
import { Page } from '../ui.tsx';

export function ApiKeysPage(_props: PageProps) {
  return (
    <Page title="API keys">
      <p>Not built yet.</p>
    </Page>
  );
}
