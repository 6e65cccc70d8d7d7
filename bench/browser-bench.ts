// The browser side of the budget: the gzip size of checkout.js and frame.js, mount() to `ready` in a
// cold browser context beside a bare iframe doing the same hand-shake (hello, the client secret by
// message, one fetch of the session, ready) under the fields' own headers, and the confirm() round
// trip, measured in Debian's Chromium against a vault child process. `npx tsx bench/browser-bench.ts`
// runs it alone and prints its rows.
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

const ALL_WITHIN = 'VERDICT: every browser figure within budget';

const ROOT = path.resolve(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const BUDGET = { checkoutKB: 5, frameKB: 18, mountMs: 150, overBareMs: 30, confirmMs: 100 };

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

const describe = (st: Stats, n: number) =>
  `median ${st.median.toFixed(1)} ms, p90 ${st.p90.toFixed(1)}, min ${st.min.toFixed(1)}, max ${st.max.toFixed(1)} over ${n} runs`;

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
  // The reference: an iframe with the fields' attributes whose page does the fields' hand-shake and
  // nothing else: hello, the client secret back by message, one fetch of the session, ready.
  window.benchBare = (src, clientSecret) => Promise.race([within(10000, 'the bare frame\\'s ready'), new Promise((resolve, reject) => {
    const t0 = performance.now();
    const frame = document.createElement('iframe');
    const origin = new URL(src).origin;
    addEventListener('message', function heard(event) {
      if (event.source !== frame.contentWindow || event.origin !== origin) return;
      if (event.data === 'bare:hello') return frame.contentWindow.postMessage(JSON.stringify({ clientSecret }), origin);
      removeEventListener('message', heard);
      if (event.data === 'bare:ready') resolve(performance.now() - t0);
      else reject(new Error('the bare frame could not read its session: ' + event.data));
    });
    frame.src = src;
    frame.setAttribute('allow', 'payment');
    frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox');
    document.getElementById('pay').appendChild(frame);
  })]);
</script></body></html>`;
}

/** The bare frame's script: inline, the least a page can do to run the hand-shake (its hash joins the fields' policy). */
function bareScript(pageOrigin: string): string {
  const host = JSON.stringify(pageOrigin);
  return `addEventListener('message', async (e) => {
  if (e.source !== parent || e.origin !== ${host}) return;
  const { clientSecret } = JSON.parse(e.data);
  const headers = { authorization: 'Bearer ' + clientSecret, 'checkout-host-origin': ${host}, 'content-type': 'application/json' };
  const res = await fetch('/frame/v1/session', { method: 'POST', headers, body: '{"locale":"en"}' });
  const session = await res.json();
  parent.postMessage(session.status === 'open' ? 'bare:ready' : 'bare:' + res.status, ${host});
});
parent.postMessage('bare:hello', ${host});`;
}

/**
 * The bare frame's site: its page with the headers the vault sends with the fields' page (the same
 * Content-Security-Policy plus the inline script's hash), and POST /frame/v1/session forwarded to the
 * vault, so the one fetch does the same work on the same server. The forward names the vault's own
 * origin, as the fields' request does; it costs a loopback hop the fields do not pay.
 */
async function bareSite(vaultUrl: string, pageOrigin: string, publishableKey: string) {
  const script = bareScript(pageOrigin);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title></head><body><script>${script}</script></body></html>`;
  const hash = crypto.createHash('sha256').update(script).digest('base64');
  const fields = await fetch(`${vaultUrl}/frame?pk=${encodeURIComponent(publishableKey)}&origin=${encodeURIComponent(pageOrigin)}`);
  await fields.arrayBuffer();
  if (fields.status !== 200) throw new Error(`GET /frame answered ${fields.status}`);
  const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
  for (const name of ['content-security-policy', 'cache-control', 'x-content-type-options', 'referrer-policy']) {
    const value = fields.headers.get(name);
    if (value) headers[name] = value;
  }
  const csp = headers['content-security-policy'] ?? '';
  if (!/script-src [^;]*'self'/.test(csp)) throw new Error(`unexpected policy of the fields' page: ${csp}`);
  headers['content-security-policy'] = csp.replace(/script-src /, `script-src 'sha256-${hash}' `);
  const agent = new http.Agent({ keepAlive: true });
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://bare');
    if (req.method === 'GET' && url.pathname === '/bare') return void res.writeHead(200, headers).end(html);
    if (req.method !== 'POST' || url.pathname !== '/frame/v1/session') return void res.writeHead(404).end();
    const to = {
      host: '127.0.0.1',
      port: new URL(vaultUrl).port,
      path: '/frame/v1/session',
      method: 'POST',
      agent,
      headers: { ...req.headers, origin: vaultUrl },
    };
    const forward = http.request(to, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  };
}

