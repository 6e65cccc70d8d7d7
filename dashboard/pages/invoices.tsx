// STUB: to be built.
import type { PageProps } from '../router.tsx';
import { Page } from '../ui.tsx';

export function InvoicesPage(_props: PageProps) {
  return (
    <Page title="Invoices">
      <p>Not built yet.</p>
    </Page>
  );
}
