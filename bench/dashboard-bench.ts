// The dashboard's side of the budget: the gzip size of dashboard.js (from dist/manifest.json), and the
// time from navigation to the overview's first drawn chart ('dashboard:first-chart') for a merchant with
// 100,000 charges stored, in Debian's Chromium against a vault child process. The charges are seeded
// straight into the database in batches; SQLite by default, PostgreSQL too when BENCH_DB names it.
// `BENCH_ONLY=dashboard npm run bench` runs it alone.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Cookie } from 'playwright-core';
import { ensureBuilt } from '../scripts/ensure-built.ts';
import { openDatabase } from '../server/db/database.ts';
import { migrate } from '../server/db/migrations.ts';
import type { ChargeTable } from '../server/db/schema.ts';
import { parseKeyRing } from '../server/keys/key-ring.ts';
import { createMerchant } from '../server/merchants/merchant-store.ts';
import { addStaffUser } from '../server/staff/staff-store.ts';
import { createBenchDatabase, redacted } from './bench-database.ts';
import type { DatabaseKind } from './options.ts';
import { freePort, startChild, stopChild, waitForHttp, type Child } from './processes.ts';
import { printTable, verdict, type Row } from './table.ts';
import { LABELS } from './vault-phase.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Our own budgets (the issue sets none): a dashboard that stays a small download and draws within a second. */
export const DASHBOARD_BUDGET = { scriptKB: 60, firstChartMs: 1000 };
const CHARGES = 100_000;
const BATCH = 1000;
const LOADS = 7;
const PASSWORD = 'dashboard bench password 1';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  return s.length % 2 ? s[Math.floor(mid)] : (s[mid - 1] + s[mid]) / 2;
};

function scriptRow(): Row {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'manifest.json'), 'utf8')) as { files: Record<string, { gzip: number }> };
  const kb = manifest.files['dashboard.js'].gzip / 1024;
  return {
    name: 'dashboard.js (gzip)',
    value: kb,
    unit: 'KB',
    budget: `<= ${DASHBOARD_BUDGET.scriptKB} KB`,
    verdict: verdict(kb, { max: DASHBOARD_BUDGET.scriptKB }),
  };
}

/**
 * 100,000 charges over the last 90 days for one merchant: most succeeded, in EUR and some USD, the rest
 * declined under a handful of codes, as a busy shop's would be. Masked cards only, as the vault stores.
 */
export function* charges(merchantId: string, groupId: string): Generator<ChargeTable[]> {
  const now = Date.now();
  const codes = ['generic_decline', 'insufficient_funds', 'incorrect_cvc', 'expired_card', 'do_not_honor'];
  const masked = JSON.stringify({ brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 });
  for (let start = 0; start < CHARGES; start += BATCH) {
    const batch: ChargeTable[] = [];
    for (let i = start; i < Math.min(CHARGES, start + BATCH); i++) {
      const failed = i % 9 === 0;
      const code = codes[i % codes.length];
      batch.push({
        id: `ch_${crypto.randomBytes(12).toString('hex')}`,
        merchant_id: merchantId,
        group_id: groupId,
        customer: `bench-${i % 5000}`,
        card_token: null,
        card_masked: masked,
        amount: 500 + ((i * 37) % 20_000),
        currency: i % 5 === 0 ? 'USD' : 'EUR',
        order_ref: null,
        initiator: 'customer',
        mandate_id: null,
        session_id: null,
        status: failed ? 'failed' : 'succeeded',
        network_transaction_id: null,
        failure_code: failed ? (code === 'insufficient_funds' || code === 'incorrect_cvc' || code === 'expired_card' ? code : 'card_declined') : null,
        failure_message: failed ? 'The card was declined' : null,
        decline_code: failed ? code : null,
        amount_refunded: 0,
        processor_ref: `bench:${merchantId}:${i}`,
        created_at: new Date(now - ((i * 7919) % (90 * 86_400_000))).toISOString(),
        processor_id: null,
        processor_response: null,
        processor: 'simulated',
      });
    }
    yield batch;
  }
}

