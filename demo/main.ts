// `tsx demo/main.ts`: the demo shop alone, against a vault that is already running, with the test
// merchant's keys that `npm start` keeps in DATA_DIR/test-merchant.json.
import fs from 'node:fs';
import path from 'node:path';
import { startDemo } from './server.ts';

interface MerchantKeys {
  secret_key: string;
  publishable_key: string;
  webhook_secret?: string;
}

async function main() {
  const port = Number(process.env.DEMO_PORT || 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('DEMO_PORT must be a port number (1-65535)');
  const vaultUrl = new URL(process.env.VAULT_URL || 'http://localhost:4000').origin;
  const keyFile = path.resolve(process.env.DATA_DIR || './data', 'test-merchant.json');
  if (!fs.existsSync(keyFile)) throw new Error(`${keyFile} does not exist: run npm start once to create the test merchant`);
  const keys = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as MerchantKeys;
  const shopOrigin = `http://localhost:${port}`;
  const shop = await startDemo({
    port,
    host: process.env.DEMO_HOST || '127.0.0.1',
    vaultUrl,
    secretKey: keys.secret_key,
    publishableKey: keys.publishable_key,
    shopOrigin,
    webhookSecret: keys.webhook_secret,
  });
  console.log(`Demo shop on ${shop.url} (vault ${vaultUrl})`);
  const stop = () => void shop.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: Error) => {
  console.error(`demo: cannot start: ${err.message}`);
  process.exit(1);
});
