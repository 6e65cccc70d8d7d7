// Ids with a prefix that says what they are, random secrets, and their constant-time comparison.
import crypto from 'node:crypto';

export type IdPrefix = 'cs' | 'card' | 'ch' | 're' | 'mdt' | 'inv' | 'evt' | 'mer' | 'grp' | 'chl' | 'wha' | 'msg' | 'dp' | 'fwd';

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
  return `${prefix}_${ordered}${crypto
    .randomBytes(9)
    .toString('base64url')
    .replace(/[-_]/g, (c) => (c === '-' ? 'A' : 'B'))}`;
}

export function randomSecret(bytes = 24): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

/** Compares two secrets (or their hashes) without leaking where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
