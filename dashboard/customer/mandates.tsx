// A customer's mandates (their agreements to be charged without them) with "Cancel" on the active ones,
// after a dialog saying what cancelling stops.
import { api } from '../api.ts';
import { cardLabel, day, money, when } from '../format.ts';
import { Badge, ChangeButton, TableWrap } from '../ui.tsx';
import type { CardView, MandateView } from './types.ts';

const every = (days: number) => (days === 0 ? 'any time' : days === 1 ? 'every day' : `every ${days} days`);

export function Mandates(props: { mandates: MandateView[]; cards: CardView[]; onChanged: () => void }) {
  const cardOf = (token: string) => {
    const card = props.cards.find((c) => c.token === token);
    return card ? cardLabel(card) : 'a deleted card';
  };
  return (
    <section aria-labelledby="mandates-title">
      <h2 id="mandates-title">Mandates</h2>
      {props.mandates.length === 0 ? (
        <p class="muted">No mandates.</p>
      ) : (
        <TableWrap labelledBy="mandates-title">
          <table>
            <thead>
              <tr>
                <th scope="col">Mandate</th>
                <th scope="col">Status</th>
                <th scope="col">Card</th>
                <th scope="col">Amounts</th>
                <th scope="col">How often</th>
                <th scope="col">Ends</th>
                <th scope="col">Last charge</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {props.mandates.map((m) => {
                const range = m.currency ? `${money(m.min_amount, m.currency)} to ${money(m.max_amount, m.currency)}` : '—';
                return (
                  <tr key={m.id}>
                    <th scope="row">{m.id}</th>
                    <td>
                      <Badge value={m.status} />
                    </td>
                    <td>{cardOf(m.card)}</td>
                    <td>{range}</td>
                    <td>{every(m.frequency_days)}</td>
                    <td>{day(m.end_date)}</td>
                    <td>{when(m.last_charge_at)}</td>
                    <td>
                      {m.status === 'active' && (
                        <ChangeButton
                          label="Cancel"
                          danger
                          confirm={{
                            title: `Cancel mandate ${m.id}?`,
                            text: (
                              <p>
                                No merchant-initiated charge of {cardOf(m.card)} ({range}, {every(m.frequency_days)}) succeeds under it again, and open invoices
                                it paid automatically will not be paid by it. The customer is told it was cancelled. It cannot be undone.
                              </p>
                            ),
                            action: 'Cancel mandate',
                            keep: 'Keep mandate',
                          }}
                          onConfirm={async () => {
                            await api.del(`/v1/mandates/${encodeURIComponent(m.id)}`);
                            props.onChanged();
                          }}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
