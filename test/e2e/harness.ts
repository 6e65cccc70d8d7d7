// End-to-end harness: the real vault and the real demo shop on two origins of this machine, and
// Debian's Chromium driven by playwright-core. Without Chromium the suites skip with a visible
// reason; with E2E=required that absence fails the run.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { Browser, BrowserContext } from 'playwright-core';
import { beforeAll, describe, vi } from 'vitest';
import { SHOP_NAME } from '../../demo/catalog.ts';
import { startDemo } from '../../demo/server.ts';
import { createLogger } from '../../server/logger.ts';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { createRuntime, type VaultRuntime } from '../../server/vault-runtime.ts';
import type { ProcessorBaseUrls } from '../../server/env.ts';
import { ensureBuilt } from '../../scripts/ensure-built.ts';

export const CHROMIUM = '/usr/bin/chromium';
const available = fs.existsSync(CHROMIUM);
if (!available && process.env.E2E === 'required') {
  throw new Error(`E2E=required but ${CHROMIUM} is missing: apt-get install -y chromium`);
}

/** Runs the suite in Chromium, or reports it as skipped with the reason. */
export function describeInBrowser(name: string, suite: () => void): void {
  if (available) describe(name, () => withPollTimeout(suite));
  else describe.skip(`${name} skipped: ${CHROMIUM} is not installed`, suite);
}

/**
 * expect.poll gives up after 1 s unless told otherwise: a round trip through Chromium, the vault and
 * the shop takes longer than that on a busy 2-core machine. 10 s, as the polls that say so.
 */
function withPollTimeout(suite: () => void): void {
  beforeAll(() => vi.setConfig({ expect: { poll: { timeout: 10_000 } } }));
  suite();
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Stack {
  vaultUrl: string;
  shopUrl: string;
  runtime: VaultRuntime;
  merchant: CreatedMerchant;
  logs: string[];
  browser: Browser;
  /** A fresh browser context (cold cache, no cookies). */
  context(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * The vault on http://localhost:P1, the shop on http://127.0.0.1:P2: two origins, as in production.
 * `processorBaseUrls` (PROCESSOR_BASE_URLS) points the real connectors at local provider servers.
 */
export async function startStack(options: { processorBaseUrls?: ProcessorBaseUrls } = {}): Promise<Stack> {
  ensureBuilt();
  const { chromium } = await import('playwright-core');
  const [vaultPort, shopPort] = await Promise.all([freePort(), freePort()]);
  const vaultUrl = `http://localhost:${vaultPort}`;
  const shopUrl = `http://127.0.0.1:${shopPort}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-e2e-'));
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (l: string) => void logs.push(l) } as never });
  // The shop's webhook receiver listens on 127.0.0.1, as the demo's does under `npm start`.
  const runtime = await createRuntime(
    {
      DATA_DIR: dataDir,
      PUBLIC_URL: vaultUrl,
      LOG_LEVEL: 'info',
      ALLOW_PRIVATE_WEBHOOKS: true,
      FIELDS_MAX_PER_ADDRESS: Infinity,
      FIELDS_MAX_PER_MERCHANT: Infinity,
      PROCESSOR_BASE_URLS: options.processorBaseUrls,
    },
    { logger },
  );
  const vaultServer = serve({ fetch: runtime.app.fetch, port: vaultPort, hostname: '127.0.0.1' });
  // Under the shop's own name from the start, as npm start creates it: the shop has nothing to rename.
  const merchant = await createMerchant(runtime.deps, { name: SHOP_NAME, origins: [shopUrl] });
  // Limits lifted, as the operator above allows: the suite's requests all come from one address.
  await runtime.deps.db
    .updateTable('merchants')
    .set({ frame_limit_per_address: 0, rate_limit: 0, webhook_url: `${shopUrl}/webhooks` })
    .where('id', '=', merchant.id)
    .execute();
  const demo = await startDemo({
    port: shopPort,
    host: '127.0.0.1',
    vaultUrl,
    secretKey: merchant.secret_key,
    publishableKey: merchant.publishable_key,
    shopOrigin: shopUrl,
    webhookSecret: merchant.webhook_secret,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    vaultUrl,
    shopUrl,
    runtime,
    merchant,
    logs,
    browser,
    context: () => browser.newContext({ viewport: { width: 900, height: 1000 } }),
    close: async () => {
      await browser.close();
      await demo.close();
      await new Promise<void>((resolve) => vaultServer.close(() => resolve()));
      await runtime.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(`${dataDir}.key`, { force: true });
    },
  };
}
