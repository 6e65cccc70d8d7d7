// The browser side of the budget: the gzip size of checkout.js and frame.js, mount() to `ready` in a
// cold browser context, and the confirm() round trip, measured in Debian's Chromium against a vault
// child process. `npx tsx bench/browser-bench.ts` runs it alone and prints its rows.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { ensureBuilt } from '../scripts/ensure-built.ts';
import { freePort, indent, runScript, startChild, stopChild, waitForHttp, type Child } from './processes.ts';
import { LIFTABLE_LIMITS_ENV, liftRateLimits } from './server-bench.ts';
import { printTable, verdict, type Row } from './table.ts';
import { CARDS } from '../test/helpers/test-cards.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const BUDGET = { checkoutKB: 5, frameKB: 20, mountMs: 150, confirmMs: 100 };

export interface BrowserBenchOptions {
  /** Measured runs per timing (a warm-up run comes first and is thrown away); at least 20 by default. */
  runs?: number;
  log?: (line: string) => void;
}

interface Stats {
  median: number;
  p90: number;
  min: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)] : (s[mid - 1] + s[mid]) / 2;
  return { median, p90: at(0.9), min: s[0], max: s[s.length - 1] };
}

const describe = (st: Stats, n: number) => `median ${st.median.toFixed(1)} ms, p90 ${st.p90.toFixed(1)}, min ${st.min.toFixed(1)}, max ${st.max.toFixed(1)} over ${n} runs`;

function gzipKB(file: string): number {
  return zlib.gzipSync(fs.readFileSync(path.join(ROOT, 'dist', file)), { level: 9 }).length / 1024;
}

/**
 * The merchant's page: checkout.js from the vault, and the timers. Each one starts with
 * performance.now() just before the call it measures and stops in the callback that ends it.
 */
function benchPage(vaultUrl: string, publishableKey: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Browser benchmark</title></head>
<body><div id="pay" style="width: 420px"></div>
<script src="${vaultUrl}/checkout.js"></script>
<script>
  const PK = ${JSON.stringify(publishableKey)};
  const within = (ms, what) => new Promise((_, reject) => setTimeout(() => reject(new Error(what + ' did not happen within ' + ms + ' ms')), ms));
  window.benchMount = (clientSecret) => Promise.race([within(10000, 'ready'), new Promise((resolve) => {
    const t0 = performance.now();
    const fields = Checkout(PK).mount('#pay', { clientSecret, locale: 'en' });
    window.fields = fields;
    fields.on('ready', () => resolve(performance.now() - t0));
  })]);
  window.benchConfirm = async () => {
    const t0 = performance.now();
    const result = await window.fields.confirm();
    return { ms: performance.now() - t0, status: result.status, error: result.error ? result.error.code + ': ' + result.error.message : undefined };
  };
  // The floor: an iframe of a page on another site that posts one message to its parent.
  window.benchBare = (src) => Promise.race([within(10000, 'the bare frame\\'s message'), new Promise((resolve) => {
    const t0 = performance.now();
    const frame = document.createElement('iframe');
    addEventListener('message', function heard(event) {
      if (event.source !== frame.contentWindow || event.data !== 'bare:ready') return;
      removeEventListener('message', heard);
      resolve(performance.now() - t0);
    });
    frame.src = src;
    document.getElementById('pay').appendChild(frame);
  })]);
</script></body></html>`;
}

function bareFrame(pageOrigin: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title></head><body>
<script>parent.postMessage('bare:ready', ${JSON.stringify(pageOrigin)});</script></body></html>`;
}

