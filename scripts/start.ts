// `npm start`: builds the browser assets if needed, then runs the vault with its test merchant
// (created on first run) and the demo shop on another origin, and prints both URLs and the keys.
import path from 'node:path';
import { parseEnv } from '../server/env.ts';
import { runServer } from '../server/main.ts';
import { startDemo } from '../demo/server.ts';
import { ensureBuilt } from './ensure-built.ts';
import { applyDemoProcessor } from './demo-processor.ts';
import { portInUse } from './port-in-use.ts';
import { ensureTestMerchant, TEST_ADMIN_EMAIL, testAdminLink } from './test-merchant.ts';

async function main() {
  // The demo shop's webhook receiver is on localhost: this start allows private webhook addresses unless the operator said otherwise.
  const env = parseEnv({ ALLOW_PRIVATE_WEBHOOKS: '1', ...process.env });
  ensureBuilt();
  const demoOrigin = `http://localhost:${env.DEMO_PORT}`;
  const { runtime } = await runServer(env).catch(portInUse({ what: 'the vault', variable: 'PORT', port: env.PORT, alsoSet: 'PUBLIC_URL' }));
  const merchant = await ensureTestMerchant(runtime.deps, env.DATA_DIR, demoOrigin, (line) => console.log(line));
  const demo = await startDemo({
    port: env.DEMO_PORT,
    host: env.HOST,
    vaultUrl: env.PUBLIC_URL,
    secretKey: merchant.secret_key,
    publishableKey: merchant.publishable_key,
    shopOrigin: demoOrigin,
    webhookSecret: merchant.webhook_secret,
  }).catch(portInUse({ what: 'the demo shop', variable: 'DEMO_PORT', port: env.DEMO_PORT }));
  // The test merchant's events go to the demo shop's receiver, which verifies them with the secret above.
  await fetch(`${env.PUBLIC_URL}/v1/merchant`, {
    method: 'POST',
    headers: { authorization: `Bearer ${merchant.secret_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ webhook_url: `${demoOrigin}/webhooks` }),
  })
    .then((res) => {
      if (!res.ok) throw new Error(`the vault answered ${res.status}`);
    })
    .catch((err: Error) => console.warn(`start: the demo shop will not receive webhooks: setting the webhook URL failed (${err.message})`));
  // DEMO_STRIPE_SECRET_KEY / DEMO_ADYEN_API_KEY: the demo's payments go through that connector.
  const processor = await applyDemoProcessor(env.PUBLIC_URL, merchant.secret_key, process.env);
  const adminLink = await testAdminLink(runtime.deps.db, merchant.id, env.PUBLIC_URL);
  process.once('SIGTERM', () => void demo.close());
  const processorNote =
    processor === 'simulated' ? ' (test cards in the README)' : ` (provider notifications: ${env.PUBLIC_URL}/processor-webhooks/${merchant.id})`;
  console.log(`
  Card vault is running.
    demo shop:        ${demoOrigin}   <- open this in a browser
    vault:            ${env.PUBLIC_URL}   (API reference: ${env.PUBLIC_URL}/docs)
    data:             ${runtime.deps.dbKind === 'sqlite' ? path.join(env.DATA_DIR, 'vault.db') : 'PostgreSQL (DATABASE_URL)'}
    key ring:         ${env.VAULT_KEYS ? 'VAULT_KEYS' : `${env.KEY_FILE} (KEY_FILE; back it up apart from the data)`}
    processor:        ${processor}${processorNote}

  Test merchant ${merchant.id} (keys kept in ${path.join(env.DATA_DIR, 'test-merchant.json')}):
    secret key:       ${merchant.secret_key}
    publishable key:  ${merchant.publishable_key}
    webhook secret:   ${merchant.webhook_secret}
    dashboard:        ${env.PUBLIC_URL}/dashboard/sign-in as ${TEST_ADMIN_EMAIL} (admin)${
      adminLink ? `\n    its password:     set it once at ${adminLink}\n                      (valid 24 hours; a new link at each start until it is set)` : ''
    }

  Try: curl -s ${env.PUBLIC_URL}/v1/sessions -H "Authorization: Bearer ${merchant.secret_key}" \\
         -H 'Content-Type: application/json' -d '{"amount":1999,"currency":"USD","customer":"alice"}'
`);
}

main().catch((err: Error) => {
  console.error(`start: ${err.message}`);
  process.exit(1);
});
