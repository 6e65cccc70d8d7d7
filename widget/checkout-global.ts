// The <script> tag build: the global `Checkout`, the vault's address taken from the script's own
// src, and the no-code mount. Loading it twice keeps the first copy.
import { createCheckout } from './create-checkout.ts';
import { mountFromScriptTag } from './no-code.ts';

const script = document.currentScript as HTMLScriptElement | null;
const existing = (window as unknown as { Checkout?: ReturnType<typeof createCheckout> }).Checkout;
const Checkout = existing ?? createCheckout(script?.src ? new URL(script.src).origin : undefined);
mountFromScriptTag(script, Checkout);

export default Checkout;
