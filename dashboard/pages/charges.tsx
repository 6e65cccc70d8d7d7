// Charges: the merchant's charges newest first, narrowed by status, initiator, customer and dates, with
// the filters in the address (so a filtered list can be bookmarked or shared), each row opening the charge.
import type { ChargeView } from '../../protocol/schemas/charges.ts';
import { api, type Page as ListPage, query } from '../api.ts';
import { cardLabel, money, when } from '../format.ts';
import { BASE, Link, navigate, type PageProps } from '../router.tsx';
import { Badge, Loading, Page, Pager, TableWrap, useLoad, usePager } from '../ui.tsx';

const FILTERS = ['status', 'initiator', 'customer', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function filtersOf(q: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((f) => [f, q.get(f) ?? ''])) as Filters;
}

/** The day after a YYYY-MM-DD date: "to 4 Dec" includes the whole of 4 December. */
function dayAfter(date: string): string | undefined {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return undefined;
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The API's query for the filters: dates are whole days in UTC, "to" included. */
function apiQuery(f: Filters, after: string | undefined): string {
  return query({
    limit: 25,
    starting_after: after,
    status: f.status,
    initiator: f.initiator,
    customer: f.customer.trim(),
    created_gte: f.from,
    created_lt: f.to ? dayAfter(f.to) : undefined,
  });
}

/**
 * The filters as they are in the address. Uncontrolled (default values only): a re-render while the
 * list loads must not undo what the person is choosing; the form is made anew when the address changes.
 */
function FilterForm(props: { filters: Filters }) {
  const f = props.filters;
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const next: Record<string, string> = {};
    for (const name of FILTERS) next[name] = String(data.get(name) ?? '').trim();
    navigate(`${BASE}/charges${query(next)}`);
  };
  const any = FILTERS.some((name) => f[name]);
  return (
    <form class="filters" onSubmit={onSubmit} aria-label="Filter charges">
      <label>
        Status
        <select name="status">
          <option value="">Any</option>
          <option value="succeeded" selected={f.status === 'succeeded'}>
            Succeeded
          </option>
          <option value="failed" selected={f.status === 'failed'}>
            Failed
          </option>
        </select>
      </label>
      <label>
        Initiated by
        <select name="initiator">
          <option value="">Anyone</option>
          <option value="customer" selected={f.initiator === 'customer'}>
            Customer
          </option>
          <option value="merchant" selected={f.initiator === 'merchant'}>
            Merchant
          </option>
        </select>
      </label>
      <label>
        Customer
        <input name="customer" defaultValue={f.customer} maxLength={32} autoComplete="off" />
      </label>
      <label>
        From
        <input type="date" name="from" defaultValue={f.from} />
      </label>
      <label>
        To
        <input type="date" name="to" defaultValue={f.to} />
      </label>
      <button type="submit" class="primary">
        Filter
      </button>
      {any && <Link href={`${BASE}/charges`}>Clear filters</Link>}
    </form>
  );
}

export function ChargeRows(props: { charges: ChargeView[]; showCustomer?: boolean }) {
  return (
    <TableWrap label="Charges">
      <table>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col" class="num">
              Amount
            </th>
            <th scope="col">Status</th>
            {props.showCustomer !== false && <th scope="col">Customer</th>}
            <th scope="col">Card</th>
            <th scope="col">Initiated by</th>
            <th scope="col" class="num">
              Refunded
            </th>
          </tr>
        </thead>
        <tbody>
          {props.charges.map((c) => (
            <tr key={c.id}>
              <td>
                <Link href={`${BASE}/charges/${encodeURIComponent(c.id)}`}>{when(c.created)}</Link>
              </td>
              <td class="num">{money(c.amount, c.currency)}</td>
              <td>
                <Badge value={c.status} />
              </td>
              {props.showCustomer !== false && (
                <td>{c.customer ? <Link href={`${BASE}/customers/${encodeURIComponent(c.customer)}`}>{c.customer}</Link> : '—'}</td>
              )}
              <td>{cardLabel(c.card_details)}</td>
              <td>{c.initiator}</td>
              <td class="num">{c.amount_refunded ? money(c.amount_refunded, c.currency) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function ChargesPage(props: PageProps) {
  const filters = filtersOf(props.query);
  const key = JSON.stringify(filters);
  const pager = usePager(key);
  const state = useLoad(() => api.get<ListPage<ChargeView>>(`/v1/charges${apiQuery(filters, pager.after)}`), `${key}|${pager.after ?? ''}`);
  return (
    <Page title="Charges">
      <FilterForm key={key} filters={filters} />
      <Loading state={state}>
        {(page) =>
          page.data.length === 0 ? (
            <p class="muted">No charges{FILTERS.some((f) => filters[f]) ? ' match these filters' : ' yet'}.</p>
          ) : (
            <>
              <ChargeRows charges={page.data} />
              <Pager pager={pager} hasMore={page.has_more} lastId={page.data[page.data.length - 1]?.id} label="Charges" />
            </>
          )
        }
      </Loading>
    </Page>
  );
}
