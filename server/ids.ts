// Ids with a prefix that says what they are, random secrets, and their constant-time comparison.
import crypto from 'node:crypto';

export type IdPrefix = 'cs' | 'card' | 'ch' | 're' | 'mdt' | 'inv' | 'evt' | 'mer' | 'grp' | 'chl' | 'wha' | 'msg' | 'dp' | 'fwd' | 'stf';

/**
 * Random bytes for ids and secrets, drawn from a pool the CSPRNG fills 4 KB at a time: a call to the
 * CSPRNG costs far more than the bytes it returns, and a payment takes about ten of them. Each byte is
 * handed out once and wiped from the pool. Key material (envelope.ts, key-ring.ts) still calls
 * crypto.randomBytes itself.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let taken = 0;

export function randomBytes(n: number): Buffer {
  if (n > POOL_BYTES / 16) return crypto.randomBytes(n);
  if (taken + n > pool.length) {
    pool = crypto.randomBytes(POOL_BYTES);
    taken = 0;
  }
  const out = Buffer.from(pool.subarray(taken, taken + n));
  pool.fill(0, taken, taken + n);
  taken += n;
  return out;
}

let lastMs = 0;
let counter = 0;

/**
 * `prefix_` + a time-ordered part + randomness: ids made one after another sort in that order, even
 * within one millisecond, so lists ordered by (created_at, id) keep insertion order.
 */
export function newId(prefix: IdPrefix): string {
  const now = Date.now();
  counter = now === lastMs ? counter + 1 : 0;
  lastMs = now;
  const ordered = now.toString(36).padStart(9, '0') + counter.toString(36).padStart(3, '0');
  return `${prefix}_${ordered}${randomBytes(9)
    .toString('base64url')
    .replace(/[-_]/g, (c) => (c === '-' ? 'A' : 'B'))}`;
}

export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

// Node's one-shot hash (20.12 and later) costs about a third of a Hash object's; every request hashes its key.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256(value: string): string {
  return oneShot ? oneShot('sha256', value, 'hex') : crypto.createHash('sha256').update(value).digest('hex');
}

/** Compares two secrets (or their hashes) without leaking where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
