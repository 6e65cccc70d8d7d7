// The parts of every page that shows the vault's card fields: the mount point with its button, the
// locale picker, the test cards and the script tags. The only card input is the vault's iframe.
import { LOCALES, type Appearance, type Locale } from '../protocol/messages.ts';
import { html, jsonScript, type Html } from './html.ts';

// The fields' own default green, which reads at 4.96:1 on white, as the shop's accent does.
export const APPEARANCE: Appearance = { variables: { colorPrimary: '#00805a', borderRadius: '6px' } };

/** What the page's script needs to mount the fields; all of it is safe in a page. */
export interface FieldsConfig {
  publishableKey: string;
  clientSecret: string;
  locale: Locale;
  appearance: Appearance;
  title: string;
}

export function parseLocale(value: string | undefined): Locale {
  return LOCALES.find((l) => l === value) ?? 'en';
}

const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  ru: 'Русский',
  fr: 'Français',
  tr: 'Türkçe',
  de: 'Deutsch',
  es: 'Español',
  it: 'Italiano',
  pt: 'Português',
  nl: 'Nederlands',
  pl: 'Polski',
  ja: '日本語',
  ar: 'العربية',
};

/**
 * Links that reload the page with `?locale=`: a new session each time, which is what a reload does
 * anyway. Twelve languages fold behind one line ("Language: English"), which a phone has room for.
 */
export function localePicker(current: Locale, hrefFor: (locale: Locale) => string): Html {
  return html`<details class="locale-picker">
    <summary>Language: <span lang="${current}">${LOCALE_NAMES[current]}</span></summary>
    <nav aria-label="Language of the card fields">
      <ul>
        ${LOCALES.map((l) => html`<li><a href="${hrefFor(l)}" lang="${l}"${l === current ? html` aria-current="true"` : ''}>${LOCALE_NAMES[l]}</a></li>`)}
      </ul>
    </nav>
  </details>`;
}

/** The mount point, the button that confirms, and the form that hands the session to the shop's server. */
export function fieldsPanel(config: FieldsConfig, buttonLabel: string): Html {
  return html`<div class="pay-panel">
    <div id="pay" class="fields-mount"></div>
    <div class="pay-actions">
      <button type="button" id="pay-button" class="button button-primary" disabled>${buttonLabel}</button>
      <p id="pay-message" class="pay-message" aria-live="polite">Loading the secure card fields…</p>
    </div>
    <form id="confirm-form" method="post" action="/orders/confirm" hidden>
      <input type="hidden" name="session" value="">
    </form>
    ${jsonScript('checkout-config', config)}
  </div>`;
}

const TEST_CARDS: [number: string, behaviour: string][] = [
  ['4242 4242 4242 4242', 'Visa, approved'],
  ['5555 5555 5555 4444', 'Mastercard, approved'],
  ['3782 822463 10005', 'American Express, approved (4-digit CVC)'],
  ['4000 0000 0000 0002', 'Declined: card_declined / generic_decline'],
  ['4000 0000 0000 9995', 'Declined: insufficient_funds'],
  ['4000 0000 0000 0127', 'Declined: incorrect_cvc'],
  ['4000 0000 0000 0069', 'Declined: expired_card'],
  ['4000 0000 0000 0119', 'Processing error (processor unavailable)'],
  ['4000 0000 0000 3220', '3-D Secure challenge; the code 123456 passes'],
  ['4000 0000 0000 0341', 'Saves and verifies, but every later charge is declined'],
];

// One paragraph, written in two fragments only to keep the lines short.
const TEST_CARDS_HINT = [
  html`<p>Use any future expiry date and any 3-digit CVC (4 digits for American Express).`,
  html` A CVC of <code>000</code> is always answered “incorrect CVC”, to try a retry.</p>`,
];

export function testCardsBox(): Html {
  return html`<details class="test-cards">
    <summary>Test cards</summary>
    ${TEST_CARDS_HINT}
    <table>
      <thead><tr><th scope="col">Number</th><th scope="col">What happens</th></tr></thead>
      <tbody>
        ${TEST_CARDS.map(([number, behaviour]) => html`<tr><td><code>${number}</code></td><td>${behaviour}</td></tr>`)}
      </tbody>
    </table>
  </details>`;
}

/** The vault's checkout.js first (a classic script that defines `Checkout`), then the page's module. */
export function fieldsScripts(vaultUrl: string, pageScript: string): Html {
  return html`<script src="${vaultUrl}/checkout.js"></script>
  <script type="module" src="/client/${pageScript}"></script>`;
}
