// The customers list (/dashboard/customers): found by the start of their number and by status, in
// number order, a page at a time. The search lives in the address (?prefix=&status=), so the back
// button and a reload keep it; the page within the results does not.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Page as ListPage, query } from '../api.ts';
import { limitText } from '../customer/limits.ts';
import { cardLabel } from '../format.ts';
import type { CustomerListItem } from '../../protocol/schemas/customers.ts';
import type { CustomerView } from '../customer/types.ts';
import { BASE, Link, navigate, type PageProps } from '../router.tsx';
import { Badge, Loading, Page, Pager, TableWrap, useLoad, usePager } from '../ui.tsx';

const STATUSES: [string, string][] = [
  ['', 'Any status'],
  ['member', 'member (has saved cards)'],
  ['none', 'none'],
  ['deny', 'deny (saving refused)'],
];

const limits = (c: CustomerView) => {
  const { daily, weekly } = c.limits;
  if (daily === undefined && weekly === undefined) return '—';
  return [daily !== undefined && `${limitText(daily)} a day`, weekly !== undefined && `${limitText(weekly)} a week`].filter(Boolean).join(', ');
};

export function CustomersPage(props: PageProps) {
  const prefix = props.query.get('prefix') ?? '';
  const status = props.query.get('status') ?? '';
  const [typed, setTyped] = useState(prefix);
  // The box follows the address when it changes (back, a link), never at mount: the effect runs after
  // the first paint, and would wipe what someone typed in between.
  const shown = useRef(prefix);
  useEffect(() => {
    if (shown.current === prefix) return;
    shown.current = prefix;
    setTyped(prefix);
  }, [prefix]);

  const search = (next: { prefix: string; status: string }) => navigate(`${BASE}/customers${query(next)}`);
  const pager = usePager(`${prefix}|${status}`);
  const state = useLoad(
    () => api.get<ListPage<CustomerListItem>>(`/v1/customers${query({ limit: 25, prefix, status, starting_after: pager.after })}`),
    `${prefix}|${status}|${pager.after ?? ''}`,
  );

  return (
    <Page title="Customers">
      <form
        class="filters"
        role="search"
        aria-label="Customers"
        onSubmit={(e) => {
          e.preventDefault();
          search({ prefix: typed.trim(), status });
        }}
      >
        <label>
          Customer number starts with
          <input type="search" value={typed} autoComplete="off" spellcheck={false} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => search({ prefix: typed.trim(), status: (e.target as HTMLSelectElement).value })}>
            {STATUSES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <Loading state={state}>
        {(page) =>
          page.data.length === 0 && pager.page === 1 ? (
            <p class="muted" role="status">
              {prefix || status ? 'No customer matches this search.' : 'No customers yet.'}
            </p>
          ) : (
            <>
              <TableWrap labelledBy="page-title">
                <table>
                  <caption class="muted">Customers in number order{prefix ? `, starting with “${prefix}”` : ''}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Customer</th>
                      <th scope="col">Status</th>
                      <th scope="col">Email</th>
                      <th scope="col">Default card</th>
                      <th scope="col">Limits</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((c) => (
                      <tr key={c.customer}>
                        <th scope="row">
                          <Link href={`${BASE}/customers/${encodeURIComponent(c.customer)}`}>{c.customer}</Link>
                        </th>
                        <td>
                          <Badge value={c.status} />
                        </td>
                        <td>{c.email ?? '—'}</td>
                        <td>{c.default_card_details ? cardLabel(c.default_card_details) : '—'}</td>
                        <td>{limits(c)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <Pager pager={pager} hasMore={page.has_more} lastId={page.data[page.data.length - 1]?.customer} label="Customer" order="number" />
            </>
          )
        }
      </Loading>
    </Page>
  );
}
