// One customer (/dashboard/customers/:customer): their status, contact, limits and language; the
// settings a merchant may change; their masked saved cards and mandates with the changes each allows;
// and their recent charges, invoices and messages.
import { useState } from 'preact/hooks';
import { api, type Page as ListPage, query } from '../api.ts';
import { Cards } from '../customer/cards.tsx';
import { History } from '../customer/history.tsx';
import { limitText } from '../customer/limits.ts';
import { Mandates } from '../customer/mandates.tsx';
import { SettingsForm } from '../customer/settings-form.tsx';
import { type CardView, customerPath, type CustomerView, type InvoiceView, type MandateView } from '../customer/types.ts';
import { cardLabel } from '../format.ts';
import { Link, type PageProps } from '../router.tsx';
import { Badge, Facts, Loading, Page, useLoad } from '../ui.tsx';

interface Everything {
  customer: CustomerView;
  cards: CardView[];
  mandates: MandateView[];
  openInvoices: InvoiceView[];
}

async function loadCustomer(number: string): Promise<Everything> {
  const base = customerPath(number);
  const [customer, cards, mandates, invoices] = await Promise.all([
    api.get<CustomerView>(base),
    api.get<ListPage<CardView>>(`${base}/cards`),
    api.get<ListPage<MandateView>>(`${base}/mandates`),
    // Enough to say which open invoices a deleted default card stops paying.
    api.get<ListPage<InvoiceView>>(`/v1/invoices${query({ customer: number, limit: 100 })}`),
  ]);
  return { customer, cards: cards.data, mandates: mandates.data, openInvoices: invoices.data.filter((i) => i.status === 'open') };
}

/** "French (fr)" for a locale code; the code alone where the browser has no name for it. */
function language(locale: string | undefined): string {
  if (!locale) return 'English (not set)';
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(locale);
    return name && name !== locale ? `${name} (${locale})` : locale;
  } catch {
    return locale;
  }
}

const limit = (minor: number | undefined) => (minor === undefined ? 'No limit' : limitText(minor));

export function CustomerPage(props: PageProps) {
  const number = props.params.customer;
  const [version, setVersion] = useState(0);
  const state = useLoad(() => loadCustomer(number), `${number}|${version}`);
  const changed = () => setVersion((v) => v + 1);

  return (
    <Page title={`Customer ${number}`} actions={<Link href="/dashboard/customers">All customers</Link>}>
      <Loading state={state}>
        {(all) => {
          const { customer } = all;
          const defaultCard = all.cards.find((c) => c.token === customer.default_card);
          return (
            <>
              <div class="card">
                <Facts
                  rows={[
                    ['Status', <Badge key="s" value={customer.status} />],
                    ['Email', customer.email ?? '—'],
                    ['Phone', customer.phone ?? '—'],
                    ['Daily limit', limit(customer.limits.daily)],
                    ['Weekly limit', limit(customer.limits.weekly)],
                    ['Language', language(customer.locale)],
                    ['Default card', defaultCard ? cardLabel(defaultCard) : '—'],
                  ]}
                />
              </div>
              <div class="card">
                <SettingsForm customer={customer} onSaved={changed} />
              </div>
              <Cards customer={number} cards={all.cards} mandates={all.mandates} openInvoices={all.openInvoices} onChanged={changed} />
              <Mandates mandates={all.mandates} cards={all.cards} onChanged={changed} />
              <History customer={number} version={version} />
            </>
          );
        }}
      </Loading>
    </Page>
  );
}
