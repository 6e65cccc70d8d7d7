// A customer's saved cards, masked: which is the default, "Make default", and "Delete", whose dialog
// says first what the deletion ends (its mandates, and automatic payment of open invoices).
import { useLayoutEffect, useRef } from 'preact/hooks';
import { api, newKey } from '../api.ts';
import { cardLabel, day, money } from '../format.ts';
import { Badge, ChangeButton, TableWrap } from '../ui.tsx';
import { type DeletionEffects, deletionEffects } from './deletion.ts';
import { type CardView, customerPath, type InvoiceView, type MandateView } from './types.ts';

export function Cards(props: { customer: string; cards: CardView[]; mandates: MandateView[]; openInvoices: InvoiceView[]; onChanged: () => void }) {
  const { customer, cards } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  // A deleted card's row takes its focused button with it (the dialog hands focus back to that button
  // as it closes): once the row is gone, the keyboard carries on from the section's heading. A layout
  // effect, so the focus moves in the same update that removes the row, never a frame later with the
  // focus left on the page's body meanwhile.
  const deleted = useRef<string>();
  useLayoutEffect(() => {
    if (deleted.current && !cards.some((c) => c.token === deleted.current)) {
      deleted.current = undefined;
      heading.current?.focus();
    }
  }, [cards]);
  const cardPath = (token: string) => `${customerPath(customer)}/cards/${encodeURIComponent(token)}`;
  return (
    <section aria-labelledby="cards-title">
      <h2 id="cards-title" tabIndex={-1} ref={heading}>
        Saved cards
      </h2>
      {cards.length === 0 ? (
        <p class="muted">No saved cards.</p>
      ) : (
        <TableWrap labelledBy="cards-title">
          <table>
            <thead>
              <tr>
                <th scope="col">Card</th>
                <th scope="col">State</th>
                <th scope="col">Saved</th>
                <th scope="col" class="num">
                  Payments
                </th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {cards.map((card) => (
                <tr key={card.token}>
                  <th scope="row">{cardLabel(card)}</th>
                  <td>
                    <span class="badges">
                      {card.default && <Badge value="default" />}
                      {!card.active && <Badge value="expired" />}
                      {card.active && card.expiring_soon && <Badge value="expiring_soon" />}
                      {card.source === 'import' && <Badge value="imported" />}
                      {card.key_unavailable && <Badge value="key_unavailable" />}
                    </span>
                  </td>
                  <td>{day(card.created_at)}</td>
                  <td class="num">{card.successful_payments}</td>
                  <td>
                    <span class="row-actions">
                      {!card.default && (
                        <ChangeButton
                          label="Make default"
                          onConfirm={async () => {
                            await api.post(cardPath(card.token), { default: true }, newKey());
                            props.onChanged();
                          }}
                        />
                      )}
                      <ChangeButton
                        label="Delete"
                        danger
                        confirm={{
                          title: `Delete ${cardLabel(card)}?`,
                          text: <DeletionText card={card} effects={deletionEffects(card, cards, props.mandates, props.openInvoices)} />,
                          action: 'Delete card',
                        }}
                        onConfirm={async () => {
                          await api.del(cardPath(card.token));
                          deleted.current = card.token;
                          props.onChanged();
                        }}
                      />
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function DeletionText(props: { card: CardView; effects: DeletionEffects }) {
  const { mandates, isDefault, nextDefault, unpaidInvoices } = props.effects;
  return (
    <>
      <p>Deleting it ends:</p>
      <ul class="effects">
        {mandates.length === 0 ? (
          <li>No mandates (none is active on this card).</li>
        ) : (
          <li>
            {mandates.length === 1 ? 'Its active mandate' : `Its ${mandates.length} active mandates`}:{' '}
            {mandates.map((m, i) => (
              <span key={m.id}>
                {i > 0 && ', '}
                {m.id} ({m.currency ? `${money(m.min_amount, m.currency)}–${money(m.max_amount, m.currency)}` : 'no currency'})
              </span>
            ))}
            . No merchant-initiated charge succeeds on them again.
          </li>
        )}
        {isDefault &&
          (unpaidInvoices.length === 0 ? (
            <li>No automatic invoice payment: no open auto-pay invoice depends on this card.</li>
          ) : (
            <li>
              Automatic payment of {unpaidInvoices.length === 1 ? 'this open invoice' : `these ${unpaidInvoices.length} open invoices`}:{' '}
              {unpaidInvoices.map((i, n) => (
                <span key={i.id}>
                  {n > 0 && ', '}
                  {i.id} ({money(i.amount, i.currency)}, due {day(i.due_date)})
                </span>
              ))}
              .
            </li>
          ))}
      </ul>
      {isDefault && <p>{nextDefault ? `${cardLabel(nextDefault)} becomes the default card.` : 'The customer will have no default card.'}</p>}
      <p>The card's key is destroyed: it can never be charged or recovered, by you or the customer.</p>
    </>
  );
}
