// What happened with a customer, newest first: their charges (each linking to its page), their
// invoices, and the messages the vault sent them. Each list pages on its own.
import type { ComponentChildren } from 'preact';
import { api, type Page, query } from '../api.ts';
import { cardLabel, day, money, when } from '../format.ts';
import { Link } from '../router.tsx';
import { Badge, Loading, Pager, TableWrap, useLoad, usePager } from '../ui.tsx';
import type { ChargeView, InvoiceView, MessageView } from './types.ts';

function Recent<T extends { id: string }>(props: {
  id: string;
  title: string;
  path: string;
  customer: string;
  version: number;
  empty: string;
  head: string[];
  row: (item: T) => ComponentChildren;
}) {
  const pager = usePager(`${props.path}|${props.customer}`);
  const state = useLoad(
    () => api.get<Page<T>>(`${props.path}${query({ customer: props.customer, limit: 10, starting_after: pager.after })}`),
    `${props.path}|${props.customer}|${pager.after ?? ''}|${props.version}`,
  );
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      <Loading state={state}>
        {(page) =>
          page.data.length === 0 && pager.page === 1 ? (
            <p class="muted">{props.empty}</p>
          ) : (
            <>
              <TableWrap labelledBy={props.id}>
                <table>
                  <thead>
                    <tr>
                      {props.head.map((h) => (
                        <th scope="col" key={h} class={h === 'Amount' ? 'num' : undefined}>
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((item) => (
                      <tr key={item.id}>{props.row(item)}</tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <Pager pager={pager} hasMore={page.has_more} lastId={page.data[page.data.length - 1]?.id} label={props.title} />
            </>
          )
        }
      </Loading>
    </section>
  );
}

export function History(props: { customer: string; version: number }) {
  const { customer, version } = props;
  return (
    <>
      <Recent<ChargeView>
        id="charges-title"
        title="Recent charges"
        path="/v1/charges"
        customer={customer}
        version={version}
        empty="No charges."
        head={['Charge', 'Status', 'Amount', 'Card', 'By', 'When']}
        row={(c) => (
          <>
            <th scope="row">
              <Link href={`/dashboard/charges/${encodeURIComponent(c.id)}`}>{c.id}</Link>
            </th>
            <td>
              <Badge value={c.status} />
            </td>
            <td class="num">{money(c.amount, c.currency)}</td>
            <td>{cardLabel(c.card_details)}</td>
            <td>{c.initiator}</td>
            <td>{when(c.created)}</td>
          </>
        )}
      />
      <Recent<InvoiceView>
        id="invoices-title"
        title="Invoices"
        path="/v1/invoices"
        customer={customer}
        version={version}
        empty="No invoices."
        head={['Invoice', 'Status', 'Amount', 'Due', 'Paid automatically', 'Description']}
        row={(i) => (
          <>
            <th scope="row">{i.id}</th>
            <td>
              <Badge value={i.status} />
            </td>
            <td class="num">{money(i.amount, i.currency)}</td>
            <td>{day(i.due_date)}</td>
            <td>{i.auto_pay ? (i.failure_code ? `yes (last try: ${[i.failure_code, i.decline_code].filter(Boolean).join(', ')})` : 'yes') : 'no'}</td>
            <td>{i.description ?? '—'}</td>
          </>
        )}
      />
      <Recent<MessageView>
        id="messages-title"
        title="Messages sent"
        path="/v1/messages"
        customer={customer}
        version={version}
        empty="No messages."
        head={['Sent', 'Channel', 'To', 'Subject', 'Status']}
        row={(m) => (
          <>
            <th scope="row">{when(m.created)}</th>
            <td>{m.channel}</td>
            <td>{m.recipient}</td>
            <td>{m.subject ?? m.template}</td>
            <td>
              <Badge value={m.status} />
            </td>
          </>
        )}
      />
    </>
  );
}
