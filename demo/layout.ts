// The page frame every shop page shares: head, header with the demo sign-in, navigation and footer.
import { SHOP_NAME } from './catalog.ts';
import { html, type Html } from './html.ts';

export type Section = 'shop' | 'cards' | 'subscribe' | 'no-code' | 'admin' | 'webhooks' | 'outbox' | 'none';

export interface PageContext {
  /** The signed-in customer number, from the demo sign-in cookie. */
  customer: string | undefined;
  /** Path and query of this page, for "Sign in" to come back to. */
  path: string;
}

export interface LayoutOptions {
  title: string;
  section: Section;
  body: Html;
  /** Script tags placed at the end of the body, after the content they work on. */
  scripts?: Html;
}

/** The shopper's pages, and one entry for the merchant's side. */
const NAV: { sections: Section[]; href: string; label: string }[] = [
  { sections: ['shop', 'no-code'], href: '/', label: 'Shop' },
  { sections: ['cards'], href: '/cards', label: 'My cards' },
  { sections: ['subscribe'], href: '/subscribe', label: 'Coffee club' },
  { sections: ['admin', 'webhooks', 'outbox'], href: '/admin', label: 'Back office' },
];

/** The merchant's side of the demo: pages a real shop would keep behind its staff login. */
const MERCHANT_NAV: { section: Section; href: string; label: string }[] = [
  { section: 'admin', href: '/admin', label: 'Customers' },
  { section: 'webhooks', href: '/webhooks', label: 'Webhooks' },
  { section: 'outbox', href: '/outbox', label: 'Outbox' },
];

function account(ctx: PageContext): Html {
  if (ctx.customer) {
    return html`<form class="account" method="post" action="/sign-out">
        <span><span class="signed-in-as">Signed in as </span><strong>${ctx.customer}</strong></span>
        <button type="submit" class="link-button">Sign out</button>
      </form>`;
  }
  const next = ctx.path === '/sign-in' ? '/' : ctx.path;
  return html`<div class="account"><a class="button button-small" href="/sign-in?next=${encodeURIComponent(next)}">Sign in</a></div>`;
}

const current = (yes: boolean) => (yes ? html` aria-current="page"` : '');

function merchantNav(section: Section): Html | '' {
  if (!MERCHANT_NAV.some((n) => n.section === section)) return '';
  return html`<nav class="merchant-nav" aria-label="Back office">
    <ul>${MERCHANT_NAV.map((n) => html`<li><a href="${n.href}"${current(n.section === section)}>${n.label}</a></li>`)}</ul>
  </nav>`;
}

const DEMO_BANNER = html`<p class="demo-banner">Demo shop in test mode: simulated payments, and signing in takes a customer number, no password.</p>`;

export function layout(ctx: PageContext, options: LayoutOptions): string {
  return `<!doctype html>${
    html`<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${options.title} · ${SHOP_NAME}</title>
  <link rel="stylesheet" href="/shop.css">
</head>
<body>
  ${DEMO_BANNER}
  <header class="site-header">
    <div class="column header-row">
      <a class="logo" href="/">Bean <span>&amp;</span> Kettle</a>
      <nav aria-label="Main">
        <ul>
          ${NAV.map((n) => html`<li><a href="${n.href}"${current(n.sections.includes(options.section))}>${n.label}</a></li>`)}
        </ul>
      </nav>
      ${account(ctx)}
    </div>
  </header>
  <main class="column" id="main">
    ${merchantNav(options.section)}
    ${options.body}
  </main>
  <footer class="column site-footer">
    <p>Card details are typed into fields served by the card vault, in a frame of its own: this shop's pages and server never see a card number.</p>
  </footer>
  ${options.scripts}
</body>
</html>`.value
  }\n`;
}
