// A charge's refunds (GET /v1/charges/{id}/refunds), oldest first.
import { api, type Page } from '../api.ts';
import type { RefundView } from '../../protocol/schemas/charges.ts';
import { money, when } from '../format.ts';
import { Badge, TableWrap } from '../ui.tsx';

export async function loadRefunds(charge: { id: string }): Promise<RefundView[]> {
  return (await api.get<Page<RefundView>>(`/v1/charges/${encodeURIComponent(charge.id)}/refunds`)).data;
}

export function RefundList(props: { refunds: RefundView[] }) {
  const items = props.refunds;
  if (items.length === 0) return <p class="muted">No refunds.</p>;
  return (
    <TableWrap label="Refunds" class="fits">
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
              <td class="num">{money(r.amount, r.currency)}</td>
              <td>
                <Badge value={r.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
