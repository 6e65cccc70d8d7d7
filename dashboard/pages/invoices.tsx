// Invoices: each with its status, due date, the scheduler's automatic attempts and why the last one
// failed, the charges made for it (found by their order, which the scheduler sets to the invoice's id),
// and a form to create one.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { ChargeView } from '../../protocol/schemas/charges.ts';
import type { InvoiceView } from '../../protocol/schemas/invoices.ts';
import { api, type Page as ListPage, query } from '../api.ts';
import { day, money, when } from '../format.ts';
import { InvoiceForm } from '../payments/invoice-form.tsx';
import { BASE, Link, type PageProps } from '../router.tsx';
import { Badge, Loading, Page, Pager, TableWrap, useLoad, usePager } from '../ui.tsx';
import { ChargeRows } from './charges.tsx';

const COLUMNS = 8;

function InvoiceCharges(props: { invoice: InvoiceView }) {
  const { invoice } = props;
  // The scheduler's charges of an invoice carry its id as their order reference.
  const state = useLoad(() => api.get<ListPage<ChargeView>>(`/v1/charges${query({ order: invoice.id, limit: 100 })}`), invoice.id);
  return (
    <Loading state={state}>
      {(found) =>
        found.data.length === 0 ? (
          <p class="muted">{invoice.attempts === 0 ? 'No charge has been tried yet.' : 'No charge was made: the card was not tried (see the last failure).'}</p>
        ) : (
          <ChargeRows charges={found.data} showCustomer={false} />
        )
      }
    </Loading>
  );
}

function InvoiceRow(props: { invoice: InvoiceView }) {
  const i = props.invoice;
  const [open, setOpen] = useState(false);
  const panel = `invoice-${i.id}-charges`;
  return (
    <Fragment>
      <tr>
        <td>
          <code>{i.id}</code>
          {i.description && <div class="muted">{i.description}</div>}
        </td>
        <td>
          <Link href={`${BASE}/customers/${encodeURIComponent(i.customer)}`}>{i.customer}</Link>
        </td>
        <td class="num">{money(i.amount, i.currency)}</td>
        <td>{day(i.due_date)}</td>
        <td>
          <Badge value={i.status} />
          {i.paid_at && <div class="muted">{when(i.paid_at)}</div>}
        </td>
        <td class="num">{i.auto_pay ? i.attempts : 'manual'}</td>
        <td>
          {i.failure_code ? (
            <>
              <code>{i.failure_code}</code>
              {i.decline_code && <code>{i.decline_code}</code>} <span class="muted">{day(i.last_attempt_on)}</span>
            </>
          ) : (
            '—'
          )}
        </td>
        <td>
          <button type="button" class="link" aria-expanded={open} aria-controls={panel} onClick={() => setOpen(!open)}>
            {open ? 'Hide charges' : 'Charges'}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={panel}>
          <td colSpan={COLUMNS} class="nested">
            <InvoiceCharges invoice={i} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

export function InvoicesPage(props: PageProps) {
  const customer = props.query.get('customer') ?? '';
  const [version, setVersion] = useState(0);
  const key = `${customer}|${version}`;
  const pager = usePager(key);
  const state = useLoad(
    () => api.get<ListPage<InvoiceView>>(`/v1/invoices${query({ limit: 25, customer, starting_after: pager.after })}`),
    `${key}|${pager.after ?? ''}`,
  );
  return (
    <Page title="Invoices">
      {customer && (
        <p>
          Invoices of {customer}. <Link href={`${BASE}/invoices`}>All invoices</Link>
        </p>
      )}
      <Loading state={state}>
        {(page) =>
          page.data.length === 0 ? (
            <p class="muted">No invoices yet.</p>
          ) : (
            <>
              <TableWrap label="Invoices">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Invoice</th>
                      <th scope="col">Customer</th>
                      <th scope="col" class="num">
                        Amount
                      </th>
                      <th scope="col">Due</th>
                      <th scope="col">Status</th>
                      <th scope="col" class="num">
                        Attempts
                      </th>
                      <th scope="col">Last failure</th>
                      <th scope="col">
                        <span class="visually-hidden">Charges</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((i) => (
                      <InvoiceRow key={i.id} invoice={i} />
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <Pager pager={pager} hasMore={page.has_more} lastId={page.data[page.data.length - 1]?.id} label="Invoices" />
            </>
          )
        }
      </Loading>
      <InvoiceForm onCreated={() => setVersion((v) => v + 1)} />
    </Page>
  );
}
