// STUB: to be built.
import type { PageProps } from '../router.tsx';
import { Page } from '../ui.tsx';

export function AuditPage(_props: PageProps) {
  return (
    <Page title="Audit log">
      <p>Not built yet.</p>
    </Page>
  );
}
