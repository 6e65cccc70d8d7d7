// The method: 1-s slices of vault traffic and bare Hono traffic taken in turn, so that both see the same
// machine (a shared 2-core box swings by half within a minute); each vault slice is compared with the bare
// slices beside it, and the figure is the median of those per-slice ratios.
import { runSlice, type Load, type Slice } from './load.ts';
import { verdict, type Row } from './table.ts';

export interface InterleaveOptions {
  /** Measured pairs, after one warm-up pair that is thrown away. */
  pairs: number;
  connections: number;
  sliceSeconds?: number;
  /** The warm-up pair's vault slice: a path's first requests run cold (JIT, caches), and 1 s holds few of them. */
  warmupSeconds?: number;
  log: (line: string) => void;
}

export interface Interleaved {
  /** Medians of the measured slices' req/s. */
  vaultRps: number;
  bareRps: number;
  /** Median of the per-slice ratios. */
  ratio: number;
  ratios: number[];
  /** Medians of the slices' CPU time per request in µs, of the vault's process and of bare Hono's, where /proc could be read. */
  vaultCpu?: number;
  bareCpu?: number;
  vault: Slice[];
  bare: Slice[];
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
export const formatRatio = (r: number) => (r < 0.1 ? r.toFixed(3) : r.toFixed(2));

/**
 * vault (2 s), bare (the warm-up pair, thrown away), then vault₁ bare₁ … vaultₙ bareₙ of 1 s each. vaultᵢ is divided by the mean of
 * bareᵢ₋₁ and bareᵢ (bare₁ alone for the first), the bare slices on either side of it.
 */
export async function interleave(vault: Load, bare: Load, o: InterleaveOptions): Promise<Interleaved> {
  const seconds = o.sliceSeconds ?? 1;
  const vaultSlices: Slice[] = [];
  const bareSlices: Slice[] = [];
  const slice = async (load: Load, done: Slice[], time = seconds) => {
    await load.prepare?.(done);
    done.push(await runSlice(load, time, o.connections));
  };
  await slice(vault, vaultSlices, o.warmupSeconds ?? 2 * seconds);
  await slice(bare, bareSlices);
  for (let i = 0; i < o.pairs; i++) {
    await slice(vault, vaultSlices);
    await slice(bare, bareSlices);
  }
  const v = vaultSlices.slice(1);
  const b = bareSlices.slice(1);
  const ratios = v.map((s, i) => s.rps / (i === 0 ? b[0].rps : (b[i - 1].rps + b[i].rps) / 2));
  const m: Interleaved = { vaultRps: median(v.map((s) => s.rps)), bareRps: median(b.map((s) => s.rps)), ratio: median(ratios), ratios, vault: v, bare: b };

  const dry = v.filter((s) => s.ranDry).length;
  const cpu = (slices: Slice[]) => {
    const each = slices.map((s) => s.cpuPerRequest).filter((c): c is number => c !== undefined);
    return each.length === slices.length ? median(each) : undefined;
  };
  const [vaultCpu, bareCpu] = [cpu(v), cpu(b)];
  m.vaultCpu = vaultCpu;
  m.bareCpu = bareCpu;
  o.log(
    `  ${vault.name}: vault ${fmt(m.vaultRps)} req/s (slices ${v.map((s) => fmt(s.rps)).join(' ')}; p50 ${median(v.map((s) => s.p50))} ms, ` +
      `p99 ${median(v.map((s) => s.p99))} ms), bare ${bare.method} ${fmt(m.bareRps)} req/s (slices ${b.map((s) => fmt(s.rps)).join(' ')}); ` +
      `ratios ${ratios.map(formatRatio).join(' ')} → median ${formatRatio(m.ratio)}` +
      (vaultCpu !== undefined && bareCpu !== undefined
        ? `; CPU per request: vault ${vaultCpu.toFixed(0)} µs (slices ${v.map((s) => s.cpuPerRequest!.toFixed(0)).join(' ')}), bare ${bareCpu.toFixed(0)} µs`
        : '') +
      (vault.note ? `; ${vault.note()}` : '') +
      (dry ? `; note: ${dry} slice(s) spent the whole session pool before their second was up, their rate is over the shorter time` : ''),
  );
  return m;
}

/** A table row: the vault's median req/s beside bare Hono's, and the median ratio against the budget. */
export function ratioRow(name: string, m: Interleaved, min: number): Row {
  return {
    name,
    value: m.vaultRps,
    reference: m.bareRps,
    unit: 'req/s',
    digits: 0,
    compare: formatRatio(m.ratio),
    ...(m.vaultCpu !== undefined && m.bareCpu !== undefined ? { extra: `${m.vaultCpu.toFixed(0)} / ${m.bareCpu.toFixed(0)}` } : {}),
    budget: `>= ${min}`,
    verdict: verdict(m.ratio, { min }),
  };
}

export function skippedRow(name: string, min: number, why: string): Row {
  return { name, value: NaN, unit: 'req/s', budget: `>= ${min}`, verdict: 'skipped', skipped: why };
}
