// What an attacker who copies the vault's storage, or an operator running its CLI, would see: the
// project's CLIs run as real processes on a test vault's storage, every row of every table as text,
// and every byte of the data directory.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { DbTarget } from './databases.ts';
import type { TestVault } from './test-vault.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** `npm run <cli>` on the vault's storage (its data directory, key file or PostgreSQL database). */
export function runCli(v: TestVault, script: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return run(v, path.join(root, 'node_modules/.bin/tsx'), [script, ...args]);
}

/** `npm run -s NAME -- ARGS` against the test vault's storage, as the README tells an operator to pipe it. */
export function runNpmScript(v: TestVault, name: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return run(v, 'npm', ['run', '-s', name, '--', ...args]);
}

function run(v: TestVault, command: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: v.dataDir, KEY_FILE: v.keyFile, LOG_LEVEL: 'silent' };
  // The operator's shell has the vault's own keys: VAULT_KEYS when the vault was started with them.
  delete env.VAULT_KEYS;
  if (v.vaultKeys) env.VAULT_KEYS = v.vaultKeys;
  delete env.PUBLIC_URL;
  if (v.databaseUrl) env.DATABASE_URL = v.databaseUrl;
  else delete env.DATABASE_URL;
  const child = spawn(command, args, { cwd: root, env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

/** Every row of every table, as text: what someone who copies the database would read. */
export async function everyRow(v: TestVault, target: DbTarget, mustHold: string): Promise<string> {
  const db = v.runtime.deps.db;
  const tables =
    target === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)).rows.map(
          (r) => r.name,
        );
  expect(tables).toContain(mustHold);
  let text = '';
  for (const t of tables) text += JSON.stringify((await sql`select * from ${sql.table(t)}`.execute(db)).rows);
  return text;
}

/**
 * Every byte of the data directory (the SQLite file and its write-ahead log included), read by another
 * process: closing a descriptor of the database file in this one would drop the running vault's POSIX
 * locks on it, and a CLI writing next to it would then corrupt it.
 */
export function dataDirBytes(dir: string): Buffer {
  const files = fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
  expect(files.map((f) => path.basename(f))).toContain('vault.db');
  return execFileSync('cat', files, { maxBuffer: 1 << 30 });
}
