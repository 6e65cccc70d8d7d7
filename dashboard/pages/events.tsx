// Events: what happened in the account, newest first, narrowed to one type (kept in the address), each
// opened in place to its data and its webhook deliveries.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { EventType, EventView } from '../../protocol/types.ts';
import { api, type Page as ListPage, query } from '../api.ts';
import { when } from '../format.ts';
import { EventDetails } from '../payments/event-details.tsx';
import { BASE, navigate, type PageProps } from '../router.tsx';
import { Loading, Page, Pager, TableWrap, useLoad, usePager } from '../ui.tsx';

/**
 * The types the vault sends, in the order the filter offers them. The keys must be exactly the
 * contract's EventType (protocol/schemas/events.ts), or this does not compile; the bundle takes only
 * types from protocol/, so the values are spelled out here.
 */
const TYPES = Object.keys({
  'session.completed': true,
  'charge.succeeded': true,
  'charge.failed': true,
  'charge.refunded': true,
  'charge.refund_failed': true,
  'charge.dispute.created': true,
  'charge.dispute.closed': true,
  'card.saved': true,
  'card.updated': true,
  'card.deleted': true,
  'card.expiring': true,
  'card.forwarded': true,
  'mandate.created': true,
  'mandate.cancelled': true,
  'invoice.paid': true,
  'invoice.payment_failed': true,
} satisfies Record<EventType, true>) as EventType[];

function EventRow(props: { event: EventView }) {
  const e = props.event;
  const [open, setOpen] = useState(false);
  const panel = `event-${e.id}`;
  return (
    <Fragment>
      <tr>
        <td>
          <code>{e.type}</code>
        </td>
        <td>{when(e.created)}</td>
        <td>
          <code>{e.id}</code>
        </td>
        <td>
          <button type="button" class="link" aria-expanded={open} aria-controls={panel} onClick={() => setOpen(!open)}>
            {open ? 'Hide' : 'Details'}
            <span class="visually-hidden"> of {e.id}</span>
          </button>
        </td>
      </tr>
      {open && (
        <tr id={panel}>
          <td colSpan={4} class="nested">
            <EventDetails event={e} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

export function EventsPage(props: PageProps) {
  const type = props.query.get('type') ?? '';
  const pager = usePager(type);
  const state = useLoad(
    () => api.get<ListPage<EventView>>(`/v1/events${query({ limit: 25, type, starting_after: pager.after })}`),
    `${type}|${pager.after ?? ''}`,
  );
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const chosen = new FormData(e.currentTarget as HTMLFormElement).get('type');
    navigate(`${BASE}/events${query({ type: String(chosen ?? '') })}`);
  };
  return (
    <Page title="Events">
      <form class="filters" onSubmit={onSubmit} aria-label="Filter events" key={type}>
        <label>
          Type
          <select name="type">
            <option value="">All types</option>
            {TYPES.map((t) => (
              <option key={t} value={t} selected={t === type}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary">
          Show
        </button>
      </form>
      <Loading state={state}>
        {(page) =>
          page.data.length === 0 ? (
            <p class="muted">No events{type ? ' of this type' : ' yet'}.</p>
          ) : (
            <>
              <TableWrap label="Events">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Type</th>
                      <th scope="col">Date</th>
                      <th scope="col">Event</th>
                      <th scope="col">
                        <span class="visually-hidden">Open</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((e) => (
                      <EventRow key={e.id} event={e} />
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <Pager pager={pager} hasMore={page.has_more} lastId={page.data[page.data.length - 1]?.id} label="Events" />
            </>
          )
        }
      </Loading>
    </Page>
  );
}
