// The HTTP load part: the vault's hot paths and a bare Hono app under the same autocannon load, as table rows.
import autocannon from 'autocannon';
import { verdict, type Row } from './table.ts';
import { CARDS, newCard } from '../test/helpers/test-cards.ts';

export interface ServerBenchOptions {
  /** The vault's base URL; it is also its PUBLIC_URL, which the fields' endpoints require as Origin. */
  vaultUrl: string;
  bareUrl: string;
  secretKey: string;
  /** An origin on the merchant's allowed list, sent as Checkout-Host-Origin. */
  hostOrigin: string;
  /** Seconds per measured run. */
  duration?: number;
  /** Seconds of the run before each measured one, thrown away: JIT, SQLite page cache, sockets. */
  warmup?: number;
  connections?: number;
  log?: (line: string) => void;
}

/** The product's budget: a vault path holds at least this share of a bare Hono app's request rate. */
export const MIN_RATIO = 0.25;
const POOL_FACTOR = 2.5;
const POOL_CAP = 30_000;

const SESSION_BODY = JSON.stringify({ amount: 1999, currency: 'USD' });
const CONFIRM_BODY = JSON.stringify({ card: newCard(CARDS.visa) });
const SAVED_CARDS = [newCard(CARDS.visa), newCard(CARDS.mastercard), newCard(CARDS.amex)];
const CUSTOMER = 'bench-customer-1';

interface Measured {
  name: string;
  method: 'GET' | 'POST';
  rps: number;
  result: autocannon.Result;
}

/** What went wrong in one run: unexpected statuses with a few of their bodies, socket errors, timeouts. */
class Failures {
  count = 0;
  samples: string[] = [];
  constructor(private readonly expected: number) {}
  /** An onResponse hook: autocannon collects every body anyway, so looking at the status costs nothing. */
  check = (status: number, body: string, okBody?: (body: string) => boolean) => {
    if (status === this.expected && (!okBody || okBody(body))) return;
    this.count++;
    if (this.samples.length < 3) this.samples.push(`${status} ${body.slice(0, 300)}`);
  };
}

function statuses(result: autocannon.Result): string {
  return Object.entries(result.statusCodeStats)
    .map(([code, { count }]) => `${code}×${count}`)
    .join(' ');
}

function describe(m: Measured): string {
  const r = m.result;
  return `${m.name}: ${m.rps.toFixed(0)} req/s over ${r.duration}s, latency p50 ${r.latency.p50} ms p99 ${r.latency.p99} ms, status ${statuses(r)}${r.errors ? `, errors ${r.errors}` : ''}${r.timeouts ? `, timeouts ${r.timeouts}` : ''}`;
}

/** The reference as the mean of its two runs. */
function mean(a: Measured, b: Measured): Measured {
  return { ...b, rps: (a.rps + b.rps) / 2 };
}

/** Requests per second over the whole run: robust to a run that ends early when its session pool runs dry. */
function rateOf(result: autocannon.Result): number {
  return result.duration > 0 ? result.requests.total / result.duration : 0;
}

function assertClean(name: string, result: autocannon.Result, failures: Failures): void {
  if (failures.count === 0 && result.errors === 0 && result.timeouts === 0) return;
  throw new Error(
    `${name}: ${failures.count} unexpected responses, ${result.errors} errors, ${result.timeouts} timeouts (status ${statuses(result)})` +
      (failures.samples.length ? `\n  first ones:\n${failures.samples.map((s) => `    ${s}`).join('\n')}` : ''),
  );
}

interface RunSpec {
  name: string;
  method: 'GET' | 'POST';
  url: string;
  expected: number;
  headers?: Record<string, string>;
  body?: string;
  okBody?: (body: string) => boolean;
  /** Gives the next per-request headers (e.g. a fresh client secret); undefined when none is left. */
  nextHeaders?: () => Record<string, string> | undefined;
  /** The most requests a run may send (the size of what `nextHeaders` can still give). */
  maxRequests?: () => number;
}

