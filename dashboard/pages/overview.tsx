// STUB: to be built.
import type { PageProps } from '../router.tsx';
import { Page } from '../ui.tsx';

export function OverviewPage(_props: PageProps) {
  return (
    <Page title="Overview">
      <p>Not built yet.</p>
    </Page>
  );
}
