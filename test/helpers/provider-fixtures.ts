// The real connectors' local providers, seen through one shape: start the provider's local server,
// give a merchant its credentials, count what took money there, pass its issuer page, and send a
// signed dispute notification. Lets one suite run every money path through each connector.
import { adyenReference } from '../../server/processors/adyen/adyen-references.ts';
import { startFakeAdyen, type FakeAdyen } from './fake-adyen.ts';
import type { DbTarget } from './databases.ts';
import { startFakeStripe, type FakeStripe, type HeldRequest } from './fake-stripe.ts';
import { LIFTABLE_LIMITS, startTestVault, type TestVault } from './test-vault.ts';

export type ProviderName = 'stripe' | 'adyen';

export interface LocalProvider {
  name: ProviderName;
  /** For PROCESSOR_BASE_URLS. */
  url: string;
  /** The merchant's `processor` setting for this provider's local account. */
  settings: Record<string, unknown>;
  /** Payments that took (or hold) money at the provider. */
  paid(): number;
  /** The API requests the provider received whose path matches. */
  requests(path: RegExp): Array<{ path: string; body: any; headers: Record<string, unknown> }>;
  /** The customer at the issuer's page: answers "Complete" or "Fail"; returns where the issuer sends the browser. */
  passIssuerPage(actionUrl: string, result: 'complete' | 'fail'): Promise<URL>;
  /** A dispute opened on the payment, signed as the provider signs its notifications (or forged). */
  disputeNotification(payment: string, options?: { forged?: boolean }): { body: string; headers: Record<string, string> };
  /** The fake's knobs, for the crash test: the next payment is performed, then its connection dropped. */
  dropNextPaymentAfterOperating(): void;
  /** For the crash test: the next payment request (the one that takes money) is held until performed or dropped. */
  holdNextPayment(): HeldRequest;
  /** Payments that took (or hold) money at the provider for this vault reference. */
  paidFor(reference: string): number;
  close(): Promise<void>;
}

async function passIssuerPage(actionUrl: string, result: 'complete' | 'fail'): Promise<URL> {
  const page = await fetch(actionUrl);
  if (page.status !== 200) throw new Error(`the issuer page answered ${page.status}`);
  const answer = await fetch(actionUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `result=${result}`,
  });
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location) throw new Error(`the issuer did not send the customer back (${answer.status})`);
  return new URL(location);
}

export async function startLocalProvider(name: ProviderName): Promise<LocalProvider> {
  return name === 'stripe' ? stripeProvider(await startFakeStripe()) : adyenProvider(await startFakeAdyen());
}

function stripeProvider(fake: FakeStripe): LocalProvider {
  return {
    name: 'stripe',
    url: fake.url,
    settings: { type: 'stripe', secret_key: fake.secretKey, webhook_secret: fake.webhookSecret },
    paid: () => fake.paidCharges().length,
    requests: (path) =>
      fake.requests.filter((r) => path.test(r.path)).map((r) => ({ path: r.path, body: r.body, headers: r.headers as Record<string, unknown> })),
    passIssuerPage,
    disputeNotification: (payment, options = {}) =>
      fake.signed(fake.events.disputeCreated(payment, { reason: 'fraudulent' }), options.forged ? 'whsec_forged_by_someone_else' : undefined),
    // count 2: the library retries a closed connection once itself
    dropNextPaymentAfterOperating: () => fake.dropNext({ afterOperating: true, count: 2, match: { method: 'POST', path: /\/confirm$/ } }),
    holdNextPayment: () => fake.holdNext({ method: 'POST', path: /\/confirm$/ }),
    paidFor: (reference) => fake.paidCharges().filter((c) => fake.intents.get(c.payment_intent as string)?.metadata.vault_reference === reference).length,
    close: () => fake.close(),
  };
}

function adyenProvider(fake: FakeAdyen): LocalProvider {
  return {
    name: 'adyen',
    url: fake.url,
    settings: { type: 'adyen', api_key: fake.apiKey, merchant_account: fake.merchantAccount, environment: 'test', hmac_key: fake.hmacKey },
    paid: () => fake.payments.filter((p) => p.status === 'authorised').length,
    requests: (path) => fake.requests.filter((r) => path.test(r.path)).map((r) => ({ path: r.path, body: r.body, headers: (r as any).headers ?? {} })),
    passIssuerPage,
    disputeNotification: (payment, options = {}) => {
      const body = fake.notification(
        [
          {
            eventCode: 'NOTIFICATION_OF_CHARGEBACK',
            pspReference: `dsp${payment.slice(-8)}`,
            originalReference: payment,
            amount: { value: 1500, currency: 'USD' },
            reason: 'Fraud',
          },
        ],
        options.forged ? { key: '00'.repeat(32) } : {},
      );
      return { body, headers: { 'content-type': 'application/json' } };
    },
    dropNextPaymentAfterOperating: () => fake.dropNext({ afterOperating: true }),
    holdNextPayment: () => fake.holdNext(/^\/payments$/),
    paidFor: (reference) => fake.paymentsFor(adyenReference(reference)).filter((p) => p.status === 'authorised').length,
    close: () => fake.close(),
  };
}

/** A test vault whose own merchant pays through this local Stripe account, its rate limits lifted. */
export async function vaultOnStripe(target: DbTarget, fake: FakeStripe, options: { processorTimeoutMs?: number } = {}): Promise<TestVault> {
  return vaultOn(target, { stripe: fake.url }, { type: 'stripe', secret_key: fake.secretKey, webhook_secret: fake.webhookSecret }, options);
}

/** A test vault whose own merchant pays through this local Adyen account, its rate limits lifted. */
export async function vaultOnAdyen(target: DbTarget, fake: FakeAdyen, options: { processorTimeoutMs?: number } = {}): Promise<TestVault> {
  const processor = { type: 'adyen', api_key: fake.apiKey, merchant_account: fake.merchantAccount, environment: 'test', hmac_key: fake.hmacKey };
  return vaultOn(target, { adyen: fake.url }, processor, options);
}

async function vaultOn(
  target: DbTarget,
  processorBaseUrls: Record<string, string>,
  processor: Record<string, unknown>,
  options: { processorTimeoutMs?: number },
): Promise<TestVault> {
  const v = await startTestVault(target, { limits: LIFTABLE_LIMITS, processorBaseUrls, ...options });
  const set = await v.api('POST', '/v1/merchant', { body: { rate_limit: 0, frame_limit_per_address: 0, processor } });
  if (set.status !== 200) throw new Error(set.text);
  return v;
}
