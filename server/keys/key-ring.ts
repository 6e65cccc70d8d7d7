// The key ring: versioned 32-byte key-encryption keys from VAULT_KEYS or from the key file (KEY_FILE).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { writeNewKeyFile } from './key-file.ts';

export interface KeyRing {
  /** The newest key: it wraps every new data key. */
  current: { id: string; key: Buffer };
  get(id: string): Buffer | undefined;
  ids: string[];
}

const ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `ID:BASE64_32_BYTES,…`; the last entry is the current key. Throws a message naming the bad entry. */
export function parseKeyRing(spec: string, source = 'VAULT_KEYS'): KeyRing {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error(`${source} holds no key`);
  const keys = new Map<string, Buffer>();
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (colon < 1 || !ID.test(id)) throw new Error(`${source} entry ${i + 1}: the id must be 1-32 of [A-Za-z0-9_-] before a colon`);
    if (key.length !== 32) throw new Error(`${source} entry ${i + 1} (${id}): the key must be 32 bytes in base64`);
    if (keys.has(id)) throw new Error(`${source} entry ${i + 1}: the id ${id} appears twice`);
    keys.set(id, key);
  }
  const ids = [...keys.keys()];
  const currentId = ids[ids.length - 1];
  return { current: { id: currentId, key: keys.get(currentId)! }, get: (id) => keys.get(id), ids };
}

export function formatKeyRing(ring: KeyRing): string {
  return ring.ids.map((id) => `${id}:${ring.get(id)!.toString('base64')}`).join(',');
}

/**
 * VAULT_KEYS when set; otherwise the key file (KEY_FILE, outside DATA_DIR), generated on first use
 * with mode 0600 unless `generate` is false (a command that only reads, a database that already
 * holds data wrapped by the missing file's keys). `onGenerated` is told when a key file had to be
 * made, so the caller can warn. A file-based ring re-reads its file when asked for a version it does
 * not know, so a vault that is serving picks up the key that `npm run keys -- rotate` added.
 */
export function loadKeyRing(options: { vaultKeys?: string; keyFile: string; generate?: boolean; onGenerated?: (file: string) => void }): KeyRing {
  if (options.vaultKeys) return parseKeyRing(options.vaultKeys);
  const file = options.keyFile;
  if (!fs.existsSync(file)) {
    if (options.generate === false) throw new Error(`VAULT_KEYS is not set and the key file ${file} (KEY_FILE) does not exist`);
    if (writeNewKeyFile(file, `k1:${crypto.randomBytes(32).toString('base64')}\n`)) options.onGenerated?.(file);
  }
  let ring = parseKeyRing(fs.readFileSync(file, 'utf8'), file);
  const stamp = () => {
    const st = fs.statSync(file);
    return `${st.mtimeMs}:${st.size}`;
  };
  let seen = stamp();
  let checked = Date.now();
  // At most one stat a second: new cards go under the newest key soon after a rotation. A version it
  // does not know is looked up again at once, but only re-read when the file changed (a rotation
  // grows it), so that cards under a key that left the ring do not cost a read each.
  const fresh = (now = false) => {
    if (!now && Date.now() - checked < 1000) return ring;
    checked = Date.now();
    const current = stamp();
    if (current !== seen) {
      seen = current;
      ring = parseKeyRing(fs.readFileSync(file, 'utf8'), file);
    }
    return ring;
  };
  return {
    get current() {
      return fresh().current;
    },
    get ids() {
      return fresh().ids;
    },
    get(id) {
      return fresh().get(id) ?? fresh(true).get(id);
    },
  };
}

/** Adds a fresh key to the ring and returns the new ring; the id is the next `kN` free. */
export function withNewKey(ring: KeyRing): KeyRing {
  let n = ring.ids.length + 1;
  while (ring.get(`k${n}`)) n++;
  return parseKeyRing(`${formatKeyRing(ring)},k${n}:${crypto.randomBytes(32).toString('base64')}`);
}
