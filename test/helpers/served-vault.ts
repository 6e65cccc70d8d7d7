// A test vault listening on a real port of 127.0.0.1, for clients that speak HTTP to it (the SDK, a
// browser, a child process).
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { DbTarget } from './databases.ts';
import { startTestVault, type TestVault } from './test-vault.ts';

export interface ServedVault {
  v: TestVault;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  close(): Promise<void>;
}

export async function serveTestVault(target: DbTarget): Promise<ServedVault> {
  const v = await startTestVault(target);
  const server = serve({ fetch: v.runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    v,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await v.close();
    },
  };
}
