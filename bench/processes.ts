// The benchmark's child processes: spawn them, wait until they answer, and never leave one running.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

const ROOT = new URL('..', import.meta.url).pathname;
// The output a child printed last: shown when it fails to start or dies, where the reason usually is.
const TAIL_LINES = 40;

export interface Child {
  name: string;
  proc: ChildProcess;
  /** Its last lines of stdout and stderr, for error messages. */
  tail(): string;
  /** Resolves when it has exited; rejects nothing. */
  exited: Promise<number | null>;
}

const children = new Set<Child>();
const cleanups: Array<() => void> = [];
const asyncCleanups = new Set<() => Promise<void>>();
let hooked = false;
/** The longest the way out waits for asynchronous cleanups (dropping a database) before it exits anyway. */
const ASYNC_CLEANUP_MS = 10_000;

/** Runs `fn` (synchronously) when the run ends, however it ends. */
export function onCleanup(fn: () => void): void {
  hookProcess();
  cleanups.push(fn);
}

/**
 * Runs `fn` when the run ends through stopAll(), a signal or a crash (not a bare process.exit, which
 * cannot wait). Returns `fn` wrapped to run at most once, for the caller to run itself when it is done.
 */
export function onAsyncCleanup(fn: () => Promise<void>): () => Promise<void> {
  hookProcess();
  let done: Promise<void> | undefined;
  const once = () => {
    asyncCleanups.delete(once);
    done ??= fn();
    return done;
  };
  asyncCleanups.add(once);
  return once;
}

async function runAsyncCleanups(): Promise<void> {
  const pending = [...asyncCleanups].map((fn) => fn().catch((err: Error) => console.error(`cleanup: ${err.message}`)));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise((r) => (timer = setTimeout(r, ASYNC_CLEANUP_MS)))]);
  clearTimeout(timer);
}

/** Kills the children, then waits (a bounded time) for the asynchronous cleanups before exiting. */
function exitAfterCleanups(code: number): void {
  killAllNow();
  void runAsyncCleanups().finally(() => process.exit(code));
}

function killAllNow(): void {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  children.clear();
  for (const fn of cleanups.splice(0)) {
    try {
      fn();
    } catch {
      /* cleaning up on the way out: nothing better to do */
    }
  }
}

// 'exit' handlers may only do synchronous work, so the last resort is SIGKILL; a signal or a crash goes
// through the same path so that a Ctrl-C or a thrown error never leaves a server holding a port.
function hookProcess(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => exitAfterCleanups(130));
  process.on('uncaughtException', (err) => {
    console.error(err);
    exitAfterCleanups(1);
  });
  process.on('unhandledRejection', (err) => {
    console.error(err);
    exitAfterCleanups(1);
  });
}

/** A port the OS says is free on the loopback; the tiny race until the child binds it is acceptable here. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a TypeScript file of the project under Node with tsx, as a long-lived child. */
export function startChild(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Child {
  hookProcess();
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  // Pipes must be drained or a chatty child blocks on a full pipe and the benchmark measures that.
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
    }
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = { name, proc, tail: () => lines.join('\n'), exited };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** Polls `url` until it answers 2xx; fails fast if the child dies first. */
export async function waitForHttp(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  void child.exited.then(() => (died = true));
  let lastError = '';
  while (Date.now() < deadline) {
    if (died) throw new Error(`${child.name} exited (code ${child.proc.exitCode}) before answering ${url}:\n${indent(child.tail())}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      lastError = `HTTP ${res.status}: ${await res.text()}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms (${lastError}):\n${indent(child.tail())}`);
}

/** Runs a TypeScript CLI of the project to completion and returns its stdout. */
export function runScript(script: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} ${args.join(' ')} failed: ${err.message}\n${indent(stderr || stdout)}`));
      else resolve(stdout);
    });
  });
}

/** SIGTERM, so a server finishes what is in flight and closes its database; SIGKILL if it takes too long. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Stops every child still running and runs the cleanups; safe to call more than once. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
  killAllNow();
  await runAsyncCleanups();
}

export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