async function runOnce(spec: RunSpec, duration: number, connections: number): Promise<{ result: autocannon.Result; failures: Failures }> {
  const failures = new Failures(spec.expected);
  const u = new URL(spec.url);
  const request: autocannon.Request = {
    method: spec.method,
    path: u.pathname,
    headers: spec.headers,
    body: spec.body,
    onResponse: (status, body) => failures.check(status, body, spec.okBody),
  };
  if (spec.nextHeaders) {
    const next = spec.nextHeaders;
    // autocannon calls this once for each request it sends; maxOverallRequests below keeps it from asking
    // for more than the pool holds (a falsy return would make autocannon throw on a single-request list).
    request.setupRequest = (req) => {
      const extra = next();
      if (!extra) throw new Error(`${spec.name}: the pool ran dry`);
      req.headers = { ...req.headers, ...extra };
      return req;
    };
  }
  const limit = spec.maxRequests?.();
  if (limit !== undefined && limit < connections) throw new Error(`${spec.name}: only ${limit} requests left to send`);
  const result = await autocannon({
    url: `${u.origin}`,
    connections,
    duration,
    timeout: 10,
    requests: [request],
    ...(limit !== undefined ? { maxOverallRequests: limit } : {}),
  });
  return { result, failures };
}

async function measure(spec: RunSpec, o: Required<Omit<ServerBenchOptions, 'log'>> & { log: (l: string) => void }): Promise<Measured> {
  const warm = await runOnce(spec, o.warmup, o.connections);
  assertClean(`${spec.name} (warm-up)`, warm.result, warm.failures);
  const { result, failures } = await runOnce(spec, o.duration, o.connections);
  assertClean(spec.name, result, failures);
  const m: Measured = { name: spec.name, method: spec.method, rps: rateOf(result), result };
  o.log(`  ${describe(m)}`);
  return m;
}

async function call(url: string, init: { method: string; headers: Record<string, string>; body?: unknown }): Promise<any> {
  const res = await fetch(url, { method: init.method, headers: { 'content-type': 'application/json', ...init.headers }, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** The operator's settings that let a merchant lift the fields' limits, which production keeps under a ceiling. */
export const LIFTABLE_LIMITS_ENV = { FIELDS_MAX_PER_ADDRESS: 'none', FIELDS_MAX_PER_MERCHANT: 'none' };

/** The benchmark's own merchant may go as fast as the machine allows: its 429s would measure the limiter. */
export async function liftRateLimits(vaultUrl: string, secretKey: string): Promise<void> {
  const merchant = await call(`${vaultUrl}/v1/merchant`, { method: 'POST', headers: { authorization: `Bearer ${secretKey}` }, body: { rate_limit: 0, frame_limit_per_address: 0 } });
  if (merchant.rate_limit !== 0 || merchant.frame_limit_per_address !== 0) throw new Error(`the merchant's limits were not lifted: ${JSON.stringify(merchant)}`);
}

/** Opens `count` sessions under autocannon (far quicker than fetch in a loop) and returns their client secrets. */
async function openSessions(o: ServerBenchOptions & { connections: number }, count: number): Promise<string[]> {
  const secrets: string[] = [];
  const failures = new Failures(201);
  const result = await autocannon({
    url: o.vaultUrl,
    connections: o.connections,
    amount: count,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/v1/sessions',
        headers: { authorization: `Bearer ${o.secretKey}`, 'content-type': 'application/json' },
        body: SESSION_BODY,
        onResponse: (status, body) => {
          failures.check(status, body);
          if (status === 201) secrets.push(JSON.parse(body).client_secret);
        },
      },
    ],
  });
  assertClean('opening the session pool', result, failures);
  return secrets;
}

/** Saves three cards for one customer the way a shopper does: a session with the customer, confirm with save. */
async function saveThreeCards(o: ServerBenchOptions): Promise<void> {
  for (const card of SAVED_CARDS) {
    const session = await call(`${o.vaultUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${o.secretKey}` }, body: { amount: 1999, currency: 'USD', customer: CUSTOMER } });
    const confirmed = await call(`${o.vaultUrl}/frame/v1/confirm`, { method: 'POST', headers: frameHeaders(o, session.client_secret), body: { card, save: true } });
    if (confirmed.status !== 'succeeded' || !confirmed.saved) throw new Error(`card ${card.number.slice(-4)} was not saved: ${JSON.stringify(confirmed)}`);
  }
  const list = await call(`${o.vaultUrl}/v1/customers/${CUSTOMER}/cards`, { method: 'GET', headers: { authorization: `Bearer ${o.secretKey}` } });
  if (list.data?.length !== 3) throw new Error(`expected 3 saved cards, the list has ${list.data?.length}: ${JSON.stringify(list)}`);
}

