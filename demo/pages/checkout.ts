// `/checkout?product=…`: the order summary and the vault's card fields for a session the shop's
// server has just opened.
import type { Locale } from '../../protocol/messages.ts';
import type { Product } from '../catalog.ts';
import { formatMoney } from '../format.ts';
import { fieldsPanel, fieldsScripts, localePicker, testCardsBox, type FieldsConfig } from '../fields-parts.ts';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export interface CheckoutPageData {
  product: Product;
  order: string;
  locale: Locale;
  vaultUrl: string;
  config: FieldsConfig;
}

export function checkoutPage(ctx: PageContext, data: CheckoutPageData): string {
  const { product } = data;
  const price = formatMoney(product.amount, product.currency);
  const body = html`
    <h1>Checkout</h1>
    <div class="checkout-grid">
      <section class="card summary" aria-labelledby="summary-heading">
        <h2 id="summary-heading">Your order</h2>
        <dl class="facts">
          <dt>Item</dt><dd>${product.name}</dd>
          <dt>Order number</dt><dd><code>${data.order}</code></dd>
          <dt>Total</dt><dd class="price">${price}</dd>
        </dl>
        <p class="muted">${
          ctx.customer
            ? html`Paying as <strong>${ctx.customer}</strong>: your saved cards are offered, and you can choose to save a new one.`
            : html`Guest checkout: no card is saved. <a href="/sign-in?next=${encodeURIComponent(ctx.path)}">Sign in</a> to save cards for one-click payments.`
        }</p>
      </section>
      <section class="card" aria-labelledby="pay-heading">
        <div class="section-head">
          <h2 id="pay-heading">Payment</h2>
          ${localePicker(data.locale, (l) => `/checkout?product=${encodeURIComponent(product.id)}&locale=${l}`)}
        </div>
        ${fieldsPanel(data.config, `Pay ${price}`)}
      </section>
    </div>
    ${testCardsBox()}`;
  return layout(ctx, { title: `Checkout: ${product.name}`, section: 'shop', body, scripts: fieldsScripts(data.vaultUrl, 'checkout.js') });
}
