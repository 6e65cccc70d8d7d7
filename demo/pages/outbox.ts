// `/outbox`: the messages the vault wrote to this shop's customers (payment approved, payment failed,
// card saved, agreement cancelled). Without SMTP or an SMS provider they wait here instead of being sent.
import type { MessageView } from '../../protocol/api.ts';
import { formatTime } from '../format.ts';
import { statusBadge } from '../agreements.ts';
import { html, type Html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

const TEMPLATES: Record<string, string> = {
  payment_approved: 'Payment approved',
  payment_failed: 'Payment failed',
  card_saved: 'Card saved',
  agreement_cancelled: 'Agreement cancelled',
};

function messageItem(m: MessageView): Html {
  const headingId = `message-${m.id}`;
  const error = m.error ? html` <span class="error">${m.error}</span>` : '';
  return html`<li class="card message template-${m.template.replace(/[^a-z_]/g, '')}" data-template="${m.template}" aria-labelledby="${headingId}">
    <div class="section-head">
      <h2 id="${headingId}">${TEMPLATES[m.template] ?? m.template}</h2>
      <span class="muted">${formatTime(m.created)}</span>
    </div>
    <dl class="facts">
      <dt>Customer</dt><dd>${m.customer}</dd>
      <dt>Channel</dt><dd>${m.channel === 'email' ? 'E-mail' : 'SMS'} <span class="muted">(${m.locale})</span></dd>
      <dt>To</dt><dd>${m.recipient}</dd>
      <dt>Template</dt><dd><code>${m.template}</code></dd>
      <dt>Status</dt><dd>${statusBadge(m.status)} <span class="muted">via ${m.transport}</span>${error}</dd>
      ${m.subject ? html`<dt>Subject</dt><dd class="message-subject">${m.subject}</dd>` : ''}
    </dl>
    <pre class="message-body">${m.body}</pre>
  </li>`;
}

export function outboxPage(ctx: PageContext, data: { messages: MessageView[]; customer?: string; customerError?: string }): string {
  const body = html`
    <h1>Outbox</h1>
    <p class="muted">The messages the card vault wrote to this shop's customers, newest first. The vault sends e-mail over SMTP when
    <code>SMTP_URL</code> is set, and text messages through an SMS provider; without them, as in this demo, they wait here
    (<code>GET /v1/messages</code>, read with the shop's secret key). This demo page has no login.</p>
    <form method="get" action="/outbox" class="inline-form card">
      <label for="outbox-customer">Customer number</label>
      <input id="outbox-customer" name="customer" maxlength="32" pattern="[A-Za-z0-9._@\\-]{1,32}" value="${data.customer ?? ''}">
      <button type="submit" class="button button-small">Filter</button>
      ${data.customer ? html`<a href="/outbox">Show every customer</a>` : ''}
    </form>
    ${data.customerError ? html`<p class="notice notice-error" role="alert">${data.customerError}</p>` : ''}
    ${
      data.messages.length === 0
        ? html`<p class="card muted">No messages${data.customer ? html` to ${data.customer}` : ''} yet.</p>`
        : html`<ul class="messages">${data.messages.map(messageItem)}</ul>`
    }`;
  return layout(ctx, { title: 'Outbox', section: 'outbox', body });
}
