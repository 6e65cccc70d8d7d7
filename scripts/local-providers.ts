// `npm run providers`: the local Stripe and Adyen stand-ins the tests use, on fixed ports, so the
// going-live steps can be tried on one machine without a provider account or the internet. They speak
// each provider's wire format (Stripe's form-encoded API, Adyen's Checkout JSON) and keep their
// ledger in memory. Never point a live vault at them.
import { startFakeAdyen } from '../test/helpers/fake-adyen.ts';
import { startFakeStripe } from '../test/helpers/fake-stripe.ts';

const STRIPE_PORT = Number(process.env.STRIPE_PORT ?? 12111);
const ADYEN_PORT = Number(process.env.ADYEN_PORT ?? 8081);
// Fixed, so the settings printed below stay valid across restarts.
const ADYEN_HMAC_KEY = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';

async function main() {
  // STRIPE_KEY=sk_live_…: the stand-in's account key, for trying a live-mode merchant (which needs a live key).
  const stripe = await startFakeStripe({ port: STRIPE_PORT, secretKey: process.env.STRIPE_KEY || undefined });
  const adyen = await startFakeAdyen({ port: ADYEN_PORT, apiKey: 'AQE_local_test_key', merchantAccount: 'LocalTestECOM', hmacKey: ADYEN_HMAC_KEY });
  const stripeSettings = { type: 'stripe', secret_key: stripe.secretKey, webhook_secret: stripe.webhookSecret };
  const adyenSettings = { type: 'adyen', api_key: adyen.apiKey, merchant_account: adyen.merchantAccount, environment: 'test', hmac_key: adyen.hmacKey };
  console.log(`
  Local payment providers (test stand-ins; nothing leaves this machine):
    stripe  ${stripe.url}   processor: ${JSON.stringify(stripeSettings)}
    adyen   ${adyen.url}   processor: ${JSON.stringify(adyenSettings)}

  Run the vault against them:
    PROCESSOR_BASE_URLS=stripe=${stripe.url},adyen=${adyen.url} npm start
  and give a merchant one of the processor objects above with POST /v1/merchant, or start the demo on one:
    PROCESSOR_BASE_URLS=stripe=${stripe.url} DEMO_STRIPE_SECRET_KEY=${stripe.secretKey} npm start
`);
  const stop = async () => {
    await Promise.all([stripe.close(), adyen.close()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(`providers: ${err.message}`);
  process.exit(1);
});
