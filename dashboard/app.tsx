// The signed-in dashboard: a header naming the shop and its mode, the navigation, and the page the
// address names.
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type Me, useCsrfToken } from './api.ts';
import { ApiKeysPage } from './pages/api-keys.tsx';
import { AuditPage } from './pages/audit.tsx';
import { ChargePage } from './pages/charge.tsx';
import { ChargesPage } from './pages/charges.tsx';
import { CustomerPage } from './pages/customer.tsx';
import { CustomersPage } from './pages/customers.tsx';
import { EventsPage } from './pages/events.tsx';
import { InvoicesPage } from './pages/invoices.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { BASE, Link, match, type PageProps, useLocation } from './router.tsx';
import { ErrorNote, MeContext, Page } from './ui.tsx';

type PageComponent = FunctionComponent<PageProps>;

const ROUTES: [string, PageComponent][] = [
  [BASE, OverviewPage],
  [`${BASE}/customers`, CustomersPage],
  [`${BASE}/customers/:customer`, CustomerPage],
  [`${BASE}/charges`, ChargesPage],
  [`${BASE}/charges/:id`, ChargePage],
  [`${BASE}/invoices`, InvoicesPage],
  [`${BASE}/events`, EventsPage],
  [`${BASE}/settings`, SettingsPage],
  [`${BASE}/api-keys`, ApiKeysPage],
  [`${BASE}/audit`, AuditPage],
];

const NAV: [string, string][] = [
  [BASE, 'Overview'],
  [`${BASE}/customers`, 'Customers'],
  [`${BASE}/charges`, 'Charges'],
  [`${BASE}/invoices`, 'Invoices'],
  [`${BASE}/events`, 'Events'],
  [`${BASE}/settings`, 'Settings'],
  [`${BASE}/api-keys`, 'API keys'],
  [`${BASE}/audit`, 'Audit log'],
];

function NotFound() {
  return (
    <Page title="Not found">
      <p>
        There is no such page. <Link href={BASE}>Go to the overview</Link>.
      </p>
    </Page>
  );
}

function Header(props: { me: Me }) {
  const { me } = props;
  return (
    <header class="top">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <div class="shop">
        <strong>{me.merchant.name}</strong>
        {me.merchant.livemode ? (
          <span class="mode live">Live</span>
        ) : (
          <span class="mode test" title="Test mode: simulated payments, test cards only">
            Test mode
          </span>
        )}
        {me.other_accounts.map((a) => (
          <a key={a.merchant_id} class="switch" href={`/dashboard/switch?to=${encodeURIComponent(a.merchant_id)}`}>
            Switch to {a.livemode ? 'live' : 'test'}: {a.merchant_name}
          </a>
        ))}
      </div>
      <div class="who">
        <span>
          {me.email} <span class="muted">({me.role})</span>
        </span>
        <form method="post" action="/dashboard/sign-out">
          <input type="hidden" name="csrf" value={me.csrf_token} />
          <button type="submit" class="link">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}

export function App() {
  const [me, setMe] = useState<Me>();
  const [error, setError] = useState<unknown>();
  const loc = useLocation();
  useEffect(() => {
    api.get<Me>('/me').then((m) => {
      useCsrfToken(m.csrf_token);
      setMe(m);
    }, setError);
  }, []);
  if (error) return <ErrorNote error={error} />;
  if (!me) return <p role="status">Loading…</p>;
  let content = <NotFound />;
  for (const [pattern, Component] of ROUTES) {
    const params = match(pattern, loc.path);
    if (params) {
      content = <Component params={params} query={loc.query} />;
      break;
    }
  }
  const section = NAV.filter(([href]) => loc.path === href || (href !== BASE && loc.path.startsWith(`${href}/`)))[0]?.[0];
  return (
    <MeContext.Provider value={me}>
      <Header me={me} />
      <div class="layout">
        <nav class="side" aria-label="Dashboard">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <Link href={href} aria-current={section === href ? 'page' : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main">{content}</main>
      </div>
    </MeContext.Provider>
  );
}
