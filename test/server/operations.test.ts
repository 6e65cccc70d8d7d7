// The vault as an operator runs it: a real process, started and stopped with signals.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function start(script: string, env: Record<string, string>, args: string[] = []) {
  const child = spawn(tsx, [script, ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: 'info', ...env } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(check: () => boolean, ms = 20_000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('running the vault', () => {
  it('finishes a request in flight on SIGTERM, refuses new ones, and closes the database', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-'));
    const merchant = start('server/cli/merchant.ts', { DATA_DIR: dataDir }, ['create', '--name', 'Ops', '--origin', 'http://shop.test', '--json']);
    expect(await merchant.exited).toBe(0);
    const { secret_key } = JSON.parse(merchant.output().trim().split('\n').pop()!);
    // A port found free can be taken by another test before the vault binds it: the vault then exits
    // saying so, and another port is tried.
    let port = 0;
    let vault: ReturnType<typeof start> | undefined;
    for (let attempt = 1; !vault; attempt++) {
      port = await freePort();
      const tried = start('server/main.ts', { DATA_DIR: dataDir, PORT: String(port) });
      await waitFor(() => tried.output().includes('vault listening') || tried.child.exitCode !== null);
      if (tried.output().includes('vault listening')) vault = tried;
      else if (attempt === 3 || !tried.output().includes('EADDRINUSE')) throw new Error(`the vault did not start:\n${tried.output()}`);
    }

    // Half a request is on the wire when the signal comes; the rest follows after it.
    const body = JSON.stringify({ amount: 1999, currency: 'USD' });
    const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/sessions',
          headers: { authorization: `Bearer ${secret_key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        vault.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    const answered = await reply;
    expect(answered.status).toBe(201);
    expect(JSON.parse(answered.body).id).toMatch(/^cs_/);
    expect(await vault.exited).toBe(0);
    expect(vault.output()).toContain('stopped');
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    // A cleanly closed SQLite database leaves no write-ahead log behind.
    expect(fs.existsSync(path.join(dataDir, 'vault.db-wal'))).toBe(false);
    fs.rmSync(dataDir, { recursive: true });
    fs.rmSync(`${dataDir}.key`, { force: true });
  });

  it.each([
    ['PORT', 'seventy'],
    ['DATABASE_URL', 'mysql://localhost/vault'],
    ['VAULT_KEYS', 'k1:tooshort'],
    ['PUBLIC_URL', 'not a url'],
  ])('refuses to start with a bad %s and names it', async (name, value) => {
    const vault = start('server/main.ts', { DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'env-')), [name]: value });
    expect(await vault.exited).toBe(1);
    expect(vault.output()).toContain(name);
    expect(vault.output()).not.toMatch(/at .*\.ts:\d+/);
  });
});
