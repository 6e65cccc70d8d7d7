// The shop of docs/guide.md, built from the guide's own code blocks as a reader copies them: each
// JavaScript block into the file its first line names, the page into checkout.html, in a folder where
// `card-vault` is installed as `npm install /path/to/the/clone` installs it (a link to the clone).
// Its server and scripts run as real Node processes; its shell blocks run in the clone.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt } from '../../scripts/ensure-built.ts';
import { codeBlock, codeBlocks } from './markdown.ts';
import { freePort } from './vault-process.ts';

export { freePort };

export const GUIDE = 'docs/guide.md';
const root = path.resolve(import.meta.dirname, '../..');

/** What the guide's page names that a reader replaces: the vault's address and the publishable key. */
export const PAGE_PLACEHOLDERS = { vault: 'http://localhost:4000', key: 'pk_test_…' };

export interface GuideShop {
  dir: string;
  /** `node FILE ARGS` in the shop's folder: what it printed, or a rejection with its stderr. */
  run(file: string, args: string[], env: Record<string, string>): Promise<string>;
  /** `node server.mjs` on `port` (default a free one), listening as the guide's PORT says; its output is kept. */
  serve(env: Record<string, string>, port?: number): Promise<ShopServer>;
  close(): Promise<void>;
}

export interface ShopServer {
  url: string;
  output: string[];
  /** Resolves with the first line of output that matches, within 15 s. */
  waitFor(pattern: RegExp): Promise<string>;
  close(): Promise<void>;
}

/** The file a JavaScript block of the guide is, from its first line (`// server.mjs`). */
function fileOf(code: string): string {
  const name = /^\/\/ ([\w-]+\.mjs)\n/.exec(code)?.[1];
  if (!name) throw new Error(`${GUIDE}: a js block does not start with its file name: ${code.slice(0, 60)}`);
  return name;
}

/** The files the guide's JavaScript blocks make, by name. */
export function guideScripts(): Record<string, string> {
  return Object.fromEntries(
    codeBlocks(GUIDE)
      .filter((b) => b.lang === 'js')
      .map((b) => [fileOf(b.code), b.code]),
  );
}

/** The guide's page with the vault's address and the publishable key replaced, as the reader would. */
export function guidePage(vault: string, publishableKey: string): string {
  const page = codeBlock(GUIDE, '## 3.', 'html');
  for (const placeholder of Object.values(PAGE_PLACEHOLDERS)) {
    if (!page.includes(placeholder)) throw new Error(`${GUIDE}: the page no longer names ${placeholder}`);
  }
  return page.replaceAll(PAGE_PLACEHOLDERS.vault, vault).replaceAll(PAGE_PLACEHOLDERS.key, publishableKey);
}

/** A guide's shell block run with bash in the clone, on the vault storage `env` names; what it printed on stdout. */
export function runShellBlock(code: string, env: Record<string, string>): Promise<string> {
  return collect(spawn('bash', ['-e', '-c', code], { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...env } }));
}

function collect(child: ChildProcess): Promise<string> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}\n${err}\n${out}`)))));
}

export async function buildGuideShop(page: { vault: string; publishableKey: string }): Promise<GuideShop> {
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-shop-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(root, path.join(dir, 'node_modules', 'card-vault'), 'dir');
  for (const [file, code] of Object.entries(guideScripts())) fs.writeFileSync(path.join(dir, file), code);
  fs.writeFileSync(path.join(dir, 'checkout.html'), guidePage(page.vault, page.publishableKey));
  const servers: ChildProcess[] = [];
  const node = (args: string[], env: Record<string, string>) => spawn(process.execPath, args, { cwd: dir, env: { ...process.env, ...env } });

  return {
    dir,
    run: (file, args, env) => collect(node([file, ...args], env)),
    serve: async (env, port) => {
      port ??= await freePort();
      const child = node(['server.mjs'], { ...env, PORT: String(port) });
      servers.push(child);
      const output: string[] = [];
      child.stdout!.on('data', (d) => output.push(...String(d).split('\n').filter(Boolean)));
      child.stderr!.on('data', (d) => output.push(...String(d).split('\n').filter(Boolean)));
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        if (
          await fetch(`${url}/`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        if (child.exitCode !== null || i > 150) throw new Error(`the guide's server did not start:\n${output.join('\n')}`);
        await sleep(100);
      }
      return {
        url,
        output,
        waitFor: async (pattern) => {
          for (let i = 0; i < 150; i++) {
            const line = output.find((l) => pattern.test(l));
            if (line) return line;
            await sleep(100);
          }
          throw new Error(`the guide's server never printed ${pattern}; it printed:\n${output.join('\n')}`);
        },
        close: () => stop(child),
      };
    },
    close: async () => {
      await Promise.all(servers.map(stop));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
