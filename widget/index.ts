// The ESM build for merchants who bundle: `import { Checkout } from 'card-vault'`.
import { createCheckout } from './create-checkout.ts';

function loadedFrom(): string | undefined {
  try {
    const origin = new URL(import.meta.url).origin;
    return origin.startsWith('http') ? origin : undefined;
  } catch {
    return undefined;
  }
}

/** `Checkout(pk, { vault })`: when this module is bundled into your own code, pass the vault's address. */
export const Checkout = createCheckout(loadedFrom());
export type * from './types.ts';
