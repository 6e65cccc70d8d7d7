// STUB: to be built.
import type { PageProps } from '../router.tsx';
import { Page } from '../ui.tsx';

export function CustomersPage(_props: PageProps) {
  return (
    <Page title="Customers">
      <p>Not built yet.</p>
    </Page>
  );
}
