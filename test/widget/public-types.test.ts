// The public types: correct use compiles, misuse does not (checked by `npm run typecheck`).
import { describe, expect, it } from 'vitest';
import { Checkout } from '../../widget/index.ts';
import type { ConfirmResult, Fields } from '../../widget/types.ts';

// Never called: these functions exist for the compiler.
function correctUse(fields: Fields, result: ConfirmResult) {
  fields.on('change', (e) => e.brand.toUpperCase()).on('ready', () => undefined);
  if (result.status === 'succeeded') {
    result.card.last4.slice(0);
    // @ts-expect-error a success has no error
    void result.error;
  } else {
    result.error.code.slice(0);
    // @ts-expect-error a failure has no card
    void result.card;
  }
}

function misuse() {
  const checkout = Checkout('pk_test_1', { vault: 'https://vault.example' });
  // @ts-expect-error the client secret is required
  checkout.mount('#pay', {});
  // A language tag is taken as it is: the vault picks the language.
  checkout.mount('#pay', { clientSecret: 'cs_1_secret_x', locale: 'pt-BR' });
  // @ts-expect-error but it is a string
  checkout.mount('#pay', { clientSecret: 'cs_1_secret_x', locale: 42 });
  // @ts-expect-error labels are keyed by the fields' own names
  checkout.mount('#pay', { clientSecret: 'cs_1_secret_x', labels: { nonsense: 'x' } });
  const fields = checkout.mount('#pay', { clientSecret: 'cs_1_secret_x' });
  // @ts-expect-error no such event
  fields.on('submit', () => undefined);
  // @ts-expect-error a change handler gets a ChangeEvent, not a number
  fields.on('change', (e: number) => e);
  // @ts-expect-error confirm() takes no card data: the page never has it
  void fields.confirm({ number: '4242424242424242' });
}

describe('public types', () => {
  it('are exercised by the compiler', () => {
    expect(typeof correctUse).toBe('function');
    expect(typeof misuse).toBe('function');
  });
});
