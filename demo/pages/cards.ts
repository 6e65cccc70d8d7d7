// `/cards`: the signed-in customer's saved cards as the vault lists them (masked), with forms that
// ask the shop's server to make one the default or delete it, and the customer's agreements
// (mandates) with a form that cancels one.
import type { CardView, MandateView } from '../../protocol/api.ts';
import { agreementFacts, agreementTitle } from '../agreements.ts';
import { autopayCover } from '../autopay-cover.ts';
import { brandShort, formatExpiry, maskedCard } from '../card-names.ts';
import { AUTOPAY } from '../catalog.ts';
import { formatMoney } from '../format.ts';
import { html, type Html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export type CardsNotice = 'deleted' | 'default' | 'added' | 'agreement' | 'cancelled';

const NOTICES: Record<CardsNotice, string> = {
  deleted: 'The card was deleted. The vault destroyed its key: the number can never be read again.',
  default: 'The default card was changed.',
  added: 'The card was saved.',
  agreement: 'Automatic payments are set up: invoices are paid from your card when they fall due.',
  cancelled: 'The agreement was cancelled: the shop can no longer charge your card under it.',
};

function badges(card: CardView): Html {
  return html`${card.default ? html`<span class="badge badge-default">Default</span>` : ''}${
    !card.active
      ? html`<span class="badge badge-danger">Expired</span>`
      : card.expiring_soon
        ? html`<span class="badge badge-warning">Expiring soon</span>`
        : ''
  }`;
}

function cardRow(card: CardView): Html {
  const name = maskedCard(card);
  const token = encodeURIComponent(card.token);
  return html`<li class="saved-card">
    <div class="saved-card-main">
      <span class="brand-chip brand-${card.brand.replace(/[^a-z]/g, '')}" aria-hidden="true">${brandShort(card.brand)}</span>
      <div>
        <p class="saved-card-name">${name} ${badges(card)}</p>
        <p class="muted">Expires ${formatExpiry(card)}${card.issuer ? html` · ${card.issuer}` : ''}</p>
      </div>
    </div>
    <div class="saved-card-actions">
      ${
        card.default
          ? ''
          : html`<form method="post" action="/cards/${token}/default">
        <button type="submit" class="button button-small" aria-label="Make ${name} the default card">Make default</button>
      </form>`
      }
      <form method="post" action="/cards/${token}/delete" data-confirm="Delete ${name}? Subscriptions paid with this card will end.">
        <button type="submit" class="button button-small button-danger" aria-label="Delete ${name}">Delete</button>
      </form>
    </div>
  </li>`;
}

function agreementRow(m: MandateView, cards: CardView[], today: string): Html {
  const headingId = `agreement-${m.id}`;
  return html`<li class="agreement" aria-labelledby="${headingId}">
    <h3 id="${headingId}">${agreementTitle(m)}</h3>
    ${agreementFacts(m, cards, { today })}
    ${
      m.status === 'active'
        ? html`<form method="post" action="/cards/agreements/${encodeURIComponent(m.id)}/cancel"
        data-confirm="Cancel this agreement? The shop will no longer charge your card under it.">
        <button type="submit" class="button button-small button-danger">Cancel agreement</button>
      </form>`
        : ''
    }
  </li>`;
}

/** Whether invoices are paid automatically, and the one step that would make them so. */
function autopayLine(cards: CardView[], mandates: MandateView[]): Html {
  const cover = autopayCover(cards, mandates, AUTOPAY.currency);
  if (cover.kind === 'covered') {
    return html`<p class="autopay-status">Invoices (deliveries, extras) are paid automatically from <strong>${maskedCard(cover.card)}</strong>,
      up to ${formatMoney(cover.mandate.max_amount, AUTOPAY.currency)} each.</p>`;
  }
  if (cover.kind === 'other_card') {
    const agreed = cover.agreedCard ? maskedCard(cover.agreedCard) : 'another card';
    return html`<p class="notice notice-warning autopay-status">You agreed to automatic payments with ${agreed}, but invoices are
      paid from your default card, ${maskedCard(cover.card)}: make ${agreed} your default card above for them to be paid automatically.</p>`;
  }
  return html`<div class="autopay-status autopay-offer">
    <p>Invoices (deliveries, extras) are paid automatically only once you agree to it, up to
      ${formatMoney(AUTOPAY.maxAmount, AUTOPAY.currency)} each. Until then, each one waits for you.</p>
    <a class="button button-small" href="/autopay">Set up automatic payments</a>
  </div>`;
}

export function cardsPage(ctx: PageContext, data: { cards: CardView[]; mandates: MandateView[]; today: string; notice?: CardsNotice; error?: string }): string {
  const body = html`
    <div class="section-head">
      <h1>My cards</h1>
      <a class="button button-primary" href="/cards/new">Add a card</a>
    </div>
    ${data.notice ? html`<p class="notice notice-success" role="status">${NOTICES[data.notice]}</p>` : ''}
    ${data.error ? html`<p class="notice notice-error" role="alert">${data.error}</p>` : ''}
    <section class="card" aria-labelledby="saved-heading">
      <h2 id="saved-heading">Saved cards of ${ctx.customer}</h2>
      ${
        data.cards.length === 0
          ? html`<p class="muted">No saved cards yet. Add one here, or tick “Save this card” when you pay.</p>`
          : html`<ul class="saved-cards">${data.cards.map(cardRow)}</ul>`
      }
    </section>
    <section class="card" aria-labelledby="agreements-heading">
      <h2 id="agreements-heading">My agreements</h2>
      <p class="muted">What you allowed this shop to charge to a saved card while you are not at the checkout:
      the <a href="/subscribe">coffee club</a>, or ${AUTOPAY.name.toLowerCase()} of invoices.</p>
      ${autopayLine(data.cards, data.mandates)}
      ${
        data.mandates.length === 0
          ? html`<p class="muted">No agreements yet.</p>`
          : html`<ul class="agreements">${data.mandates.map((m) => agreementRow(m, data.cards, data.today))}</ul>`
      }
    </section>
    <p class="muted">The vault keeps the cards; this shop only ever receives the brand, the last four digits and the expiry.</p>`;
  return layout(ctx, { title: 'My cards', section: 'cards', body, scripts: html`<script type="module" src="/client/cards.js"></script>` });
}
