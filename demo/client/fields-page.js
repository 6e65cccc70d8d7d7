// Shared by the pages that show the vault's card fields with the shop's own button: mounts the
// fields, confirms on click, and hands the session id to the shop's server, which verifies it.
// Plain browser JS, no build step. Results only ever reach the page through textContent.

/** @typedef {import('../../protocol/messages.ts').ConfirmResult} ConfirmResult */

/** Failures that a new attempt in the same session cannot fix. */
const FINAL_CODES = ['session_expired', 'rate_limited', 'resource_missing'];

/**
 * @param {{ busyLabel: string }} options
 */
export function runFieldsPage(options) {
  const config = JSON.parse(document.getElementById('checkout-config').textContent);
  const button = /** @type {HTMLButtonElement} */ (document.getElementById('pay-button'));
  const message = document.getElementById('pay-message');
  const confirmForm = /** @type {HTMLFormElement} */ (document.getElementById('confirm-form'));
  const label = button.textContent;

  const say = (text, isError) => {
    message.textContent = text;
    message.classList.toggle('error', Boolean(isError));
  };

  if (typeof window.Checkout !== 'function') {
    say('The secure card fields could not be loaded from the card vault. Is the vault running, and has `npm run build` been run?', true);
    return;
  }

  const checkout = window.Checkout(config.publishableKey);
  const fields = checkout.mount('#pay', {
    clientSecret: config.clientSecret,
    locale: config.locale,
    appearance: config.appearance,
    title: config.title,
  });

  const slow = setTimeout(() => say('The card fields are taking long to load…', false), 8000);
  fields.on('ready', () => {
    clearTimeout(slow);
    button.disabled = false;
    say('', false);
  });
  // The fields show the customer's mistakes and the vault's refusals themselves, in the customer's
  // language: the page adds only what the fields cannot say (they never loaded, or the session is over).
  fields.on('change', () => {
    if (message.classList.contains('error')) say('', false);
  });
  fields.on('error', (error) => {
    clearTimeout(slow);
    say(`The card fields could not be loaded: ${error.message}`, true);
  });

  button.addEventListener('click', async () => {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    button.textContent = options.busyLabel;
    say('', false);
    /** @type {ConfirmResult} */
    const result = await fields.confirm();
    if (result.status === 'succeeded') {
      // Only a hint: the shop's server asks the vault before it confirms anything.
      say('Approved. Confirming your order…', false);
      confirmForm.elements.namedItem('session').value = result.session;
      confirmForm.submit();
      return;
    }
    button.removeAttribute('aria-busy');
    button.textContent = label;
    if (FINAL_CODES.includes(result.error.code) || result.error.code === 'fields_unavailable') {
      say(`${result.error.message} Reload the page to start a new checkout.`, true);
      return;
    }
    button.disabled = false;
    fields.focus();
  });
}
