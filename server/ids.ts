// Ids with a prefix that says what they are, and the clock every module asks for the time.
import crypto from 'node:crypto';

export type IdPrefix = 'cs' | 'card' | 'ch' | 're' | 'mdt' | 'inv' | 'evt' | 'mer' | 'grp' | 'chl';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${crypto.randomBytes(12).toString('base64url').replace(/[-_]/g, (c) => (c === '-' ? 'A' : 'B'))}`;
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

export type Clock = () => Date;