async function listen(host: string, port: number, body: (url: URL) => string | undefined): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const html = body(new URL(req.url ?? '/', `http://${host}`));
    if (html === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

const close = (server: http.Server) => new Promise<void>((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
});

async function createSession(vaultUrl: string, secretKey: string): Promise<string> {
  const res = await fetch(`${vaultUrl}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 1999, currency: 'USD' }),
  });
  const body = (await res.json()) as { client_secret?: string };
  if (res.status !== 201 || !body.client_secret) throw new Error(`POST /v1/sessions answered ${res.status}: ${JSON.stringify(body)}`);
  return body.client_secret;
}

export async function runBrowserBenchmarks(options: BrowserBenchOptions = {}): Promise<Row[]> {
  const runs = Math.max(20, options.runs ?? 20);
  const log = options.log ?? ((line: string) => console.log(line));
  if (!fs.existsSync(CHROMIUM)) throw new Error(`the browser benchmark needs Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  ensureBuilt();
  const checkoutKB = gzipKB('checkout.js');
  const frameKB = gzipKB('frame.js');

  // Three sites, as in production: the vault (localhost), the merchant's page (127.0.0.1) and the
  // bare frame (localhost on another port, another origin than the page, like the vault).
  const [vaultPort, pagePort, barePort] = await Promise.all([freePort(), freePort(), freePort()]);
  const vaultUrl = `http://localhost:${vaultPort}`;
  const pageOrigin = `http://127.0.0.1:${pagePort}`;
  const bareUrl = `http://localhost:${barePort}/bare`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-browser-bench-'));
  const vaultEnv = { PORT: String(vaultPort), HOST: '127.0.0.1', DATA_DIR: dataDir, PUBLIC_URL: vaultUrl, LOG_LEVEL: 'warn', VAULT_KEYS: `bench:${crypto.randomBytes(32).toString('base64')}`, ...LIFTABLE_LIMITS_ENV };

  let vault: Child | undefined;
  let browser: Browser | undefined;
  const servers: http.Server[] = [];
  try {
    const created = await runScript('server/cli/merchant.ts', ['create', '--name', 'Browser bench shop', '--origin', pageOrigin, '--json'], vaultEnv);
    const merchant = JSON.parse(created.trim().split('\n').pop()!) as { id: string; secret_key: string; publishable_key: string };
    vault = startChild('vault', 'server/main.ts', vaultEnv);
    await waitForHttp(vault, `${vaultUrl}/health`);
    await liftRateLimits(vaultUrl, merchant.secret_key);
    servers.push(await listen('127.0.0.1', pagePort, (url) => (url.pathname === '/' ? benchPage(vaultUrl, merchant.publishable_key) : undefined)));
    servers.push(await listen('127.0.0.1', barePort, (url) => (url.pathname === '/bare' ? bareFrame(pageOrigin) : undefined)));
    log(`browser bench: vault ${vaultUrl} (child process, rate limits lifted for merchant ${merchant.id}), merchant page ${pageOrigin}, bare frame ${bareUrl} (a plain node:http server: nothing is added to the vault)`);

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const b = browser;
    const freshPage = async (): Promise<Page> => {
      // A new context per page: an empty HTTP cache, so every run loads frame.js and frame.css anew.
      const context = await b.newContext({ viewport: { width: 900, height: 800 } });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      await page.goto(`${pageOrigin}/`, { waitUntil: 'load' });
      return page;
    };

    // mount() → ready and the bare handshake, interleaved so that both see the same machine.
    const mountMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const bare = await freshPage();
      const bareTime = await bare.evaluate((src) => (window as unknown as { benchBare(s: string): Promise<number> }).benchBare(src), bareUrl);
      await bare.context().close();
      const clientSecret = await createSession(vaultUrl, merchant.secret_key);
      const page = await freshPage();
      const mountTime = await page.evaluate((cs) => (window as unknown as { benchMount(s: string): Promise<number> }).benchMount(cs), clientSecret);
      await page.context().close();
      if (i === 0) continue;
      bareMs.push(bareTime);
      mountMs.push(mountTime);
    }

    // confirm(): a filled 4242 card, a new session each run; only the confirm() call is timed.
    const confirmMs: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const clientSecret = await createSession(vaultUrl, merchant.secret_key);
      const page = await freshPage();
      await page.evaluate((cs) => (window as unknown as { benchMount(s: string): Promise<number> }).benchMount(cs), clientSecret);
      const fields = page.frameLocator('#pay iframe');
      await fields.locator('#cv-number').fill(CARDS.visa);
      await fields.locator('#cv-expiry').fill('12 / 34');
      await fields.locator('#cv-cvc').fill('123');
      const result = await page.evaluate(() => (window as unknown as { benchConfirm(): Promise<{ ms: number; status: string; error?: string }> }).benchConfirm());
      await page.context().close();
      if (result.status !== 'succeeded') throw new Error(`confirm() failed during the benchmark: ${result.error}`);
      if (i > 0) confirmMs.push(result.ms);
    }

    const mount = stats(mountMs);
    const bare = stats(bareMs);
    const confirm = stats(confirmMs);
    log(`  mount() → ready:            ${describe(mount, runs)}`);
    log(`  bare iframe handshake:      ${describe(bare, runs)}`);
    log(`  confirm() round trip:       ${describe(confirm, runs)}`);

    return [
      { name: 'dist/checkout.js gzip', value: checkoutKB, unit: 'KB', budget: `<= ${BUDGET.checkoutKB} KB`, verdict: verdict(checkoutKB, { max: BUDGET.checkoutKB }) },
      { name: 'dist/frame.js gzip', value: frameKB, unit: 'KB', budget: `<= ${BUDGET.frameKB} KB`, verdict: verdict(frameKB, { max: BUDGET.frameKB }) },
      { name: `mount() to ready, cold context (median of ${runs})`, value: mount.median, unit: 'ms', digits: 1, budget: `<= ${BUDGET.mountMs} ms`, verdict: verdict(mount.median, { max: BUDGET.mountMs }) },
      { name: `reference: bare iframe posting one message (median of ${runs})`, value: bare.median, unit: 'ms', digits: 1, budget: '-', verdict: '-' },
      { name: `confirm() round trip, 4242 card (median of ${runs})`, value: confirm.median, unit: 'ms', digits: 1, budget: `<= ${BUDGET.confirmMs} ms`, verdict: verdict(confirm.median, { max: BUDGET.confirmMs }) },
    ];
  } catch (err) {
    if (vault) throw new Error(`${(err as Error).message}\n  vault's last log lines:\n${indent(vault.tail() || '(none)')}`);
    throw err;
  } finally {
    await browser?.close();
    await Promise.all(servers.map(close));
    if (vault) await stopChild(vault);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runBrowserBenchmarks().then(
    (rows) => {
      console.log('');
      printTable(rows, { title: 'Browser (Debian Chromium, headless; sizes are gzip -9 of dist/; timings measured inside the page with performance.now())' });
      const over = rows.filter((r) => r.verdict === 'OVER');
      console.log(`\n${over.length ? `VERDICT: ${over.length} figure(s) OVER budget: ${over.map((r) => r.name).join(', ')}` : 'VERDICT: every browser figure within budget'}`);
      process.exit(0);
    },
    (err: Error) => {
      console.error(`browser bench: ${err.message}`);
      process.exit(1);
    },
  );
}
