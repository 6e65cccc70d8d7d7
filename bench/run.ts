// `npm run bench`: starts the vault and a bare Hono app side by side, loads both, prints the budget table.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, indent, onCleanup, runScript, startChild, stopAll, waitForHttp, type Child } from './processes.ts';
import { LIFTABLE_LIMITS_ENV, liftRateLimits, MIN_RATIO, runServerBenchmarks } from './server-bench.ts';
import { printTable } from './table.ts';
import { runBrowserBenchmarks } from './browser-bench.ts';
import { runConnectorBenchmarks, type ConnectorMerchant } from './connector-bench.ts';
import { ensureBuilt } from '../scripts/ensure-built.ts';

const HOST = '127.0.0.1';
const SHOP_ORIGIN = 'http://shop.bench';

function machine(): string {
  const cpus = os.cpus();
  return `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown cpu'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, ${os.platform()} ${os.release()}, node ${process.version}`;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  console.log(machine());

  // A fresh database each run, so earlier runs' rows never slow this one down; removed on the way out.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-bench-'));
  onCleanup(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  // Keys from the environment, as in production: nothing is written beside the database, nothing is warned about.
  const vaultKeys = `bench:${crypto.randomBytes(32).toString('base64')}`;
  const [vaultPort, barePort, stripePort, adyenPort] = await Promise.all([freePort(HOST), freePort(HOST), freePort(HOST), freePort(HOST)]);
  const vaultUrl = `http://${HOST}:${vaultPort}`;
  const bareUrl = `http://${HOST}:${barePort}`;
  // The local Stripe and Adyen servers (`npm run providers`) in a process of their own, for the connector rows.
  const providers = startChild('local providers', 'scripts/local-providers.ts', { STRIPE_PORT: String(stripePort), ADYEN_PORT: String(adyenPort) });
  const processorBaseUrls = `stripe=http://${HOST}:${stripePort},adyen=http://${HOST}:${adyenPort}`;
  const vaultEnv = { PORT: String(vaultPort), HOST, DATA_DIR: dataDir, PUBLIC_URL: vaultUrl, LOG_LEVEL: 'warn', VAULT_KEYS: vaultKeys, PROCESSOR_BASE_URLS: processorBaseUrls, ...LIFTABLE_LIMITS_ENV };

  // The CLI migrates the database itself, so it can run while the servers start.
  const merchantOut = runScript('server/cli/merchant.ts', ['create', '--name', 'Bench shop', '--origin', SHOP_ORIGIN, '--json'], vaultEnv);
  const bare = startChild('bare hono', 'bench/bare-hono.ts', { PORT: String(barePort), HOST });
  const merchant = JSON.parse((await merchantOut).trim().split('\n').pop()!) as { id: string; secret_key: string };
  const connectorShops = await Promise.all((['stripe', 'adyen'] as const).map(async (provider) =>
    JSON.parse((await runScript('server/cli/merchant.ts', ['create', '--name', `Bench ${provider} shop`, '--origin', SHOP_ORIGIN, '--json'], vaultEnv)).trim().split('\n').pop()!) as { secret_key: string }));
  const providerSettings = await providerSettingsFrom(providers);
  const vault: Child = startChild('vault', 'server/main.ts', vaultEnv);
  await Promise.all([waitForHttp(vault, `${vaultUrl}/health`), waitForHttp(bare, `${bareUrl}/`)]);
  console.log(`vault on ${vaultUrl} (DATA_DIR ${dataDir}), bare Hono on ${bareUrl}; ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  await liftRateLimits(vaultUrl, merchant.secret_key);
  console.log(`note: the benchmark lifted the rate limits for its own merchant ${merchant.id} (rate_limit 0, frame_limit_per_address 0, which FIELDS_MAX_PER_ADDRESS=none and FIELDS_MAX_PER_MERCHANT=none allow), so the figures measure the server, not the limiter`);

  let rows;
  try {
    rows = await runServerBenchmarks({ vaultUrl, bareUrl, secretKey: merchant.secret_key, hostOrigin: SHOP_ORIGIN });
  } catch (err) {
    // The vault's own log usually says why it answered errors.
    throw new Error(`${(err as Error).message}\n  vault's last log lines:\n${indent(vault.tail() || '(none)')}`);
  }
  const barePost = rows.find((r) => r.name.startsWith('bare Hono POST'))!.value;
  const connectorMerchants: ConnectorMerchant[] = connectorShops.map((shop, i) => ({ provider: i === 0 ? 'stripe' : 'adyen', secretKey: shop.secret_key, settings: providerSettings[i === 0 ? 'stripe' : 'adyen'] }));
  try {
    rows.splice(rows.length - 2, 0, ...(await runConnectorBenchmarks({ vaultUrl, merchants: connectorMerchants, barePostRps: barePost, log: (l) => console.log(l) })));
  } catch (err) {
    throw new Error(`${(err as Error).message}\n  vault's last log lines:\n${indent(vault.tail() || '(none)')}`);
  }
  const vaultLog = vault.tail();

  console.log('');
  printTable(rows, { title: `Server throughput (autocannon, 10 connections, 5 s per path after 1 s warm-up, bare Hono measured before and after the vault and averaged; budget: a vault path holds >= ${MIN_RATIO} of a bare Hono app's req/s, same method; a merchant-initiated charge through a connector >= 0.10, its local provider server included)`, compareHeader: 'ratio to bare Hono' });
  if (vaultLog) console.log(`\nthe vault logged at warn or above during the run (last lines):\n${indent(vaultLog)}`);
  // The browser figures are taken with the load servers stopped, so they do not compete for the cores.
  await stopAll();

  ensureBuilt();
  console.log('');
  const browserRows = await runBrowserBenchmarks({ log: (line) => console.log(`  ${line}`) });
  console.log('');
  printTable(browserRows, { title: 'Browser (headless Chromium on localhost; timings are medians of 20 runs, mount() with a cold cache)', compareHeader: 'detail' });

  const over = [...rows, ...browserRows].filter((r) => r.verdict === 'OVER');
  console.log('');
  console.log(over.length ? `VERDICT: ${over.length} figure(s) OVER budget: ${over.map((r) => r.name).join(', ')}` : 'VERDICT: every figure within budget');
  console.log(`\nbenchmark took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** The processor settings the local providers print (`processor: {…}` per provider), once they are up. */
async function providerSettingsFrom(child: Child): Promise<Record<'stripe' | 'adyen', Record<string, unknown>>> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const found = Object.fromEntries([...child.tail().matchAll(/^\s+(stripe|adyen)\s+\S+\s+processor: (\{.*\})$/gm)].map((m) => [m[1], JSON.parse(m[2])]));
    if (found.stripe && found.adyen) return found as Record<'stripe' | 'adyen', Record<string, unknown>>;
    if (child.proc.exitCode !== null) break;
  }
  throw new Error(`the local providers did not start:\n${indent(child.tail())}`);
}

main().then(
  () => process.exit(0),
  async (err: Error) => {
    console.error(`\nbench: ${err.message}`);
    await stopAll();
    process.exit(1);
  },
);
