// `npm run merchant -- create --name NAME --origin URL [--origin URL…] [--webhook URL] [--group ID] [--live] [--json]`
// Creates a merchant and prints its keys once. --live makes a live-mode merchant (sk_live_/pk_live_),
// which takes payments only through its own processor account and only on a vault ready for real cards.
// `npm run merchant -- add-user --merchant ID --email EMAIL --role admin|viewer` adds a person to the
// merchant's dashboard and prints their one-time link to set a password (24 hours; run again for a new one).
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { MerchantSettingsUpdate } from '../../protocol/schemas/merchant.ts';
import { parseEnv } from '../env.ts';
import { vetWebhookUrl, webhookTargetPolicy, WebhookTargetRefused } from '../jobs/webhook-target.ts';
import { openKeyRing } from '../keys/open-vault.ts';
import { assertRingOpensVaultSecrets } from '../keys/vault-secrets.ts';
import { createMerchant } from '../merchants/merchant-store.ts';
import { addStaffUser } from '../staff/staff-store.ts';
import { liveModeMissing } from '../middleware/live-gate.ts';

const USAGE =
  'usage: npm run merchant -- create --name NAME --origin URL [--origin URL…] [--webhook URL] [--group GROUP_ID] [--live] [--json]\n' +
  '       npm run merchant -- add-user --merchant MERCHANT_ID --email EMAIL --role admin|viewer';

/** POST /v1/merchant's own rules for an allowed origin and a webhook URL, so that both refuse the same values in the same words. */
const Origin = MerchantSettingsUpdate.shape.allowed_origins.unwrap().element;
const WebhookUrl = MerchantSettingsUpdate.shape.webhook_url.unwrap().unwrap();

/** The CLI runs where the operator can act: a private address that ALLOW_PRIVATE_WEBHOOKS=1 would let through says so. */
async function vetWebhook(url: string, env: { ALLOW_PRIVATE_WEBHOOKS: boolean }, live: boolean): Promise<void> {
  try {
    await vetWebhookUrl(webhookTargetPolicy(env.ALLOW_PRIVATE_WEBHOOKS), url, { live });
  } catch (err) {
    if (!(err instanceof WebhookTargetRefused)) throw err;
    const privateOnly =
      err.reason === 'address_not_allowed' &&
      !env.ALLOW_PRIVATE_WEBHOOKS &&
      (await vetWebhookUrl(webhookTargetPolicy(true), url, { live }).then(
        () => true,
        () => false,
      ));
    const hint = privateOnly
      ? '. For a receiver on this machine or a private network (a local demo), run with ALLOW_PRIVATE_WEBHOOKS=1, ' +
        'and give the vault the same setting (npm start does)'
      : '';
    throw new Error(`--webhook: ${err.message}${hint}`);
  }
}

