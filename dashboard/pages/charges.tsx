// STUB: to be built.
import type { PageProps } from '../router.tsx';
import { Page } from '../ui.tsx';

export function ChargesPage(_props: PageProps) {
  return (
    <Page title="Charges">
      <p>Not built yet.</p>
    </Page>
  );
}
