// `/cards/new`: save a card without paying, through a setup-mode session.
import type { Locale } from '../../protocol/messages.ts';
import { fieldsPanel, fieldsScripts, localePicker, testCardsBox, type FieldsConfig } from '../fields-parts.ts';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export function addCardPage(ctx: PageContext, data: { locale: Locale; vaultUrl: string; config: FieldsConfig }): string {
  const body = html`
    <p class="breadcrumb"><a href="/cards">← My cards</a></p>
    <h1>Add a card</h1>
    <section class="card" aria-labelledby="add-heading">
      <div class="section-head">
        <h2 id="add-heading">Card details</h2>
        ${localePicker(data.locale, (l) => `/cards/new?locale=${l}`)}
      </div>
      <p class="muted">The card is verified with a temporary authorisation that is voided at once: nothing is charged.</p>
      ${fieldsPanel(data.config, 'Save card')}
    </section>
    ${testCardsBox()}`;
  return layout(ctx, { title: 'Add a card', section: 'cards', body, scripts: fieldsScripts(data.vaultUrl, 'add-card.js') });
}
