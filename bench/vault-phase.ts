// One database's turn: a vault of its own on a fresh database (a temp DATA_DIR, or a PostgreSQL database
// created for the run), its merchant with the rate limits lifted, the chosen paths, then the vault stopped.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BareLoads } from './bare-loads.ts';
import { createBenchDatabase, redacted, type BenchDatabase } from './bench-database.ts';
import { runConnectorBenchmarks, type ConnectorMerchant, type Provider } from './connector-bench.ts';
import { skippedRow } from './interleave.ts';
import type { BenchOptions, DatabaseKind } from './options.ts';
import { processCpu } from './process-cpu.ts';
import { freePort, indent, onCleanup, runScript, startChild, stopChild, waitForHttp, type Child } from './processes.ts';
import { benchName, LIFTABLE_LIMITS_ENV, liftRateLimits, runVaultBenchmarks } from './server-bench.ts';
import type { Row } from './table.ts';

const HOST = '127.0.0.1';
export const SHOP_ORIGIN = 'http://shop.bench';
export const LABELS: Record<DatabaseKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

export interface PhaseResult {
  rows: Row[];
  /** What the vault logged at warn or above, if anything. */
  vaultLog: string;
}

interface Merchant {
  id: string;
  secret_key: string;
}

async function createMerchant(name: string, env: Record<string, string>): Promise<Merchant> {
  const out = await runScript('server/cli/merchant.ts', ['create', '--name', name, '--origin', SHOP_ORIGIN, '--json'], env);
  return JSON.parse(out.trim().split('\n').pop()!) as Merchant;
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The rows a database would have had, each saying why it has no figures. */
function skippedRows(o: BenchOptions, label: string, why: string): Row[] {
  return o.paths.filter((p) => p !== 'connectors').map((p) => skippedRow(`${benchName(p).name}, ${label}`, benchName(p).budget, why));
}

export async function benchDatabase(db: DatabaseKind, o: BenchOptions, bare: BareLoads, log: (l: string) => void): Promise<PhaseResult> {
  const label = LABELS[db];
  const started = Date.now();
  let database: BenchDatabase | undefined;
  if (db === 'postgres') {
    try {
      database = await createBenchDatabase(o.adminDatabaseUrl);
    } catch (err) {
      const why = `no PostgreSQL database could be created on ${redacted(o.adminDatabaseUrl)} (${(err as Error).message})`;
      log(`${label}: skipped, ${why}`);
      return { rows: skippedRows(o, label, why), vaultLog: '' };
    }
  }
  const connectors = db === 'sqlite' && o.paths.includes('connectors');
  const children: Child[] = [];
  try {
    const vaultPort = await freePort(HOST);
    const vaultUrl = `http://${HOST}:${vaultPort}`;
    // Keys from the environment, as in production: nothing is written beside the database, nothing is warned about.
    const env: Record<string, string> = {
      PORT: String(vaultPort),
      HOST,
      PUBLIC_URL: vaultUrl,
      LOG_LEVEL: 'warn',
      VAULT_KEYS: `bench:${crypto.randomBytes(32).toString('base64')}`,
      DATA_DIR: tempDir('vault-bench-'),
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...LIFTABLE_LIMITS_ENV,
    };
    let providers: Child | undefined;
    if (connectors) {
      // The local Stripe and Adyen servers (`npm run providers`) in a process of their own.
      const [stripePort, adyenPort] = await Promise.all([freePort(HOST), freePort(HOST)]);
      providers = startChild('local providers', 'scripts/local-providers.ts', { STRIPE_PORT: String(stripePort), ADYEN_PORT: String(adyenPort) });
      children.push(providers);
      env.PROCESSOR_BASE_URLS = `stripe=http://${HOST}:${stripePort},adyen=http://${HOST}:${adyenPort}`;
    }

    // The vault migrates the database as it starts; the merchant CLIs, which migrate too, wait for it
    // (two first migrations of one SQLite file at once fail) and then run side by side.
    // BENCH_CPU_PROF=dir: the vault writes a V8 CPU profile of the whole run there when it stops (open it in Chrome's DevTools).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const vault = startChild(`vault (${label})`, 'server/main.ts', env, profile);
    children.push(vault);
    await waitForHttp(vault, `${vaultUrl}/health`, 60_000);
    const names = ['Bench shop', ...(connectors ? ['Bench stripe shop', 'Bench adyen shop'] : [])];
    const [merchant, ...shops] = await Promise.all(names.map((name) => createMerchant(name, env)));
    const settings = providers ? await providerSettingsFrom(providers) : undefined;
    const where = database ? `DATABASE_URL …/${database.name}` : `DATA_DIR ${env.DATA_DIR}`;
    log(`${label}: vault on ${vaultUrl} (${where}), ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await liftRateLimits(vaultUrl, merchant.secret_key);
    log(`  note: the benchmark lifted the rate limits of its own merchant ${merchant.id} (rate_limit 0, frame_limit_per_address 0, which`);
    log('  FIELDS_MAX_PER_ADDRESS=none and FIELDS_MAX_PER_MERCHANT=none allow), so the figures measure the server, not the limiter');

    const rows: Row[] = [];
    try {
      const common = { pairs: o.pairs, connections: o.connections, log, vaultCpu: processCpu(vault.proc.pid) };
      const storageEnv: Record<string, string> = database ? { DATABASE_URL: database.url } : { DATA_DIR: env.DATA_DIR };
      rows.push(
        ...(await runVaultBenchmarks({
          vaultUrl,
          bare,
          secretKey: merchant.secret_key,
          hostOrigin: SHOP_ORIGIN,
          label,
          paths: o.paths,
          storageEnv,
          ...common,
        })),
      );
      if (connectors && settings) {
        const merchants: ConnectorMerchant[] = shops.map((shop, i) => {
          const provider: Provider = i === 0 ? 'stripe' : 'adyen';
          return { provider, secretKey: shop.secret_key, settings: settings[provider] };
        });
        rows.push(...(await runConnectorBenchmarks({ vaultUrl, merchants, barePost: bare.POST, label, ...common })));
      }
    } catch (err) {
      // The vault's own log usually says why it answered errors.
      throw new Error(`${label}: ${(err as Error).message}\n  vault's last log lines:\n${indent(vault.tail() || '(none)')}`);
    }
    const vaultLog = vault.tail();
    log(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { rows, vaultLog };
  } finally {
    // Stopped before the next database's turn, so the two never compete for the cores.
    await Promise.all(children.map((c) => stopChild(c)));
    await database?.drop();
  }
}

/** The processor settings the local providers print (`processor: {…}` per provider), once they are up. */
async function providerSettingsFrom(child: Child): Promise<Record<Provider, Record<string, unknown>>> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const found = Object.fromEntries([...child.tail().matchAll(/^\s+(stripe|adyen)\s+\S+\s+processor: (\{.*\})$/gm)].map((m) => [m[1], JSON.parse(m[2])]));
    if (found.stripe && found.adyen) return found as Record<Provider, Record<string, unknown>>;
    if (child.proc.exitCode !== null) break;
  }
  throw new Error(`the local providers did not start:\n${indent(child.tail())}`);
}
