// Redis for the tests that need it: REDIS_URL names it, each caller gets a key prefix of its own
// (parallel test files never share counters) and removes its keys after. REDIS=required makes its absence fail.
import crypto from 'node:crypto';
import { describe } from 'vitest';
import { Redis } from 'ioredis';

export const redisUrl = process.env.REDIS_URL;
if (!redisUrl && process.env.REDIS === 'required') {
  throw new Error('REDIS=required but REDIS_URL is not set: the Redis tests cannot run');
}

/** Runs the suite with Redis; without it the report says the suite was skipped and why. */
export function describeWithRedis(name: string, suite: (url: string) => void): void {
  if (redisUrl) describe(name, () => suite(redisUrl));
  // The suite's own tests, registered as skipped so that the report counts them (test/skipped-reporter.ts).
  else describe.skip(`${name} skipped: REDIS_URL is not set`, () => suite('redis://REDIS_URL-is-not-set'));
}

/** A fresh key prefix and a function that deletes every key under it. */
export function redisPrefix(url: string): { prefix: string; keys: () => Promise<string[]>; drop: () => Promise<void> } {
  const prefix = `vault-test:${crypto.randomBytes(6).toString('hex')}:`;
  const withClient = async <T>(fn: (r: Redis) => Promise<T>): Promise<T> => {
    const r = new Redis(url, { lazyConnect: true });
    await r.connect();
    try {
      return await fn(r);
    } finally {
      r.disconnect();
    }
  };
  const keys = () =>
    withClient(async (r) => {
      const found: string[] = [];
      for await (const batch of r.scanStream({ match: `${prefix}*`, count: 500 })) found.push(...(batch as string[]));
      return found;
    });
  return {
    prefix,
    keys,
    drop: async () => {
      const found = await keys();
      if (found.length) await withClient((r) => r.del(...found));
    },
  };
}