async function listen(host: string, port: number, handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

const close = (server: http.Server) =>
  new Promise<void>((resolve) => {
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
  const vaultEnv = {
    PORT: String(vaultPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    PUBLIC_URL: vaultUrl,
    LOG_LEVEL: 'warn',
    VAULT_KEYS: `bench:${crypto.randomBytes(32).toString('base64')}`,
    ...LIFTABLE_LIMITS_ENV,
  };

  let vault: Child | undefined;
  let browser: Browser | undefined;
  const servers: http.Server[] = [];
  try {
    const created = await runScript('server/cli/merchant.ts', ['create', '--name', 'Browser bench shop', '--origin', pageOrigin, '--json'], vaultEnv);
    const merchant = JSON.parse(created.trim().split('\n').pop()!) as { id: string; secret_key: string; publishable_key: string };
    vault = startChild('vault', 'server/main.ts', vaultEnv);
    await waitForHttp(vault, `${vaultUrl}/health`);
    await liftRateLimits(vaultUrl, merchant.secret_key);
    const page = benchPage(vaultUrl, merchant.publishable_key);
    servers.push(
      await listen('127.0.0.1', pagePort, (req, res) => {
        if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
        else res.writeHead(404).end();
      }),
    );
    servers.push(await listen('127.0.0.1', barePort, await bareSite(vaultUrl, pageOrigin, merchant.publishable_key)));
    log(
      `browser bench: vault ${vaultUrl} (child process, rate limits lifted for merchant ${merchant.id}), merchant page ${pageOrigin}, ` +
        `bare frame ${bareUrl} (a plain node:http server forwarding its one fetch to the vault: nothing is added to the vault)`,
    );

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
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

    // mount() → ready and the bare hand-shake, interleaved (and taking turns at going first) so that
    // both see the same machine; each run's difference is kept too, as load comes and goes in bursts.
    const mountMs: number[] = [];
    const bareMs: number[] = [];
    const overBareMs: number[] = [];
    const timeBare = async () => {
      const clientSecret = await createSession(vaultUrl, merchant.secret_key);
      const page = await freshPage();
      const bench = (args: string[]) => (window as unknown as { benchBare(s: string, c: string): Promise<number> }).benchBare(args[0], args[1]);
      const ms = await page.evaluate(bench, [bareUrl, clientSecret]);
      await page.context().close();
      return ms;
    };
    const timeMount = async () => {
      const clientSecret = await createSession(vaultUrl, merchant.secret_key);
      const page = await freshPage();
      const ms = await page.evaluate((cs) => (window as unknown as { benchMount(s: string): Promise<number> }).benchMount(cs), clientSecret);
      await page.context().close();
      return ms;
    };
    for (let i = 0; i <= runs; i++) {
      let bareTime: number;
      let mountTime: number;
      if (i % 2) {
        bareTime = await timeBare();
        mountTime = await timeMount();
      } else {
        mountTime = await timeMount();
        bareTime = await timeBare();
      }
      if (i === 0) continue;
      bareMs.push(bareTime);
      mountMs.push(mountTime);
      overBareMs.push(mountTime - bareTime);
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
      const result = await page.evaluate(() =>
        (window as unknown as { benchConfirm(): Promise<{ ms: number; status: string; error?: string }> }).benchConfirm(),
      );
      await page.context().close();
      if (result.status !== 'succeeded') throw new Error(`confirm() failed during the benchmark: ${result.error}`);
      if (i > 0) confirmMs.push(result.ms);
    }

    const mount = stats(mountMs);
    const bare = stats(bareMs);
    const overBare = stats(overBareMs);
    const confirm = stats(confirmMs);
    log(`  mount() → ready:            ${describe(mount, runs)}`);
    log(`  bare iframe hand-shake:     ${describe(bare, runs)}`);
    log(`  each run's difference:      ${describe(overBare, runs)}`);
    log(`  confirm() round trip:       ${describe(confirm, runs)}`);

    return [
      {
        name: 'dist/checkout.js gzip',
        value: checkoutKB,
        unit: 'KB',
        budget: `<= ${BUDGET.checkoutKB} KB`,
        verdict: verdict(checkoutKB, { max: BUDGET.checkoutKB }),
      },
      { name: 'dist/frame.js gzip', value: frameKB, unit: 'KB', budget: `<= ${BUDGET.frameKB} KB`, verdict: verdict(frameKB, { max: BUDGET.frameKB }) },
      {
        name: `mount() to ready, cold context (median of ${runs})`,
        value: mount.median,
        unit: 'ms',
        digits: 1,
        budget: `<= ${BUDGET.mountMs} ms`,
        verdict: verdict(mount.median, { max: BUDGET.mountMs }),
      },
      { name: `reference: bare iframe, same hand-shake and fetch (median of ${runs})`, value: bare.median, unit: 'ms', digits: 1, budget: '-', verdict: '-' },
      // The median of the paired differences: steadier on a busy machine than the difference of the medians.
      {
        name: `mount() to ready above the bare iframe (median of ${runs} pairs)`,
        value: overBare.median,
        unit: 'ms',
        digits: 1,
        budget: `<= ${BUDGET.overBareMs} ms`,
        verdict: verdict(overBare.median, { max: BUDGET.overBareMs }),
      },
      {
        name: `confirm() round trip, 4242 card (median of ${runs})`,
        value: confirm.median,
        unit: 'ms',
        digits: 1,
        budget: `<= ${BUDGET.confirmMs} ms`,
        verdict: verdict(confirm.median, { max: BUDGET.confirmMs }),
      },
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
      console.log(`\n${over.length ? `VERDICT: ${over.length} figure(s) OVER budget: ${over.map((r) => r.name).join(', ')}` : ALL_WITHIN}`);
      process.exit(0);
    },
    (err: Error) => {
      console.error(`browser bench: ${err.message}`);
      process.exit(1);
    },
  );
}
