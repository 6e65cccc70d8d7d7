// A charge's refunds, as the vault announced them: the /v1 API has no list of a charge's refunds, so
// they are read from its charge.refunded and charge.refund_failed events.
import type { EventView } from '../../protocol/schemas/events.ts';
import { money, when } from '../format.ts';
import { Badge } from '../ui.tsx';
import { type Scanned, scanList } from './scan.ts';

export interface RefundLine {
  id: string;
  amount: number;
  created: string;
  /** Set when a provider later reported the refund failed. */
  failed?: string;
}

export async function loadRefunds(charge: { id: string; created: string }): Promise<Scanned<RefundLine>> {
  const forCharge = (e: EventView) => e.data.charge === charge.id;
  const [made, failed] = await Promise.all([
    scanList<EventView>('/v1/events', { type: 'charge.refunded' }, charge.created, forCharge),
    scanList<EventView>('/v1/events', { type: 'charge.refund_failed' }, charge.created, forCharge),
  ]);
  const failures = new Map(failed.items.map((e) => [String(e.data.refund), e.created]));
  return {
    items: made.items.map((e) => ({
      id: String(e.data.refund),
      amount: Number(e.data.amount),
      created: e.created,
      failed: failures.get(String(e.data.refund)),
    })),
    incomplete: made.incomplete || failed.incomplete,
  };
}

export function RefundList(props: { refunds: Scanned<RefundLine>; currency: string }) {
  const { items, incomplete } = props.refunds;
  if (items.length === 0) return <p class="muted">No refunds{incomplete ? ' found among the latest events' : ''}.</p>;
  return (
    <>
      <div class="table-wrap fits">
        <table>
          <caption class="visually-hidden">Refunds of this charge</caption>
          <thead>
            <tr>
              <th scope="col">Refund</th>
              <th scope="col">Date</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>
                  <code>{r.id}</code>
                </td>
                <td>{when(r.created)}</td>
                <td class="num">{money(r.amount, props.currency)}</td>
                <td>{r.failed ? <Badge value="failed" /> : <Badge value="succeeded" />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {incomplete && <p class="muted">Older refunds may not be listed: only the latest events were read.</p>}
    </>
  );
}
