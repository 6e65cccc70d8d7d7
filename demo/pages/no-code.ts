// `/no-code`: the vault's no-code mount. The page adds tags only: the fields render their own
// button and call the global `onPaid` with the result.
import type { Product } from '../catalog.ts';
import { formatMoney } from '../format.ts';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { testCardsBox } from '../fields-parts.ts';

export interface NoCodePageData {
  product: Product;
  order: string;
  vaultUrl: string;
  publishableKey: string;
  clientSecret: string;
  locale: string;
}

export function noCodePage(ctx: PageContext, data: NoCodePageData): string {
  const price = formatMoney(data.product.amount, data.product.currency);
  const body = html`
    <h1>No-code checkout</h1>
    <p>The same fields, mounted by tags alone: a <code>&lt;div&gt;</code> and a <code>&lt;script&gt;</code> with
    <code>data-</code> attributes. The fields show their own pay button and call the page's global
    <code>onPaid(result)</code> when they finish.</p>
    <div class="checkout-grid">
      <section class="card summary" aria-labelledby="summary-heading">
        <h2 id="summary-heading">Your order</h2>
        <dl class="facts">
          <dt>Item</dt><dd>${data.product.name}</dd>
          <dt>Order number</dt><dd><code>${data.order}</code></dd>
          <dt>Total</dt><dd class="price">${price}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="pay-heading">
        <h2 id="pay-heading">Payment</h2>
        <div id="pay" class="fields-mount"></div>
        <div id="result" class="result" hidden>
          <h3 id="result-heading">Result</h3>
          <p id="result-text" aria-live="polite"></p>
          <form id="confirm-form" method="post" action="/orders/confirm" hidden>
            <input type="hidden" name="session" value="">
            <button type="submit" class="button button-primary">Verify with the shop's server and show the order</button>
          </form>
        </div>
      </section>
    </div>
    <section class="card integration" aria-labelledby="integration-heading">
      <h2 id="integration-heading">The whole integration on this page</h2>
      <pre class="snippet"><code>&lt;div id="pay"&gt;&lt;/div&gt;
&lt;script src="${data.vaultUrl}/checkout.js"
        data-key="${data.publishableKey}"
        data-client-secret="cs_…_secret_…"
        data-mount="#pay" data-on-complete="onPaid"&gt;&lt;/script&gt;</code></pre>
      <p class="muted">The client secret comes from the session the shop's server opened with its secret key a moment ago.</p>
    </section>
    ${testCardsBox()}`;
  // onPaid is defined first, by the shop's own script; checkout.js reads its data- attributes.
  const scripts = html`<script src="/client/no-code.js"></script>
  <script src="${data.vaultUrl}/checkout.js" data-key="${data.publishableKey}" data-client-secret="${data.clientSecret}"
    data-mount="#pay" data-locale="${data.locale}" data-on-complete="onPaid"></script>`;
  return layout(ctx, { title: 'No-code checkout', section: 'no-code', body, scripts });
}