async function main(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      origin: { type: 'string', multiple: true },
      webhook: { type: 'string' },
      group: { type: 'string' },
      live: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      merchant: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
    },
  });
  const command = positionals[0];
  if (command === 'add-user') return addUser(values);
  if (command !== 'create') throw new Error(`${command ? `unknown command "${command}"` : 'missing the command "create"'}\n${USAGE}`);
  if (!values.name || !values.origin?.length) {
    const missing = [!values.name && '--name NAME', !values.origin?.length && '--origin URL'].filter(Boolean);
    throw new Error(`missing ${missing.join(' and ')}\n${USAGE}`);
  }
  for (const o of [...values.origin, ...(values.webhook ? [values.webhook] : [])]) {
    if (!/^https?:\/\/[^/]+/.test(o)) throw new Error(`not an http(s) URL: ${o}`);
  }
  for (const o of values.origin) {
    const origin = Origin.safeParse(o);
    if (!origin.success) throw new Error(`--origin ${o}: ${origin.error.issues[0].message}`);
  }
  if (values.webhook) {
    const webhook = WebhookUrl.safeParse(values.webhook);
    if (!webhook.success) throw new Error(`--webhook: ${webhook.error.issues[0].message}`);
  }
  const env = parseEnv();
  // The same check as POST /v1/merchant: https for a live merchant, no credentials, and a host on public addresses unless ALLOW_PRIVATE_WEBHOOKS=1.
  if (values.webhook) await vetWebhook(values.webhook, env, values.live);
  const { name, origin: origins } = values;
  await withDatabase(env, async (db) => {
    // The new merchant's webhook signing secret is stored sealed under the vault's key ring.
    const ring = await openKeyRing(env, db, (detail, message) => console.warn(`merchant: ${message} ${JSON.stringify(detail)}`));
    await assertRingOpensVaultSecrets(db, ring);
    const created = await createMerchant(
      { db, ring },
      {
        name,
        origins,
        webhookUrl: values.webhook,
        groupId: values.group,
        live: values.live,
      },
    );
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...created, livemode: values.live })}\n`);
    } else {
      console.log(`${values.live ? 'Live' : 'Test-mode'} merchant ${values.name} (${created.id}) in group ${created.group}`);
      console.log(`  secret key:      ${created.secret_key}   (server to server only; shown once)`);
      console.log(`  publishable key: ${created.publishable_key}`);
      console.log(`  webhook secret:  ${created.webhook_secret}`);
      if (values.live) {
        console.log('  next: set its processor account with POST /v1/merchant { "processor": { "type": "stripe", … } } or adyen');
        // Read from this shell's environment: the running vault's own may differ, and it alone decides.
        const missing = liveModeMissing({ https: new URL(env.PUBLIC_URL).protocol === 'https:', vaultKeys: Boolean(env.VAULT_KEYS) });
        if (missing.length > 0) console.log(`  note: live requests are refused (403 live_mode_unavailable) until ${missing.join('; ')}`);
      }
    }
  });
}

/** Adds a staff user (or issues a fresh link to one) and prints the link, the only copy of its token. */
async function addUser(values: { merchant?: string; email?: string; role?: string }) {
  if (!values.merchant || !values.email || !values.role) {
    const missing = [!values.merchant && '--merchant ID', !values.email && '--email EMAIL', !values.role && '--role admin|viewer'].filter(Boolean);
    throw new Error(`missing ${missing.join(' and ')}\n${USAGE}`);
  }
  const { merchant: merchantId, email, role } = values;
  const env = parseEnv();
  await withDatabase(env, async (db) => {
    const issued = await addStaffUser(db, {
      merchantId,
      email,
      role,
      publicUrl: env.PUBLIC_URL,
      now: new Date(),
    });
    const who = `${issued.staff.email} (${issued.staff.role}) of merchant ${issued.staff.merchant_id}`;
    console.log(issued.reissued ? `Staff user ${who}: a new link; the previous one no longer works` : `Staff user ${who} added`);
    console.log(`  set a password (once, until ${issued.expiresAt.toISOString()}): ${issued.url}`);
    console.log('  then sign in at', `${env.PUBLIC_URL.replace(/\/$/, '')}/dashboard/sign-in`);
    // The CLI does not see the running vault: without PUBLIC_URL the link names the default port.
    if (!process.env.PUBLIC_URL) {
      console.log(`  (the address is ${env.PUBLIC_URL}, from PORT; give this command the PUBLIC_URL or PORT your vault runs with if it answers elsewhere)`);
    }
  });
}

/** The configured database, migrated, for one command; closed whatever happens. */
async function withDatabase(env: ReturnType<typeof parseEnv>, run: (db: Db) => Promise<void>): Promise<void> {
  const handle = openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, namedStatements: env.PG_NAMED_STATEMENTS !== 'off' });
  try {
    await migrate(handle.db);
    await run(handle.db);
  } finally {
    await handle.close();
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`merchant: ${err.message}`);
  process.exit(1);
});
