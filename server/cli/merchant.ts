// `npm run merchant -- create --name NAME --origin URL [--origin URL…] [--webhook URL] [--group ID] [--json]`
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { parseEnv } from '../env.ts';
import { vetWebhookUrl, webhookTargetPolicy, WebhookTargetRefused } from '../jobs/webhook-target.ts';
import { createMerchant } from '../merchants/merchant-store.ts';

const USAGE = 'usage: npm run merchant -- create --name NAME --origin URL [--origin URL…] [--webhook URL] [--group GROUP_ID] [--json]';

async function main(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      origin: { type: 'string', multiple: true },
      webhook: { type: 'string' },
      group: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals[0] !== 'create' || !values.name || !values.origin?.length) throw new Error(USAGE);
  for (const o of [...values.origin, ...(values.webhook ? [values.webhook] : [])]) {
    if (!/^https?:\/\/[^/]+/.test(o)) throw new Error(`not an http(s) URL: ${o}`);
  }
  const env = parseEnv();
  // The same check as POST /v1/merchant: no credentials, and a host on public addresses unless ALLOW_PRIVATE_WEBHOOKS=1.
  if (values.webhook) {
    await vetWebhookUrl(webhookTargetPolicy(env.ALLOW_PRIVATE_WEBHOOKS), values.webhook).catch((err: unknown) => {
      throw err instanceof WebhookTargetRefused ? new Error(`--webhook: ${err.message}`) : err;
    });
  }
  const handle = openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    await migrate(handle.db);
    const created = await createMerchant(handle.db, { name: values.name, origins: values.origin, webhookUrl: values.webhook, groupId: values.group });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(created)}\n`);
    } else {
      console.log(`Merchant ${values.name} (${created.id}) in group ${created.group}`);
      console.log(`  secret key:      ${created.secret_key}   (server to server only; shown once)`);
      console.log(`  publishable key: ${created.publishable_key}`);
      console.log(`  webhook secret:  ${created.webhook_secret}`);
    }
  } finally {
    await handle.close();
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`merchant: ${err.message}`);
  process.exit(1);
});
