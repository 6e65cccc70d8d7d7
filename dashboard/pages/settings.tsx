// STUB: to be built.
import type { PageProps } from '../router.tsx';
import { Page } from '../ui.tsx';

export function SettingsPage(_props: PageProps) {
  return (
    <Page title="Settings">
      <p>Not built yet.</p>
    </Page>
  );
}
