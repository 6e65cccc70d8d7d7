// The generated key ring's file (KEY_FILE): where it lives (never inside DATA_DIR, so that a copy of
// the data directory opens nothing), how it is written (whole or not at all, mode 0600), and moving
// the one that earlier versions generated inside DATA_DIR out of it without ever losing it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where earlier versions generated the key file: inside DATA_DIR. */
export const LEGACY_KEY_FILE = 'master.key';

/** KEY_FILE's default: beside the data directory, not in it (`./data` → `./data.key`). */
export function defaultKeyFile(dataDir: string): string {
  return `${path.resolve(dataDir)}.key`;
}

/** The path with symbolic links of its existing part resolved, so that a link cannot hide the key inside DATA_DIR. */
function realPath(p: string): string {
  const abs = path.resolve(p);
  const parent = path.dirname(abs);
  if (fs.existsSync(abs)) return fs.realpathSync(abs);
  return parent === abs ? abs : path.join(realPath(parent), path.basename(abs));
}

/** True when `file` is `dir` or lies anywhere below it. */
export function isInside(dir: string, file: string): boolean {
  const rel = path.relative(realPath(dir), realPath(file));
  return rel === '' || !(rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel));
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot open a directory; the file itself was synced.
  }
}

/** Writes `content` to a temporary file beside `file`, synced to disk, and returns its name. */
function stage(file: string, content: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return tmp;
}

/**
 * Creates the key file with `content`, or answers false when it exists already (another instance
 * made it first): the file appears whole, never half written.
 */
export function writeNewKeyFile(file: string, content: string): boolean {
  const tmp = stage(file, content);
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  syncDir(path.dirname(file));
  return true;
}

/** Replaces the key file with `content` in one step (rename), mode 0600. */
export function replaceKeyFile(file: string, content: string): void {
  const tmp = stage(file, content);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(path.dirname(file));
}

/**
 * Moves DATA_DIR/master.key, which earlier versions generated, to KEY_FILE: copied and synced, read
 * back, and only then removed from DATA_DIR. A start interrupted in between finds both files alike
 * and finishes the move; two files that differ stop the start, since one of them opens the data.
 */
export function moveLegacyKeyFile(dataDir: string, keyFile: string): { from: string; to: string } | undefined {
  const legacy = path.join(dataDir, LEGACY_KEY_FILE);
  if (!fs.existsSync(legacy)) return undefined;
  if (isInside(dataDir, keyFile)) throw new Error(`KEY_FILE ${keyFile} lies inside DATA_DIR ${dataDir}: a copy of the data directory would carry its key`);
  const content = fs.readFileSync(legacy, 'utf8');
  if (!fs.existsSync(keyFile)) writeNewKeyFile(keyFile, content);
  if (fs.readFileSync(keyFile, 'utf8').trim() !== content.trim()) {
    throw new Error(
      `${legacy} (generated inside DATA_DIR by an earlier version) and KEY_FILE ${keyFile} hold different keys: ` +
        `keep the one that opens this vault's data as KEY_FILE, remove the other, and start again`,
    );
  }
  fs.rmSync(legacy);
  syncDir(dataDir);
  return { from: legacy, to: keyFile };
}
