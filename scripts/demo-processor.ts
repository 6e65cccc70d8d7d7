// The demo shop can take its payments through a real connector: given a provider's test credentials
// in the environment, `npm start` sets them as the test merchant's processor (through the same
// POST /v1/merchant a merchant would use). With PROCESSOR_BASE_URLS pointing at `npm run providers`,
// the whole demo runs against the local Stripe and Adyen stand-ins.

/** The processor settings the environment asks for, or undefined for the simulated processor. */
export function demoProcessorFromEnv(env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  if (env.DEMO_STRIPE_SECRET_KEY) {
    return {
      type: 'stripe',
      secret_key: env.DEMO_STRIPE_SECRET_KEY,
      ...(env.DEMO_STRIPE_WEBHOOK_SECRET ? { webhook_secret: env.DEMO_STRIPE_WEBHOOK_SECRET } : {}),
    };
  }
  if (env.DEMO_ADYEN_API_KEY) {
    if (!env.DEMO_ADYEN_MERCHANT_ACCOUNT) throw new Error('DEMO_ADYEN_MERCHANT_ACCOUNT is required with DEMO_ADYEN_API_KEY');
    return {
      type: 'adyen',
      api_key: env.DEMO_ADYEN_API_KEY,
      merchant_account: env.DEMO_ADYEN_MERCHANT_ACCOUNT,
      environment: 'test',
      ...(env.DEMO_ADYEN_HMAC_KEY ? { hmac_key: env.DEMO_ADYEN_HMAC_KEY } : {}),
    };
  }
  return undefined;
}

/** Sets the test merchant's processor: the connector named in the environment, else back to simulated. */
export async function applyDemoProcessor(vaultUrl: string, secretKey: string, env: NodeJS.ProcessEnv): Promise<string> {
  const processor = demoProcessorFromEnv(env) ?? { type: 'simulated' };
  const res = await fetch(`${vaultUrl}/v1/merchant`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ processor }),
  });
  if (!res.ok) throw new Error(`the vault refused the demo's processor (${res.status}): ${await res.text()}`);
  return processor.type;
}
