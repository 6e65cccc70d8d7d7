// The page after the shop's server has verified a session with the vault: an order confirmation,
// a subscription confirmation, or a saved card. Every fact on it comes from the vault, not from the
// browser's hint.
import type { SessionView } from '../../protocol/api.ts';
import { formatExpiry, maskedCard } from '../card-names.ts';
import { SUBSCRIPTION } from '../catalog.ts';
import { formatDate, formatMoney } from '../format.ts';
import { html, type Html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

function cardFacts(session: SessionView): Html {
  if (!session.card) return html``;
  return html`<dt>Card</dt><dd>${maskedCard(session.card)} <span class="muted">(expires ${formatExpiry(session.card)})</span></dd>`;
}

export function confirmationPage(ctx: PageContext, session: SessionView, itemName: string | undefined): string {
  const amount = session.amount !== null && session.currency ? formatMoney(session.amount, session.currency) : undefined;
  let title: string;
  let lead: Html;
  let facts: Html;
  if (session.recurring) {
    title = 'Welcome to the club';
    const r = session.recurring;
    const maxAmount = formatMoney(r.max_amount, session.currency ?? SUBSCRIPTION.currency);
    const mandateRef = session.mandate ? html` <code class="muted">${session.mandate}</code>` : '';
    lead = html`Your ${SUBSCRIPTION.name} subscription is active. ${amount ? html`We charged ${amount} today; ` : ''}the next payment of
      ${maxAmount} follows in ${r.frequency_days} days.`;
    facts = html`
      <dt>Order number</dt><dd><code>${session.order ?? '—'}</code></dd>
      <dt>Agreement</dt><dd>${maxAmount} every ${r.frequency_days} days until ${formatDate(r.end_date)}${mandateRef}</dd>
      ${cardFacts(session)}`;
  } else if (session.mode === 'setup') {
    title = 'Card saved';
    lead = html`The card was verified and saved. Nothing was charged.`;
    facts = cardFacts(session);
  } else {
    title = 'Thank you for your order';
    lead = html`Your payment was approved and your order is on its way to the roastery.`;
    facts = html`
      <dt>Order number</dt><dd><code>${session.order ?? '—'}</code></dd>
      ${itemName ? html`<dt>Item</dt><dd>${itemName}</dd>` : ''}
      ${amount ? html`<dt>Paid</dt><dd class="price">${amount}</dd>` : ''}
      ${cardFacts(session)}
      <dt>Card saved</dt><dd>${session.saved ? 'Yes, for one-click payments next time' : 'No'}</dd>
      ${session.charge ? html`<dt>Payment reference</dt><dd><code>${session.charge}</code></dd>` : ''}`;
  }
  const body = html`
    <section class="card confirmation" aria-labelledby="confirmation-heading">
      <p class="check" aria-hidden="true">✓</p>
      <h1 id="confirmation-heading">${title}</h1>
      <p>${lead}</p>
      <dl class="facts">${facts}</dl>
      <p class="muted">Verified by the shop's server with the card vault (session <code>${session.id}</code>).</p>
      <p class="actions">
        <a class="button button-primary" href="/">Continue shopping</a>
        ${ctx.customer ? html`<a class="button" href="/cards">My cards</a>` : ''}
      </p>
    </section>`;
  return layout(ctx, { title, section: session.recurring ? 'subscribe' : session.mode === 'setup' ? 'cards' : 'shop', body });
}
