// One slice of load: autocannon against one server for a fixed time, every answer checked, then a pause
// until that server has finished what was still in flight, so that none of its work spills into the next slice.
import autocannon from 'autocannon';

export interface Load {
  name: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  expected: number;
  okBody?: (body: string) => boolean;
  okHeaders?: (headers: Record<string, string | string[]>) => boolean;
  /** Per-request headers and body (a fresh Idempotency-Key, a pooled session) over the fixed ones. */
  next?: () => { headers?: Record<string, string>; body?: string };
  /** How many requests the next slice may send at most, when a pool bounds them. */
  available?: () => number;
  /** Runs before each slice, outside the measured time (tops a pool up); given this load's slices so far. */
  prepare?: (previous: Slice[]) => Promise<void>;
  /** A line on what the load set up along the way, for the log. */
  note?: () => string;
  /** The answering server's CPU time so far in µs (bench/process-cpu.ts), where it can be read. */
  cpu?: () => number | undefined;
}

export interface Slice {
  rps: number;
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  /** The pool gave out before the slice's time was up: its rate is over the shorter time. */
  ranDry: boolean;
  /**
   * The server's own CPU time per answered request, µs, from the slice's start to the end of its drain
   * (so the few requests still in flight at its end are counted in the time, not in the requests).
   */
  cpuPerRequest?: number;
}

/** Longest wait for a server to finish the requests the client abandoned at the end of a slice. */
const MAX_DRAIN_MS = 2000;
/** Response checks stop collecting samples after this many. */
const SAMPLES = 3;

/** What went wrong in one slice: unexpected statuses, bodies or headers, with a few samples. */
class Failures {
  count = 0;
  samples: string[] = [];
  constructor(private readonly load: Load) {}

  check = (status: number, body: string, headers: Record<string, string | string[]>) => {
    const l = this.load;
    if (status === l.expected && (!l.okBody || l.okBody(body)) && (!l.okHeaders || l.okHeaders(headers))) return;
    this.count++;
    if (this.samples.length >= SAMPLES) return;
    this.samples.push(`${status} ${body.slice(0, 300)}${l.okHeaders ? ` (headers ${JSON.stringify(headers).slice(0, 300)})` : ''}`);
  };

  assertClean(what: string, result: autocannon.Result): void {
    if (this.count === 0 && result.errors === 0 && result.timeouts === 0) return;
    throw new Error(
      `${what}: ${this.count} unexpected answers, ${result.errors} errors, ${result.timeouts} timeouts (status ${statuses(result)})` +
        (this.samples.length ? `\n  first ones:\n${this.samples.map((s) => `    ${s}`).join('\n')}` : ''),
    );
  }
}

export function statuses(result: autocannon.Result): string {
  return (
    Object.entries(result.statusCodeStats)
      .map(([code, { count }]) => `${code}×${count}`)
      .join(' ') || 'none'
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `load` over `connections` keep-alive connections for `seconds`, checks every answer, returns the rate. */
export async function runSlice(load: Load, seconds: number, connections: number): Promise<Slice> {
  const failures = new Failures(load);
  const u = new URL(load.url);
  const request: autocannon.Request = {
    method: load.method,
    path: u.pathname + u.search,
    headers: load.headers,
    body: load.body,
    onResponse: (status, body, _context, headers) => failures.check(status, body, headers),
  };
  if (load.next) {
    const next = load.next;
    // autocannon builds each request just before it writes it, so one call here is one request sent.
    request.setupRequest = (req) => {
      const extra = next();
      return { ...req, headers: { ...req.headers, ...extra.headers }, body: extra.body ?? req.body };
    };
  }
  const limit = load.available?.();
  const cpuBefore = load.cpu?.();
  if (limit !== undefined && limit < connections) throw new Error(`${load.name}: only ${limit} requests left in its pool`);
  const result = await autocannon({
    url: u.origin,
    connections,
    duration: seconds,
    timeout: 10,
    // autocannon only notices that its time is up (or its pool spent) on a sample tick: tick often.
    sampleInt: 50,
    requests: [request],
    ...(limit !== undefined ? { maxOverallRequests: limit } : {}),
  });
  failures.assertClean(load.name, result);
  // The requests in flight when the slice ended are still being served: wait about as long as a slow
  // answer took (p99; the max mostly measures a stall of the busy machine), so that their work lands
  // in neither this slice nor the next one.
  await sleep(Math.min(MAX_DRAIN_MS, result.latency.p99 + 20));
  const cpuAfter = load.cpu?.();
  const cpuPerRequest =
    cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0 ? (cpuAfter - cpuBefore) / result.requests.total : undefined;
  return {
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ranDry: limit !== undefined && load.available!() === 0,
    ...(cpuPerRequest !== undefined ? { cpuPerRequest } : {}),
  };
}
