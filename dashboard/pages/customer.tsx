// STUB: to be built.
import type { PageProps } from '../router.tsx';
import { Page } from '../ui.tsx';

export function CustomerPage(_props: PageProps) {
  return (
    <Page title="Customer">
      <p>Not built yet.</p>
    </Page>
  );
}
