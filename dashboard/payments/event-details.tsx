// One event opened: its data as pretty JSON, where its webhook delivery stands, every delivery attempt
// (time, HTTP status, the class of error), and "Redeliver", which sends it again now and lists the new attempt.
import type { EventView } from '../../protocol/schemas/events.ts';
import type { Delivery, WebhookAttempt } from '../../protocol/schemas/webhooks.ts';
import { api, newKey, type Page } from '../api.ts';
import { when } from '../format.ts';
import { Badge, ChangeButton, Loading, TableWrap, useLoad } from '../ui.tsx';

type Attempts = Page<WebhookAttempt> & { delivery: Delivery };

export function EventDetails(props: { event: EventView }) {
  const { event } = props;
  const path = `/v1/events/${encodeURIComponent(event.id)}`;
  const attempts = useLoad(() => api.get<Attempts>(`${path}/attempts?limit=100`), event.id);
  return (
    <div class="event-details">
      <h3>Data</h3>
      <pre class="json">{JSON.stringify(event.data, null, 2)}</pre>
      <h3>Webhook deliveries</h3>
      <Loading state={attempts}>
        {(a) => (
          <>
            <p>
              <Badge value={a.delivery.status} /> {a.delivery.attempts} scheduled attempt{a.delivery.attempts === 1 ? '' : 's'}
              {a.delivery.next_attempt_at && <span class="muted">, next {when(a.delivery.next_attempt_at)}</span>}
            </p>
            {a.data.length === 0 ? (
              <p class="muted">Not sent yet.</p>
            ) : (
              <TableWrap label="Delivery attempts">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col" class="num">
                        HTTP status
                      </th>
                      <th scope="col">Error</th>
                      <th scope="col" class="num">
                        Took
                      </th>
                      <th scope="col">URL</th>
                    </tr>
                  </thead>
                  <tbody>
                    {a.data.map((t) => (
                      <tr key={t.id}>
                        <td>{when(t.created)}</td>
                        <td class="num">{t.status_code ?? '—'}</td>
                        <td>{t.error ? <code>{t.error}</code> : 'none'}</td>
                        <td class="num">{t.duration_ms} ms</td>
                        <td>{t.url}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
          </>
        )}
      </Loading>
      <ChangeButton label="Redeliver" onConfirm={() => api.post(`${path}/redeliver`, {}, newKey()).then(attempts.reload)} />
    </div>
  );
}
