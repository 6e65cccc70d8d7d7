// `/webhooks`: the events the vault posted to the shop's receiver (POST /webhooks), newest first,
// each verified against the webhook signing secret before it was kept.
import { formatTime } from '../format.ts';
import { html, type Html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import type { ReceivedEvent } from '../webhook-inbox.ts';

function eventItem(e: ReceivedEvent): Html {
  const headingId = `event-${e.id}`;
  return html`<li class="card event" data-type="${e.type}" aria-labelledby="${headingId}">
    <div class="section-head">
      <h2 id="${headingId}" class="event-type"><code>${e.type}</code></h2>
      ${
        e.verified
          ? html`<span class="badge badge-default verified">signature verified ✓</span>`
          : html`<span class="badge badge-danger unverified">signature NOT verified</span>`
      }
    </div>
    <dl class="facts">
      <dt>Event</dt><dd><code>${e.id}</code></dd>
      <dt>Created</dt><dd>${formatTime(e.created)}</dd>
      <dt>Received</dt><dd>${formatTime(e.received)}</dd>
    </dl>
    <pre class="snippet event-data"><code>${JSON.stringify(e.data, null, 2)}</code></pre>
  </li>`;
}

export function webhooksPage(ctx: PageContext, data: { events: ReceivedEvent[]; verifying: boolean; endpoint: string }): string {
  const body = html`
    <h1>Webhooks</h1>
    ${
      data.verifying
        ? ''
        : html`<p class="notice notice-error" role="alert"><strong>Signature verification is off.</strong> The shop was
      started without the merchant's webhook secret, so it cannot tell the vault's deliveries from forged ones. Start it with
      <code>webhookSecret</code> (<code>npm start</code> passes the test merchant's).</p>`
    }
    <p class="muted">The vault posts every event of this shop to <code>${data.endpoint}</code>. The shop verifies the
    <code>Checkout-Signature</code> header over the raw body with the SDK's verifier (<code>card-vault/webhooks</code>), refuses a bad one with 400,
    ignores an event id it has seen already (delivery is at least once), and keeps the last 200 here, in memory, newest first.
    This demo page has no login.</p>
    ${
      data.events.length === 0
        ? html`<p class="card muted">No events received yet. They arrive a moment after something happens: a payment, a saved card, an agreement.</p>`
        : html`<ul class="events">${data.events.map(eventItem)}</ul>`
    }`;
  return layout(ctx, { title: 'Webhooks', section: 'webhooks', body });
}
