// The benchmark report: one row per figure, its budget printed beside it, as plain aligned text.

/** `ok` within budget, `OVER` outside it, `-` for a reference figure that has no budget of its own. */
export type Verdict = 'ok' | 'OVER' | '-';

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
}

export interface TableOptions {
  title?: string;
  /** Header of the `compare` column, e.g. `ratio to bare Hono`; the column is left out when no row has one. */
  compareHeader?: string;
}

/** The verdict of `value` against a lower bound (throughput) or an upper bound (sizes, timings). */
export function verdict(value: number, bound: { min?: number; max?: number }): Verdict {
  if (bound.min !== undefined && !(value >= bound.min)) return 'OVER';
  if (bound.max !== undefined && !(value <= bound.max)) return 'OVER';
  return 'ok';
}

function formatValue(row: Row, withUnit: boolean): string {
  const digits = row.digits ?? (Math.abs(row.value) >= 100 ? 0 : 2);
  const n = Number.isFinite(row.value) ? row.value.toFixed(digits) : String(row.value);
  return withUnit ? `${n} ${row.unit}` : n;
}

/** Renders rows as an aligned table; numbers are right-aligned, text left-aligned. */
export function formatTable(rows: Row[], options: TableOptions = {}): string {
  // One unit for every row goes into the header (`req/s`); mixed units stay beside each value.
  const units = new Set(rows.map((r) => r.unit));
  const sharedUnit = units.size === 1 ? [...units][0] : undefined;
  const withCompare = rows.some((r) => r.compare !== undefined);

  const header = ['benchmark', sharedUnit ?? 'value', ...(withCompare ? [options.compareHeader ?? 'compared'] : []), 'budget', 'verdict'];
  const rightAligned = [false, true, ...(withCompare ? [true] : []), false, false];
  const body = rows.map((r) => [r.name, formatValue(r, !sharedUnit), ...(withCompare ? [r.compare ?? '-'] : []), r.budget, r.verdict]);

  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');

  const out: string[] = [];
  if (options.title) out.push(options.title);
  out.push(line(header), rule, ...body.map(line));
  return out.join('\n');
}

export function printTable(rows: Row[], options: TableOptions = {}): void {
  console.log(formatTable(rows, options));
}
