// STUB: to be built.
import type { PageProps } from '../router.tsx';
import { Page } from '../ui.tsx';

export function ChargePage(_props: PageProps) {
  return (
    <Page title="Charge">
      <p>Not built yet.</p>
    </Page>
  );
}
