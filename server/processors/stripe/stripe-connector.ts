// The Stripe connector as it plugs into the registry (server/processors/index.ts): which keys a
// merchant of each mode may give, the key its account view shows, and Stripe's answer to a delivery.
import { ApiError } from '../../errors.ts';
import type { Connector } from '../../payments/processor.ts';
import { isLiveKey } from './stripe-client.ts';
import { createStripeProcessor } from './stripe-processor.ts';

export const stripeConnector: Connector<'stripe'> = {
  type: 'stripe',
  checkMode(settings, live) {
    const keyLive = isLiveKey(settings.secret_key);
    if (keyLive !== live) {
      throw new ApiError(
        'parameter_invalid',
        live
          ? 'A live merchant needs your Stripe live key (sk_live_… or rk_live_…)'
          : 'A test-mode merchant takes Stripe test keys only (sk_test_… or rk_test_…): live keys belong to a merchant created with --live',
        { param: 'processor.secret_key' },
      );
    }
  },
  // sk_live_, rk_test_…: the prefix every key of the kind shares.
  credential: (settings) => settings.secret_key.replace(/^(sk|rk)_(test|live)_/, ''),
  build: createStripeProcessor,
  // Any 2xx: https://docs.stripe.com/webhooks#acknowledge-events-immediately
  notificationAck: { json: { received: true } },
};
