// Runs the database's scrub after card data was destroyed: soon, once for a burst of deletions, one
// at a time, and again (backing off) until it succeeds.
import type { ScrubTable } from './database.ts';

/** A burst of deletions shares one scrub; the contract allows 10 seconds, this takes a fraction. */
const DELAY_MS = 250;
const RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** The contract's bound from a deletion's answer to its scrub. */
const BUDGET_MS = 10_000;

export type ScrubReport = { ok: boolean; ms: number; error?: Error };

export class Scrubber {
  private readonly pending = new Set<ScrubTable>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<boolean>;
  private failures = 0;
  private stopped = false;
  /** Not before this time: after a scrub of d ms the vault serves for 2d ms (a SQLite scrub blocks it). */
  private notBefore = 0;

  constructor(
    private readonly run: (tables: ScrubTable[]) => Promise<boolean>,
    private readonly report?: (report: ScrubReport) => void,
  ) {}

  schedule(tables: ScrubTable[]): void {
    for (const t of tables) this.pending.add(t);
    this.arm(DELAY_MS);
  }

  /** Scrubs now (after a scrub already running) and says whether it succeeded. */
  runNow(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const run = (this.running ?? Promise.resolve(true)).then(() => this.once());
    this.running = run;
    void run.then(() => {
      if (this.running !== run) return;
      this.running = undefined;
      if (this.pending.size) this.arm(Math.min(RETRY_MS * 2 ** Math.max(0, this.failures - 1), MAX_RETRY_MS));
    });
    return run;
  }

  /** No more scrubs after this one: what is still pending is scrubbed before it resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size) await this.runNow();
    else await this.running;
  }

  private arm(delay: number): void {
    if (this.timer || this.running || this.stopped) return;
    delay = Math.max(delay, this.notBefore - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runNow();
    }, delay);
    // A pending scrub does not hold a process open; stop() runs it before the database closes.
    this.timer.unref();
  }

  private async once(): Promise<boolean> {
    const tables: ScrubTable[] = this.pending.size ? [...this.pending] : ['cards'];
    this.pending.clear();
    const started = Date.now();
    let ok = false;
    let error: Error | undefined;
    try {
      ok = await this.run(tables);
    } catch (err) {
      error = err as Error;
    }
    if (ok) this.failures = 0;
    else {
      this.failures++;
      for (const t of tables) this.pending.add(t);
    }
    const ms = Date.now() - started;
    // A burst of deletions cannot keep the vault frozen: twice the scrub's time passes before the next
    // one, yet little enough that a deletion waiting for it is still scrubbed within the 10 seconds.
    this.notBefore = Date.now() + Math.min(2 * ms, Math.max(0, BUDGET_MS - 2 * ms));
    this.report?.({ ok, ms, error });
    return ok;
  }
}
