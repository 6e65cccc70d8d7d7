// What one `npm run bench` measures, from the environment: the lead narrows it while working on one path.

export const DATABASES = ['sqlite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASES)[number];

/** The vault paths measured on each database; `connectors` are the Stripe and Adyen rows, on SQLite only. */
export const PATHS = ['sessions', 'cards', 'confirm', 'replay', 'mit', 'connectors'] as const;
export type PathName = (typeof PATHS)[number];

export interface BenchOptions {
  /** `server`: the HTTP rows only; `browser`: the browser rows only; `dashboard`: the dashboard's rows only; `all`: every one. */
  only: 'all' | 'server' | 'browser' | 'dashboard';
  databases: DatabaseKind[];
  paths: PathName[];
  /** Measured pairs of 1-s slices per path, after one warm-up pair. */
  pairs: number;
  /** Measured mounts of each frame (and confirm() calls) in the browser rows, after a warm-up. */
  browserRuns: number;
  connections: number;
  /** Where the bench creates (and drops) its PostgreSQL database. */
  adminDatabaseUrl: string;
}

// Five pairs keep a whole run near its time budget; the median of an odd count is one slice's own ratio.
const DEFAULT_PAIRS = 5;
/**
 * A mount's difference from the bare iframe's moves by up to 100 ms from one pair to the next on a
 * busy 2-core machine; over 40 pairs the median's own spread is about 0.7 of what it is over 20 (1/√2).
 */
const DEFAULT_BROWSER_RUNS = 40;

function list<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: readonly T[], hint = ''): T[] {
  if (!value?.trim()) return [...fallback];
  const picked = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = picked.filter((v) => !allowed.includes(v as T));
  if (unknown.length) throw new Error(`${name}=${value}: unknown ${unknown.join(', ')}; use a comma-separated list of ${allowed.join(', ')}${hint}`);
  // The order of the table, whatever the order given.
  return allowed.filter((a) => picked.includes(a));
}

export function benchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const only = env.BENCH_ONLY?.trim() || 'all';
  if (only !== 'all' && only !== 'server' && only !== 'browser' && only !== 'dashboard')
    throw new Error(`BENCH_ONLY=${only}: use server, browser or dashboard (unset: all)`);
  const db = env.BENCH_DB?.trim() || 'both';
  const databases = db === 'both' ? [...DATABASES] : list('BENCH_DB', db, DATABASES, DATABASES, ', or both');
  const pairs = Number(env.BENCH_PAIRS?.trim() || DEFAULT_PAIRS);
  if (!Number.isInteger(pairs) || pairs < 1 || pairs > 60) throw new Error(`BENCH_PAIRS=${env.BENCH_PAIRS}: a whole number of slice pairs from 1 to 60`);
  const browserRuns = Number(env.BENCH_BROWSER_RUNS?.trim() || DEFAULT_BROWSER_RUNS);
  if (!Number.isInteger(browserRuns) || browserRuns < 20 || browserRuns > 200)
    throw new Error(`BENCH_BROWSER_RUNS=${env.BENCH_BROWSER_RUNS}: a whole number of runs from 20 to 200`);
  return {
    only,
    databases,
    paths: list('BENCH_PATHS', env.BENCH_PATHS, PATHS, PATHS),
    pairs,
    browserRuns,
    connections: 20,
    adminDatabaseUrl: env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  };
}
