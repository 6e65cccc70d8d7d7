// `npm run bench`: the vault's hot paths on SQLite and on PostgreSQL against a bare Hono app, in interleaved
// slices, then the browser figures; prints the budget tables and a VERDICT line.
// BENCH_ONLY=server|browser|dashboard, BENCH_DB=sqlite|postgres|both, BENCH_PATHS=sessions,cards,confirm,replay,mit,connectors,
// BENCH_PAIRS=5 (measured slice pairs per path) and BENCH_BROWSER_RUNS=40 (mounts of each frame) narrow or lengthen a run.
import os from 'node:os';
import { bareLoads } from './bare-loads.ts';
import { processCpu } from './process-cpu.ts';
import { runBrowserBenchmarks } from './browser-bench.ts';
import { DASHBOARD_TITLE, dashboardDatabases, runDashboardBenchmarks } from './dashboard-bench.ts';
import { runSlice } from './load.ts';
import { benchOptions, type BenchOptions } from './options.ts';
import { freePort, indent, startChild, stopAll, stopChild, waitForHttp } from './processes.ts';
import { MIN_RATIO, MIT_MIN_RATIO } from './server-bench.ts';
import { printTable, type Row } from './table.ts';
import { benchDatabase, LABELS } from './vault-phase.ts';
import { ensureBuilt } from '../scripts/ensure-built.ts';

const HOST = '127.0.0.1';

function machine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const cpu = cpus[0]?.model.trim() ?? 'unknown cpu';
  const memory = `${(os.totalmem() / 2 ** 30).toFixed(1)} GB`;
  return `machine: ${cpus.length} cores (${cpu}), ${memory}, ${os.platform()} ${os.release()}, node ${process.version}, load average ${load}`;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function serverRows(o: BenchOptions): Promise<Row[]> {
  const barePort = await freePort(HOST);
  const bareUrl = `http://${HOST}:${barePort}`;
  const bare = startChild('bare hono', 'bench/bare-hono.ts', { PORT: String(barePort), HOST });
  await waitForHttp(bare, `${bareUrl}/`);
  // A fresh process needs a few seconds of traffic before it runs at speed; the first path's slices would pay for it.
  const loads = bareLoads(bareUrl, processCpu(bare.proc.pid));
  for (const load of [loads.POST, loads.GET, loads.POST, loads.GET]) await runSlice(load, 1, o.connections);
  const rows: Row[] = [];
  const logs: string[] = [];
  try {
    // One database after the other: each vault has the two cores to itself (and bare Hono, in its turns).
    for (const db of o.databases) {
      const phase = await benchDatabase(db, o, loads, (line) => console.log(line));
      rows.push(...phase.rows);
      if (phase.vaultLog) logs.push(`the ${LABELS[db]} vault logged at warn or above during the run (last lines):\n${indent(phase.vaultLog)}`);
    }
  } finally {
    await stopChild(bare);
  }
  if (o.paths.includes('connectors') && !o.databases.includes('sqlite')) console.log('note: the connector rows run on SQLite only, which BENCH_DB leaves out');

  console.log('');
  const pairs = `${o.pairs} pair${o.pairs === 1 ? '' : 's'}`;
  printTable(rows, {
    title: [
      `Server throughput (autocannon, ${o.connections} connections, one database's vault at a time). Method: per path, 1-s slices of vault and bare`,
      `Hono traffic in turn, a warm-up pair (2 s vault, 1 s bare) thrown away, then ${pairs}; ratio = median of the per-slice ratios (a vault`,
      'slice ÷ the mean of the bare slices either side of it), POST against bare POST, GET against bare GET; req/s = median of the slices.',
      "CPU µs/req: the server process's own CPU time (all its threads) per answered request, median of the slices, vault / bare Hono; not budgeted.",
      `Budget: >= ${MIN_RATIO} of bare Hono; a merchant-initiated charge >= ${MIT_MIN_RATIO} (a connector's local provider server included).`,
      machine(),
    ].join('\n'),
    valueHeader: 'vault req/s',
    referenceHeader: 'bare req/s',
    compareHeader: 'ratio',
    extraHeader: 'CPU µs/req',
  });
  for (const l of logs) console.log(`\n${l}`);
  return rows;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const o = benchOptions();
  console.log(machine());
  const what = o.only === 'all' ? 'server, browser and dashboard' : `${o.only} only`;
  console.log(
    `bench: ${what}; databases ${o.databases.join(', ')}; paths ${o.paths.join(', ')}; ${o.pairs} slice pairs per path; ${o.browserRuns} browser runs`,
  );

  const rows: Row[] = [];
  if (o.only === 'all' || o.only === 'server') {
    rows.push(...(await serverRows(o)));
    console.log(`\nserver rows took ${seconds(t0)}`);
  }
  if (o.only === 'all' || o.only === 'browser') {
    // The browser figures are taken with the load servers stopped, so they do not compete for the cores.
    const t1 = Date.now();
    ensureBuilt();
    console.log('');
    const browserRows = await runBrowserBenchmarks({ log: (line) => console.log(`  ${line}`), runs: o.browserRuns });
    console.log('');
    const title = `Browser (headless Chromium on localhost; timings are medians of ${o.browserRuns} runs, mount() with a cold cache)`;
    printTable(browserRows, { title, compareHeader: 'detail' });
    console.log(`\nbrowser rows took ${seconds(t1)}`);
    rows.push(...browserRows);
  }
  if (o.only === 'all' || o.only === 'dashboard') {
    // SQLite unless BENCH_DB names the databases: seeding 100,000 charges per database takes a while.
    const t2 = Date.now();
    ensureBuilt();
    console.log('');
    const dashboardRows = await runDashboardBenchmarks({ databases: dashboardDatabases(), log: (line) => console.log(`  ${line}`) });
    console.log('');
    printTable(dashboardRows, { title: DASHBOARD_TITLE, compareHeader: 'detail' });
    console.log(`\ndashboard rows took ${seconds(t2)}`);
    rows.push(...dashboardRows);
  }

  console.log(`benchmark took ${seconds(t0)}`);
  const over = rows.filter((r) => r.verdict === 'OVER');
  const skipped = rows.filter((r) => r.verdict === 'skipped');
  const why = [...new Set(skipped.map((r) => r.skipped))].join('; ');
  console.log('');
  console.log(
    (over.length ? `VERDICT: ${over.length} figure(s) OVER budget: ${over.map((r) => r.name).join(', ')}` : 'VERDICT: every figure within budget') +
      (skipped.length ? `; ${skipped.length} figure(s) skipped: ${why}` : ''),
  );
}

main().then(
  () => process.exit(0),
  async (err: Error) => {
    console.error(`\nbench: ${err.message}`);
    await stopAll();
    process.exit(1);
  },
);
