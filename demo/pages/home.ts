// `/`: the shop window, three products with "Buy" buttons and the coffee club.
import { PRODUCTS, SUBSCRIPTION } from '../catalog.ts';
import { formatMoney } from '../format.ts';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

// One list item, written in two fragments only to keep the lines short.
const SESSION_STEP = [
  html`<li>The shop's server opens a checkout session with the vault using its secret key;`,
  html` the page gets only the publishable key and the session's client secret.</li>`,
];

export function homePage(ctx: PageContext): string {
  const signInNote = ctx.customer
    ? html`You are signed in as <strong>${ctx.customer}</strong>: cards you choose to save are kept for you by the vault.`
    : html`Sign in (any customer number, no password) to save cards, pay in one click and subscribe; without it you check out as a guest.`;
  const body = html`
    <section class="intro">
      <h1>Fresh coffee, carefully roasted</h1>
      <p>Beans, kettles and grinders from a small roastery. Pay once with a new card, save it for
      one-click checkout next time, or join the coffee club.</p>
    </section>
    <section aria-labelledby="products-heading">
      <h2 id="products-heading">Products</h2>
      <ul class="products">
        ${PRODUCTS.map(
          (p) => html`<li class="card product">
          <h3>${p.name}</h3>
          <p class="muted">${p.description}</p>
          <p class="price">${formatMoney(p.amount, p.currency)}</p>
          <a class="button button-primary" href="/checkout?product=${encodeURIComponent(p.id)}" aria-label="Buy ${p.name}">Buy</a>
        </li>`,
        )}
      </ul>
    </section>
    <section class="card club" aria-labelledby="club-heading">
      <h2 id="club-heading">${SUBSCRIPTION.name}</h2>
      <p>${SUBSCRIPTION.description} ${formatMoney(SUBSCRIPTION.amount, SUBSCRIPTION.currency)} every ${SUBSCRIPTION.frequencyDays} days, for a year.</p>
      <a class="button" href="/subscribe">Join the club</a>
    </section>
    <section class="card how" aria-labelledby="how-heading">
      <h2 id="how-heading">How this demo works</h2>
      <ul>
        ${SESSION_STEP}
        <li>${signInNote}</li>
        <li>After payment, the shop's server asks the vault whether the session was really paid before it confirms the order.</li>
        <li>The <a href="/no-code">no-code checkout</a> mounts the same fields with tags alone.</li>
        <li>The merchant's side: the <a href="/admin">back office</a> charges saved cards under the customers' agreements and
        invoices them, the <a href="/webhooks">webhooks</a> page shows the events the vault posted to the shop, and the
        <a href="/outbox">outbox</a> the messages it wrote to customers.</li>
      </ul>
    </section>`;
  return layout(ctx, { title: 'Shop', section: 'shop', body });
}