function frameHeaders(o: ServerBenchOptions, clientSecret: string): Record<string, string> {
  return { origin: o.vaultUrl, 'checkout-host-origin': o.hostOrigin, authorization: `Bearer ${clientSecret}`, 'content-type': 'application/json' };
}

/** Runs every server benchmark and returns the table rows: the vault's paths with their ratio, then the reference. */
export async function runServerBenchmarks(options: ServerBenchOptions): Promise<Row[]> {
  const o = { duration: 5, warmup: 1, connections: 10, log: (l: string) => console.log(l), ...options };
  const json = { 'content-type': 'application/json' };
  const secret = { authorization: `Bearer ${o.secretKey}` };

  // The reference is measured before and after the vault and averaged: on a shared machine one run alone
  // swings by half, and the first run of a process also pays for its own JIT.
  const bareSpecs = {
    POST: { name: 'bare Hono POST / (JSON body)', method: 'POST', url: `${o.bareUrl}/`, expected: 200, headers: json, body: SESSION_BODY },
    GET: { name: 'bare Hono GET /', method: 'GET', url: `${o.bareUrl}/`, expected: 200 },
  } satisfies Record<string, RunSpec>;
  o.log('bare Hono (reference, run 1 of 2)');
  const barePost1 = await measure(bareSpecs.POST, o);
  const bareGet1 = await measure(bareSpecs.GET, o);

  o.log('vault');
  const sessions = await measure({ name: 'POST /v1/sessions', method: 'POST', url: `${o.vaultUrl}/v1/sessions`, expected: 201, headers: { ...secret, ...json }, body: SESSION_BODY }, o);

  // Each confirmation spends one open session, so the pool must outlast warm-up plus run: sized from the
  // rate sessions open at, which a confirmation (more work) should not beat.
  const poolSize = Math.min(POOL_CAP, Math.max(10 * o.connections, Math.ceil(POOL_FACTOR * sessions.rps * (o.duration + o.warmup))));
  const started = Date.now();
  const pool = await openSessions(o, poolSize);
  o.log(`  opened a pool of ${pool.length} sessions for the confirm benchmark in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let taken = 0;
  const confirmSpec: RunSpec = {
    name: 'POST /frame/v1/confirm (new card)',
    method: 'POST',
    url: `${o.vaultUrl}/frame/v1/confirm`,
    expected: 200,
    headers: { origin: o.vaultUrl, 'checkout-host-origin': o.hostOrigin, ...json },
    body: CONFIRM_BODY,
    okBody: (body) => body.includes('"status":"succeeded"'),
    nextHeaders: () => (taken < pool.length ? { authorization: `Bearer ${pool[taken++]}` } : undefined),
    maxRequests: () => pool.length - taken,
  };
  const confirm = await measure(confirmSpec, o);
  if (taken >= pool.length) o.log(`  note: the confirm run used the whole pool (${pool.length}) and ended after ${confirm.result.duration}s; its rate is over that time`);

  await saveThreeCards(o);
  const cards = await measure({ name: `GET /v1/customers/:c/cards (3 cards)`, method: 'GET', url: `${o.vaultUrl}/v1/customers/${CUSTOMER}/cards`, expected: 200, headers: secret, okBody: (b) => b.includes('"last4"') }, o);

  o.log('bare Hono (reference, run 2 of 2)');
  const barePost = mean(barePost1, await measure(bareSpecs.POST, o));
  const bareGet = mean(bareGet1, await measure(bareSpecs.GET, o));
  const reference = { POST: barePost.rps, GET: bareGet.rps };
  const vaultRow = (m: Measured): Row => {
    const ratio = m.rps / reference[m.method];
    return { name: m.name, value: m.rps, unit: 'req/s', digits: 0, compare: ratio.toFixed(2), budget: `>= ${MIN_RATIO}`, verdict: verdict(ratio, { min: MIN_RATIO }) };
  };
  const bareRow = (m: Measured): Row => ({ name: `${m.name}, mean of 2`, value: m.rps, unit: 'req/s', digits: 0, compare: '1.00', budget: 'reference', verdict: '-' });
  return [vaultRow(sessions), vaultRow(confirm), vaultRow(cards), bareRow(barePost), bareRow(bareGet)];
}
