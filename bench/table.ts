// The benchmark report: one row per figure, its budget printed beside it, as plain aligned text.

/** `OK` within budget, `OVER` outside it, `-` for a reference figure that has no budget of its own, `skipped` when not measured. */
export type Verdict = 'OK' | 'OVER' | '-' | 'skipped';

/**
 * One measured figure. Kept generic on purpose: server rows are req/s against a ratio budget, and the
 * same table later takes bundle sizes (KB) and browser timings (ms) with budgets of their own.
 */
export interface Row {
  name: string;
  value: number;
  /** `req/s`, `KB`, `ms`… */
  unit: string;
  /** Digits after the point; by default whole numbers from 100 up, two decimals below. */
  digits?: number;
  /** What the budget is checked against when that is not the value itself, e.g. a ratio `0.31`. */
  compare?: string;
  /** The budget in words, e.g. `>= 0.25`, `<= 3 KB`. */
  budget: string;
  verdict: Verdict;
  /** The figure the value is compared with (bare Hono's req/s), in a column of its own; same unit and digits. */
  reference?: number;
  /** A figure shown beside the compared one but not checked against the budget, e.g. CPU time per request. */
  extra?: string;
  /** Why the figure was not measured: the row reads `skipped: <why>` in place of its figures. */
  skipped?: string;
}

export interface TableOptions {
  title?: string;
  /** Header of the `compare` column, e.g. `ratio to bare Hono`; the column is left out when no row has one. */
  compareHeader?: string;
  /** Header of the value column (default: the shared unit) and of the `reference` column. */
  valueHeader?: string;
  referenceHeader?: string;
  /** Header of the `extra` column, which is left out when no row has one. */
  extraHeader?: string;
}

/** The verdict of `value` against a lower bound (throughput) or an upper bound (sizes, timings). */
export function verdict(value: number, bound: { min?: number; max?: number }): Verdict {
  if (bound.min !== undefined && !(value >= bound.min)) return 'OVER';
  if (bound.max !== undefined && !(value <= bound.max)) return 'OVER';
  return 'OK';
}

function formatValue(row: Row, value: number, withUnit: boolean): string {
  if (row.skipped !== undefined) return '-';
  const digits = row.digits ?? (Math.abs(value) >= 100 ? 0 : 2);
  const n = Number.isFinite(value) ? value.toFixed(digits) : String(value);
  return withUnit ? `${n} ${row.unit}` : n;
}

/** Renders rows as an aligned table; numbers are right-aligned, text left-aligned. */
export function formatTable(rows: Row[], options: TableOptions = {}): string {
  // One unit for every row goes into the header (`req/s`); mixed units stay beside each value.
  const units = new Set(rows.map((r) => r.unit));
  const sharedUnit = units.size === 1 ? [...units][0] : undefined;
  const withCompare = rows.some((r) => r.compare !== undefined);
  const withReference = rows.some((r) => r.reference !== undefined);
  const withExtra = rows.some((r) => r.extra !== undefined);

  const header = [
    'benchmark',
    options.valueHeader ?? sharedUnit ?? 'value',
    ...(withReference ? [options.referenceHeader ?? 'reference'] : []),
    ...(withCompare ? [options.compareHeader ?? 'compared'] : []),
    ...(withExtra ? [options.extraHeader ?? 'also'] : []),
    'budget',
    'verdict',
  ];
  const rightAligned = [false, true, ...(withReference ? [true] : []), ...(withCompare ? [true] : []), ...(withExtra ? [true] : []), false, false];
  const body = rows.map((r) => [
    r.name,
    formatValue(r, r.value, !sharedUnit),
    ...(withReference ? [r.reference === undefined ? '-' : formatValue(r, r.reference, !sharedUnit)] : []),
    ...(withCompare ? [r.skipped === undefined ? (r.compare ?? '-') : '-'] : []),
    ...(withExtra ? [r.skipped === undefined ? (r.extra ?? '-') : '-'] : []),
    r.budget,
    r.skipped === undefined ? r.verdict : `skipped: ${r.skipped}`,
  ]);

  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');

  const out: string[] = [];
  if (options.title) out.push(options.title);
  out.push(line(header), rule, ...body.map(line));
  return out.join('\n');
}

export function printTable(rows: Row[], options: TableOptions = {}): void {
  console.log(formatTable(rows, options));
}
