// The Adyen connector as it plugs into the registry (server/processors/index.ts): which environment a
// merchant of each mode may use, the key its account view shows, and Adyen's answer to a delivery.
import { ApiError } from '../../errors.ts';
import type { Connector } from '../../payments/processor.ts';
import { createAdyenProcessor } from './adyen-processor.ts';

export const adyenConnector: Connector<'adyen'> = {
  type: 'adyen',
  checkMode(settings, live) {
    if ((settings.environment === 'live') !== live) {
      throw new ApiError(
        'parameter_invalid',
        live
          ? 'A live merchant needs environment live and the credentials of your Adyen live account'
          : 'A test-mode merchant takes Adyen test credentials only (environment test): live ones belong to a merchant created with --live',
        { param: 'processor.environment' },
      );
    }
    // The Adyen library cannot reach a live endpoint without it: https://docs.adyen.com/development-resources/live-endpoints#live-url-prefix
    if (settings.environment === 'live' && !settings.live_url_prefix) {
      throw new ApiError('parameter_missing', 'processor.live_url_prefix is required with environment live (Customer Area, Developers > API URLs)', {
        param: 'processor.live_url_prefix',
      });
    }
  },
  credential: (settings) => settings.api_key,
  build: createAdyenProcessor,
  // Adyen's webhooks expect this exact answer: https://docs.adyen.com/development-resources/webhooks/#accept-webhooks
  notificationAck: { text: '[accepted]' },
};
