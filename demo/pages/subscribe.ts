// `/subscribe`: the coffee club sign-up, a payment now plus the recurring agreement the customer
// consents to in the fields.
import type { Locale } from '../../protocol/messages.ts';
import { SUBSCRIPTION } from '../catalog.ts';
import { formatDate, formatMoney } from '../format.ts';
import { fieldsPanel, fieldsScripts, localePicker, testCardsBox, type FieldsConfig } from '../fields-parts.ts';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export function subscribePage(ctx: PageContext, data: { locale: Locale; endDate: string; order: string; vaultUrl: string; config: FieldsConfig }): string {
  const price = formatMoney(SUBSCRIPTION.amount, SUBSCRIPTION.currency);
  const body = html`
    <h1>${SUBSCRIPTION.name}</h1>
    <div class="checkout-grid">
      <section class="card summary" aria-labelledby="plan-heading">
        <h2 id="plan-heading">Your plan</h2>
        <p class="plan">${SUBSCRIPTION.name} — ${price} every ${SUBSCRIPTION.frequencyDays} days until ${formatDate(data.endDate)}</p>
        <p class="muted">${SUBSCRIPTION.description} The first payment is taken today; the next ones are charged to the same card
        every ${SUBSCRIPTION.frequencyDays} days under the agreement you accept below.</p>
        <dl class="facts">
          <dt>Order number</dt><dd><code>${data.order}</code></dd>
          <dt>Member</dt><dd>${ctx.customer}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="pay-heading">
        <div class="section-head">
          <h2 id="pay-heading">Payment</h2>
          ${localePicker(data.locale, (l) => `/subscribe?locale=${l}`)}
        </div>
        ${fieldsPanel(data.config, 'Subscribe')}
      </section>
    </div>
    ${testCardsBox()}`;
  return layout(ctx, { title: SUBSCRIPTION.name, section: 'subscribe', body, scripts: fieldsScripts(data.vaultUrl, 'subscribe.js') });
}
