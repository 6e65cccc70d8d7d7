// The page frame every shop page shares: head, header with the demo sign-in, navigation and footer.
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

const NAV: { section: Section; href: string; label: string }[] = [
  { section: 'shop', href: '/', label: 'Shop' },
  { section: 'cards', href: '/cards', label: 'My cards' },
  { section: 'subscribe', href: '/subscribe', label: 'Subscription' },
  // The merchant's side of the demo: pages a real shop would keep behind its staff login.
  { section: 'admin', href: '/admin', label: 'Back office' },
  { section: 'webhooks', href: '/webhooks', label: 'Webhooks' },
  { section: 'outbox', href: '/outbox', label: 'Outbox' },
];

function account(ctx: PageContext): Html {
  if (ctx.customer) {
    return html`<form class="account" method="post" action="/sign-out">
        <span>Signed in as <strong>${ctx.customer}</strong></span>
        <button type="submit" class="link-button">Sign out</button>
      </form>`;
  }
  const next = ctx.path === '/sign-in' ? '/' : ctx.path;
  return html`<div class="account"><a class="button button-small" href="/sign-in?next=${encodeURIComponent(next)}">Sign in</a></div>`;
}

// One paragraph, written in two fragments only to keep the lines short.
const DEMO_BANNER = [
  html`<p class="demo-banner">Demo shop in test mode: payments go to the card vault's simulated processor,`,
  html` and signing in asks only for a customer number, with no password.</p>`,
];

export function layout(ctx: PageContext, options: LayoutOptions): string {
  return `<!doctype html>${
    html`<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${options.title} · Bean &amp; Kettle</title>
  <link rel="stylesheet" href="/shop.css">
</head>
<body>
  ${DEMO_BANNER}
  <header class="site-header">
    <div class="column header-row">
      <a class="logo" href="/">Bean <span>&amp;</span> Kettle</a>
      <nav aria-label="Main">
        <ul>
          ${NAV.map((n) => html`<li><a href="${n.href}"${n.section === options.section ? html` aria-current="page"` : ''}>${n.label}</a></li>`)}
        </ul>
      </nav>
      ${account(ctx)}
    </div>
  </header>
  <main class="column" id="main">
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
