// `npm run server` as a real process on a test's shared storage, for tests that kill it mid-request
// and start another: the vault on a free port, its output kept, started within a generous deadline
// (tsx compiles the server at each start, slow on a busy machine).
import { spawn, type ChildProcess } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface VaultProcess {
  child: ChildProcess;
  url: string;
  output: string[];
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A vault process on the storage given; `env` adds to (or replaces) its settings. No timers, no mail.
 *
 * It is ready when it says it is listening, not when its port answers: a port chosen free may be taken by
 * another test's vault before this one binds it, and then a health check would reach that vault and the
 * test would talk to a stranger (a merchant it never created: "invalid API key"). A vault that finds
 * its port taken exits, and another port is tried.
 */
export async function startVaultProcess(
  storage: { dataDir: string; databaseUrl?: string; vaultKeys: string },
  env: Record<string, string> = {},
): Promise<VaultProcess> {
  for (let attempt = 1; ; attempt++) {
    const started = await startOnce(storage, env);
    if ('child' in started) return started;
    if (!started.portTaken || attempt === 3) throw new Error(`the vault did not start:\n${started.output}`);
  }
}

async function startOnce(
  storage: { dataDir: string; databaseUrl?: string; vaultKeys: string },
  env: Record<string, string>,
): Promise<VaultProcess | { portTaken: boolean; output: string }> {
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: '',
      DATA_DIR: storage.dataDir,
      DATABASE_URL: storage.databaseUrl ?? '',
      VAULT_KEYS: storage.vaultKeys,
      // Info: the line that says the vault listens (and each request, kept for a failing test's message).
      LOG_LEVEL: 'info',
      SCHEDULER_INTERVAL_MS: '0',
      WEBHOOK_INTERVAL_MS: '0',
      SMTP_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    const text = output.join('');
    if (/"msg":"vault listening"/.test(text)) return { child, url: `http://127.0.0.1:${port}`, output };
    if (child.exitCode !== null) return { portTaken: text.includes('EADDRINUSE'), output: text };
  }
  child.kill('SIGKILL');
  return { portTaken: false, output: output.join('') };
}
