// The fingerprint keys: the HMAC keys of the keyed hashes the vault keeps of a card number (a saved
// card's fingerprint, which finds the number saved again; a 3-D Secure challenge's; an idempotent
// request's digest, whose body may hold a number) and of the key that seals a stored answer. With the
// key, a card's BIN and last four, such a hash gives the number back in a few thousand tries, so the
// key is replaced whenever the key ring is rotated (fingerprint-rotation.ts): whoever kept an old key
// ring and the fingerprint key it opened learns nothing from the hashes made after the rotation.
//
// Each key has a version. Version 1 is the key the vault always had (stored as `fingerprint`); its
// hashes are stored bare. A later version's are tagged `f<version>.` (a base64url hash has no dot), so
// a stored hash names the key that made it: new ones are made with the newest key, and a stored one is
// checked with its own key for as long as anything refers to it.
import crypto from 'node:crypto';

export interface FingerprintKey {
  version: number;
  key: Buffer;
}

const TAGGED = /^f(\d+)\.(.*)$/s;

/** A stored value's key version and its untagged rest. */
export function versionOf(stored: string): { version: number; rest: string } {
  const m = TAGGED.exec(stored);
  return m ? { version: Number(m[1]), rest: m[2] } : { version: 1, rest: stored };
}

/** `value` tagged as made with key `version`; version 1's bare. */
export const tagged = (version: number, value: string): string => (version === 1 ? value : `f${version}.${value}`);

/** The keyed fingerprint of a number, untagged. */
export function fingerprintOf(key: Buffer, groupId: string, number: string): string {
  return crypto.createHmac('sha256', key).update(`${groupId}:${number}`).digest('base64url');
}

export class FingerprintKeys {
  private keys: Map<number, Buffer>;
  private newest: FingerprintKey;
  /** When this process first held the newest key (ms since the epoch). */
  private newestSince = Date.now();

  constructor(keys: readonly FingerprintKey[]) {
    this.keys = new Map();
    this.newest = this.replace(keys);
  }

  /** The key new hashes are made with. */
  get current(): FingerprintKey {
    return this.newest;
  }

  /** The versions held, oldest first. */
  get versions(): number[] {
    return [...this.keys.keys()].sort((a, b) => a - b);
  }

  /** How long this process has made its hashes with the newest key, in ms. */
  heldFor(now = Date.now()): number {
    return now - this.newestSince;
  }

  /** Whether the key a stored value names is held here. */
  holds(stored: string): boolean {
    return this.keys.has(versionOf(stored).version);
  }

  /** The key of a version, if held. */
  get(version: number): Buffer | undefined {
    return this.keys.get(version);
  }

  /** Takes another set of keys (a rotation seen by a serving vault); answers the newest. */
  replace(keys: readonly FingerprintKey[]): FingerprintKey {
    if (keys.length === 0) throw new Error('no fingerprint key');
    this.keys = new Map(keys.map((k) => [k.version, k.key]));
    const version = Math.max(...keys.map((k) => k.version));
    if (version !== this.newest?.version) this.newestSince = Date.now();
    this.newest = { version, key: this.keys.get(version)! };
    return this.newest;
  }

  /** A card's fingerprint as stored: under the newest key, tagged. */
  of(groupId: string, number: string): string {
    return tagged(this.newest.version, fingerprintOf(this.newest.key, groupId, number));
  }

  /** The number's fingerprint under every key held: a card saved under any of them is stored with one of these. */
  every(groupId: string, number: string): string[] {
    return this.versions.map((version) => tagged(version, fingerprintOf(this.keys.get(version)!, groupId, number)));
  }

  /** Whether a stored fingerprint is this number's, under the key it names (false when that key is not held). */
  matches(stored: string | null | undefined, groupId: string, number: string): boolean {
    if (!stored) return false;
    const { version, rest } = versionOf(stored);
    const key = this.keys.get(version);
    return key !== undefined && safeEqual(rest, fingerprintOf(key, groupId, number));
  }

  /** A keyed value made with the newest key by `make`, tagged. */
  make(make: (key: Buffer) => string): string {
    return tagged(this.newest.version, make(this.newest.key));
  }

  /** Whether `stored` is what `make` gives with the key it names. */
  same(stored: string, make: (key: Buffer) => string): boolean {
    const { version, rest } = versionOf(stored);
    const key = this.keys.get(version);
    return key !== undefined && safeEqual(rest, make(key));
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
