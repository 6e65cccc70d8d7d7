// `/autopay`: a card-on-file agreement for invoices. A setup-mode session (nothing is charged now)
// whose `recurring` has `frequency_days: 0`: the shop may charge the card whenever an invoice falls
// due, within the amounts and until the end date the customer consents to in the fields.
import type { Locale } from '../../protocol/messages.ts';
import { AUTOPAY } from '../catalog.ts';
import { formatDate, formatMoneyRange } from '../format.ts';
import { fieldsPanel, fieldsScripts, localePicker, testCardsBox, type FieldsConfig } from '../fields-parts.ts';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

// A card-on-file agreement is given in a setup session, where the vault's fields offer the saved
// cards: the customer agrees with one by its security code, or types another in full.
const SAVED_CARD_NOTE = html`<p class="notice saved-card-note">Agree with a card you saved by its security code, or add another:
  the card you agree with becomes your default card, the one invoices are paid from.</p>`;
// The fields tell the page nothing of which card is chosen: with saved cards to choose from, the button
// says only what every choice does (a new card is saved, a saved one is not saved again).

export interface AutopayPageData {
  locale: Locale;
  endDate: string;
  vaultUrl: string;
  config: FieldsConfig;
  /** How many cards the customer has saved already. */
  savedCards: number;
}

export function autopayPage(ctx: PageContext, data: AutopayPageData): string {
  const range = formatMoneyRange(AUTOPAY.minAmount, AUTOPAY.maxAmount, AUTOPAY.currency);
  const body = html`
    <p class="breadcrumb"><a href="/cards">← My cards</a></p>
    <h1>${AUTOPAY.name}</h1>
    <div class="checkout-grid">
      <section class="card summary" aria-labelledby="plan-heading">
        <h2 id="plan-heading">The agreement</h2>
        <p class="plan">Invoices paid from your card: ${range} per payment, whenever one falls due, until ${formatDate(data.endDate)}</p>
        <p class="muted">${AUTOPAY.description} Nothing is charged now: the card is only verified. You can cancel the
        agreement at any time on <a href="/cards">My cards</a>.</p>
        <dl class="facts">
          <dt>Customer</dt><dd>${ctx.customer}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="pay-heading">
        <div class="section-head">
          <h2 id="pay-heading">Card</h2>
          ${localePicker(data.locale, (l) => `/autopay?locale=${l}`)}
        </div>
        ${data.savedCards > 0 ? SAVED_CARD_NOTE : html`<p class="muted">The card you agree with is saved, as your default card.</p>`}
        ${fieldsPanel(data.config, data.savedCards > 0 ? 'Agree to automatic payments' : 'Agree and save card')}
      </section>
    </div>
    ${testCardsBox()}`;
  return layout(ctx, { title: AUTOPAY.name, section: 'cards', body, scripts: fieldsScripts(data.vaultUrl, 'autopay.js') });
}