/** Migrates the storage, creates the merchant, its charges and a staff user; returns the user's one-time link. */
async function seed(storage: { dataDir: string; databaseUrl?: string; vaultKeys: string }, vaultUrl: string, log: (l: string) => void) {
  const handle = openDatabase({ dataDir: storage.dataDir, databaseUrl: storage.databaseUrl });
  try {
    await migrate(handle.db);
    // The vault started on this database afterwards has the same keys: it opens the merchant's sealed secrets.
    const ring = parseKeyRing(storage.vaultKeys);
    const merchant = await createMerchant({ db: handle.db, ring }, { name: 'Dashboard bench shop', origins: ['http://shop.bench'] });
    const started = Date.now();
    for (const batch of charges(merchant.id, merchant.group)) await handle.db.insertInto('charges').values(batch).execute();
    log(`seeded ${CHARGES.toLocaleString('en')} charges in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const email = 'bench@shop.bench';
    const issued = await addStaffUser(handle.db, { merchantId: merchant.id, email, role: 'viewer', publicUrl: vaultUrl, now: new Date() });
    return { link: issued.url, email };
  } finally {
    await handle.close();
  }
}

/** The staff user sets a password through the link and signs in; the session's cookies come back. */
async function signIn(browser: Browser, link: string, email: string): Promise<Cookie[]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(link);
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForURL(/\/dashboard\/sign-in\?done=password_set$/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dashboard$/);
    return await context.cookies();
  } finally {
    await context.close();
  }
}

/** One cold load of /dashboard (a new context: empty cache, the session's cookie): the mark's time and the overview call's. */
async function loadOnce(browser: Browser, vaultUrl: string, cookies: Cookie[]) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    await context.addCookies(cookies);
    const page = await context.newPage();
    await page.goto(`${vaultUrl}/dashboard`);
    await page.waitForFunction(() => performance.getEntriesByName('dashboard:first-chart').length > 0, undefined, { timeout: 30_000 });
    return await page.evaluate(() => ({
      chart: performance.getEntriesByName('dashboard:first-chart')[0].startTime,
      api: performance.getEntriesByType('resource').find((e) => e.name.includes('/dashboard/api/overview'))?.duration ?? Number.NaN,
    }));
  } finally {
    await context.close();
  }
}

async function firstChartRow(kind: DatabaseKind, browser: Browser, log: (l: string) => void): Promise<Row> {
  const name = `overview: time to first chart with 100,000 charges stored, ${LABELS[kind]}`;
  const budget = `<= ${DASHBOARD_BUDGET.firstChartMs} ms`;
  let database: Awaited<ReturnType<typeof createBenchDatabase>> | undefined;
  if (kind === 'postgres') {
    const admin = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
    try {
      database = await createBenchDatabase(admin);
    } catch (err) {
      const why = `no PostgreSQL database could be created on ${redacted(admin)} (${(err as Error).message})`;
      return { name, value: Number.NaN, unit: 'ms', budget, verdict: 'skipped', skipped: why };
    }
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-dashboard-bench-'));
  let vault: Child | undefined;
  try {
    const port = await freePort();
    const vaultUrl = `http://localhost:${port}`;
    const vaultKeys = `bench:${crypto.randomBytes(32).toString('base64')}`;
    const { link, email } = await seed({ dataDir, databaseUrl: database?.url, vaultKeys }, vaultUrl, (l) => log(`${LABELS[kind]}: ${l}`));
    vault = startChild(`vault (${LABELS[kind]})`, 'server/main.ts', {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      PUBLIC_URL: vaultUrl,
      LOG_LEVEL: 'warn',
      VAULT_KEYS: vaultKeys,
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    await waitForHttp(vault, `${vaultUrl}/health`, 60_000);
    const cookies = await signIn(browser, link, email);
    await loadOnce(browser, vaultUrl, cookies); // warm-up: the vault's first queries, thrown away
    const loads = [];
    for (let i = 0; i < LOADS; i++) loads.push(await loadOnce(browser, vaultUrl, cookies));
    const chart = median(loads.map((l) => l.chart));
    const api = median(loads.map((l) => l.api));
    const max = Math.max(...loads.map((l) => l.chart));
    log(
      `${LABELS[kind]}: first chart median ${chart.toFixed(0)} ms (max ${max.toFixed(0)}), ` +
        `GET /dashboard/api/overview median ${api.toFixed(0)} ms, ${LOADS} cold loads`,
    );
    return {
      name,
      value: chart,
      unit: 'ms',
      compare: `overview API ${api.toFixed(0)} ms; max ${max.toFixed(0)} ms of ${LOADS}`,
      budget,
      verdict: verdict(chart, { max: DASHBOARD_BUDGET.firstChartMs }),
    };
  } finally {
    if (vault) await stopChild(vault);
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runDashboardBenchmarks(o: { databases: DatabaseKind[]; log?: (line: string) => void }): Promise<Row[]> {
  const log = o.log ?? ((line: string) => console.log(line));
  if (!fs.existsSync(CHROMIUM)) throw new Error(`the dashboard benchmark needs Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  ensureBuilt();
  const rows = [scriptRow()];
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    for (const kind of o.databases) rows.push(await firstChartRow(kind, browser, log));
  } finally {
    await browser.close();
  }
  return rows;
}

/** SQLite unless BENCH_DB names databases (sqlite, postgres or both), as the server rows read it. */
export function dashboardDatabases(env: NodeJS.ProcessEnv = process.env): DatabaseKind[] {
  const db = env.BENCH_DB?.trim();
  if (!db) return ['sqlite'];
  if (db === 'both') return ['sqlite', 'postgres'];
  return (['sqlite', 'postgres'] as const).filter((k) =>
    db
      .split(',')
      .map((s) => s.trim())
      .includes(k),
  );
}

export const DASHBOARD_TITLE = `Dashboard (headless Chromium, 1440 px; first chart: median of ${LOADS} cold loads after a warm-up, navigation to the mark)`;

if (import.meta.url === `file://${process.argv[1]}`) {
  runDashboardBenchmarks({ databases: dashboardDatabases() }).then(
    (rows) => {
      printTable(rows, { title: DASHBOARD_TITLE, compareHeader: 'detail' });
      process.exit(0);
    },
    (err: Error) => {
      console.error(err);
      process.exit(1);
    },
  );
}
