// The scrub after deletions: one run for a burst, and never back to back, since a SQLite scrub
// rewrites the file while the vault waits: after a scrub of d ms the vault serves for 2d ms.
import { describe, expect, it } from 'vitest';
import { Scrubber } from '../../server/db/scrubber.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Scrubber', () => {
  it('runs once for a burst of deletions, and leaves twice its own time before the next run', async () => {
    const runs: { start: number; end: number }[] = [];
    const scrubber = new Scrubber(async () => {
      const start = Date.now();
      await sleep(150);
      runs.push({ start, end: Date.now() });
      return true;
    });
    for (let i = 0; i < 5; i++) scrubber.schedule(['cards']);
    await sleep(300);
    // Deletions keep coming while and after it runs.
    for (let i = 0; i < 20; i++) {
      scrubber.schedule(['cards']);
      await sleep(20);
    }
    await sleep(1500);
    await scrubber.stop();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < runs.length; i++) expect(runs[i].start - runs[i - 1].end).toBeGreaterThanOrEqual(2 * (runs[i - 1].end - runs[i - 1].start) - 20);
  });
});
