// The no-code mount: <script src=".../checkout.js" data-key data-client-secret data-mount data-on-complete>.
import type { ConfirmResult } from '../protocol/messages.ts';
import type { CheckoutInstance } from './types.ts';

export function mountFromScriptTag(script: HTMLScriptElement | null, Checkout: (pk: string) => CheckoutInstance): void {
  const data = script?.dataset;
  if (!data?.key || !data.clientSecret || !data.mount) return;
  const start = () => {
    const callbackName = data.onComplete;
    const done = (result: ConfirmResult) => {
      const callback = callbackName ? (window as unknown as Record<string, unknown>)[callbackName] : undefined;
      if (typeof callback === 'function') callback(result);
    };
    Checkout(data.key!)
      .mount(data.mount!, { clientSecret: data.clientSecret!, locale: data.locale as never, submitButton: true, onComplete: done })
      // Fields that cannot load have no button to press: the callback hears of it instead.
      .on('error', (error) => done({ status: 'failed', error }));
  };
  // The mount target usually follows the script tag in the page.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
