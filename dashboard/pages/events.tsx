// STUB: to be built.
import type { PageProps } from '../router.tsx';
import { Page } from '../ui.tsx';

export function EventsPage(_props: PageProps) {
  return (
    <Page title="Events">
      <p>Not built yet.</p>
    </Page>
  );
}
